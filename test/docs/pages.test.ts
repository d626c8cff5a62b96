/** The README's shape (short, the two commands, runnable blocks) and the docs/ pages around it; no Lean needed. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { isSetupBlock, proseUrls, readmeBlocks, readmeText, setupCommands } from './readme-blocks.js';

/** Pages written on other branches that a link may already point to. */
const PENDING_PAGES = new Set(['docs/native-backend.md']);

/** The section headings of the former README (1680 lines), each of which must have a home in docs/. */
const FORMER_SECTIONS = [
  'The server API', 'WebSocket methods (prover agents)', '`POST /v1/check` (batch checking)', 'Trust model: who decides `proved`', 'Verdicts',
  'Client SDK and CLI', 'Python SDK', 'Switching from Kimina / the REPL', 'Tactic debugger (web page)', 'Proof search (`client/search/`, `leanenv prove`)',
  'Layout', 'Backends', 'Worker pool, limits and recovery', 'Scaling out (many nodes on Redis + BullMQ)', 'Sandbox', 'The REPL protocol (worker side)',
  'Statements, tactics, verification', 'Steps behave as files; deep recursion and kernel checks end in errors', 'The Node worker (`server/lean/worker.ts`)',
  'Measured (embedded Lean, 2-core machine)', 'Proof search (`npm run bench:search`)', 'Limits and known gaps', 'Two commands',
];

const docsPages = () => fs.readdirSync(path.join(PROJECT_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

describe('README and docs/', () => {
  test('the README is under 250 lines and has the two commands', () => {
    const text = readmeText();
    expect(text.split('\n').length).toBeLessThanOrEqual(250);
    expect(setupCommands(readmeBlocks(text))).toEqual({ start: 'npm install && npm start', test: 'npm install && npm test' });
    expect(text).toMatch(/^## Mathlib quick start$/m);
  });

  test('every section of the former README has a home in docs/ (a heading of the same name)', () => {
    const headings = new Set(docsPages().flatMap((p) => [...fs.readFileSync(path.join(PROJECT_ROOT, p), 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim())));
    for (const s of FORMER_SECTIONS) expect(headings.has(s), s).toBe(true);
  });

  test('every relative link of README.md and docs/*.md points to a file that exists', () => {
    for (const page of ['README.md', ...docsPages()]) {
      const text = fs.readFileSync(path.join(PROJECT_ROOT, page), 'utf8').replace(/^```[\s\S]*?^```\s*$/gm, '');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const resolved = path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, path.dirname(page), target));
        if (PENDING_PAGES.has(resolved)) continue;
        expect(fs.existsSync(path.join(PROJECT_ROOT, resolved)), `${page}: ${target}`).toBe(true);
      }
    }
  });

  test('blocks are read with their language, line and expectation', () => {
    const md = ['intro', '```sh', 'npm install && npm start   # serve', 'npm install && npm test', '```', '<!-- readme-test: expect "ok" -->', '```python', 'print("ok")', '```', 'see <http://127.0.0.1:8765/>'].join('\n');
    const blocks = readmeBlocks(md);
    expect(blocks).toEqual([
      { lang: 'sh', line: 2, text: 'npm install && npm start   # serve\nnpm install && npm test\n' },
      { lang: 'python', line: 7, text: 'print("ok")\n', expect: '"ok"' },
    ]);
    expect(isSetupBlock(blocks[0]!)).toBe(true);
    expect(setupCommands(blocks)).toEqual({ start: 'npm install && npm start', test: 'npm install && npm test' });
    expect(proseUrls(md)).toEqual(['http://127.0.0.1:8765/']);
  });
});
