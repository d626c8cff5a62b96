/**
 * The README's code blocks, as the README test runs them: every fenced block with its
 * language, line, and the optional expectation written just before it as an HTML comment
 * (`<!-- readme-test: expect TEXT -->`: the block's stdout must contain TEXT).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/provision/paths.js';

/** One fenced block of the README. */
export interface ReadmeBlock {
  /** The info string's first word (`sh`, `python`, `ts`). */
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The block's text (without the fences). */
  text: string;
  /** Text the block's stdout must contain, if the README says so. */
  expect?: string;
}

/** The README's text. */
export function readmeText(file = path.join(PROJECT_ROOT, 'README.md')): string {
  return fs.readFileSync(file, 'utf8');
}

/** Every fenced block of a Markdown text, in order. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const expectLine = /^<!-- readme-test: expect (.+?) -->$/.exec(lines[start - 1] ?? '');
    blocks.push({ lang: open[1] ?? '', line: start + 1, text: body.join('\n') + '\n', ...(expectLine ? { expect: expectLine[1] } : {}) });
  }
  return blocks;
}

/** The two set-up commands: the line that starts the server and the line that runs the tests (comments dropped). */
export function setupCommands(blocks: ReadmeBlock[]): { start: string; test: string } {
  const lines = blocks.flatMap((b) => b.text.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim());
  const start = lines.find((l) => /\bnpm start$/.test(l));
  const test = lines.find((l) => /\bnpm test$/.test(l));
  if (!start || !test) throw new Error('the README has no `… npm start` / `… npm test` set-up commands');
  return { start, test };
}

/** Is this block the set-up block (run by the test's set-up, not as a block of its own)? */
export function isSetupBlock(b: ReadmeBlock): boolean {
  return /\bnpm start\b/.test(b.text) && /\bnpm test\b/.test(b.text);
}

/** `http://127.0.0.1:8765/…` addresses in the README's prose (outside code blocks). */
export function proseUrls(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```\s*$/gm, '');
  return [...new Set([...prose.matchAll(/<(http:\/\/127\.0\.0\.1:8765\/[^>\s]*)>/g)].map((m) => m[1]!))];
}
