/** An interrupted `leanenv check` (no --server) stops its private server and that server's Lean workers before it exits. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { descendants } from '../bench/progress.js';
import { alive, cmdline } from '../support/processes.js';


test('SIGINT: exit 130, and no process of the private server is left', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-cli-int-'));
  fs.writeFileSync(path.join(dir, 'a.lean'), 'theorem a : True := trivial\n');
  const cli = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [path.join(PROJECT_ROOT, 'client/cli/main.ts'), 'check', 'a.lean', '--json'], { cwd: dir, stdio: 'ignore' });
  const seen = new Set<number>();
  const deadline = Date.now() + 300_000;
  // Wait for a Lean worker (node running the wasm Lean, or lake/repl) under the CLI's server.
  while (![...seen].some((p) => /lean\.cjs|lean-boot|leanenv-repl|LeanEnv/i.test(cmdline(p)))) {
    if (Date.now() > deadline) throw new Error('no Lean worker appeared under the CLI');
    for (const p of descendants(cli.pid!)) seen.add(p);
    await new Promise((r) => setTimeout(r, 300));
  }
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  cli.kill('SIGINT');
  expect(await exited).toBe(130);
  const gone = Date.now() + 60_000;
  while ([...seen].some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 500));
  expect([...seen].filter(alive).map(cmdline)).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
}, 420_000);
