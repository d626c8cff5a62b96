/**
 * Every command and code block of README.md, run for real: the server is started with the
 * README's own start command (`npm install && npm start`, on a free port and one worker), then
 * each block runs against it — `sh` with bash in the repository, `python` with the repository's
 * `.venv` (the Python SDK and the real `kimina-client`), `ts` with tsx from the repository root —
 * with `127.0.0.1:8765` replaced by the server's address. A block must exit 0, and print the
 * text its `<!-- readme-test: expect … -->` comment names. Files a block creates in the
 * repository are removed afterwards. The test command (`npm install && npm test`) is the one
 * `.ci/run` runs; it is checked to be that, not run (it would run this test again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { isSetupBlock, proseUrls, readmeBlocks, readmeText, setupCommands } from './readme-blocks.js';

const README = readmeText();
const BLOCKS = readmeBlocks(README);
const PYTHON = path.join(PROJECT_ROOT, '.venv/bin/python');

/** A free loopback port. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

let server: ChildProcess | undefined;
let port = 0;
let serverLog = '';
const local = (text: string) => text.replaceAll('127.0.0.1:8765', `127.0.0.1:${port}`);

beforeAll(async () => {
  port = await freePort();
  const { start } = setupCommands(BLOCKS);
  // The README's command as written; the environment picks the port and keeps the pool small.
  server = spawn('bash', ['-c', start], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), LEANENV_WORKERS: '1', LEANENV_SPARE_WORKERS: '0', LOG_LEVEL: 'warn', npm_config_audit: 'false', npm_config_fund: 'false' },
  });
  for (const s of [server.stdout!, server.stderr!]) s.on('data', (d: Buffer) => void (serverLog = (serverLog + d.toString()).slice(-8000)));
  const deadline = Date.now() + 540_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`\`${start}\` exited (${server.exitCode}):\n${serverLog}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the server did not get ready:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}, 600_000);

afterAll(async () => {
  if (!server?.pid) return;
  // SIGTERM to the whole group (bash, npm, the server): the server drains and stops its workers.
  const exited = new Promise((resolve) => server!.once('exit', resolve));
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // gone already
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // the group is gone, as it should be
  }
}, 90_000);

/** Run one block; its stdout. */
async function run(lang: string, text: string): Promise<{ exitCode?: number; stdout: string; stderr: string }> {
  const before = new Set(fs.readdirSync(PROJECT_ROOT));
  const scratch = path.join(PROJECT_ROOT, `.readme-block-${process.pid}.ts`);
  try {
    const opts = { cwd: PROJECT_ROOT, reject: false, timeout: 300_000, all: false } as const;
    if (lang === 'sh') return await execa('bash', ['-euo', 'pipefail', '-c', text], opts);
    if (lang === 'python') return await execa(PYTHON, ['-c', text], opts);
    if (lang === 'ts') {
      fs.writeFileSync(scratch, text);
      return await execa(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [scratch], opts);
    }
    throw new Error(`no runner for a \`${lang}\` block: use sh, python or ts`);
  } finally {
    for (const f of fs.readdirSync(PROJECT_ROOT)) if (!before.has(f)) fs.rmSync(path.join(PROJECT_ROOT, f), { recursive: true, force: true });
  }
}

describe('README', () => {
  test('the test command is the one .ci/run runs', () => {
    const { test: testCommand } = setupCommands(BLOCKS);
    expect(testCommand).toBe('npm install && npm test');
    const ci = fs.readFileSync(path.join(PROJECT_ROOT, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^npm ci\b/m); // `npm install` from the lockfile, exactly
    expect(ci).toMatch(/^npm test$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toBe('bash test/run-all.sh');
    expect(pkg.scripts.start).toBeDefined();
  });

  test('the server the start command started answers /health', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/health`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { status: string }).status).toBe('ok');
  });

  test.each(proseUrls(README))('the page at %s is served', async (url) => {
    const r = await fetch(local(url));
    expect(r.status).toBe(200);
  });

  const runnable = BLOCKS.filter((b) => !isSetupBlock(b));
  test('every block is runnable (sh, python or ts) and there are some', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(5);
    for (const b of runnable) expect(['sh', 'python', 'ts'], `line ${b.line}`).toContain(b.lang);
  });

  test.each(runnable.map((b) => [`${b.lang} block at line ${b.line}`, b] as const))('%s runs and succeeds', async (_name, block) => {
    const r = await run(block.lang, local(block.text));
    expect(r.exitCode, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    if (block.expect) expect(r.stdout).toContain(block.expect);
  });
});
