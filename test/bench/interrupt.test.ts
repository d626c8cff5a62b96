/**
 * An interrupted `npm run bench` leaves no process behind: the bench is started as a child,
 * interrupted once a Lean worker runs under it, and every process it had started must be gone.
 * The same clean-up is first checked on a stand-in process tree (no Lean), for SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { descendants } from './progress.js';
import { alive, cmdline } from '../support/processes.js';

const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');


/** Wait until `cond` holds (polling), or throw after `ms`. */
async function until<T>(what: string, ms: number, cond: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('an interrupted bench', () => {
  test('SIGTERM: the clean-up kills detached process groups and their children (stand-in tree)', async () => {
    const child = spawn(TSX, [path.join(PROJECT_ROOT, 'test/bench/fixtures/sleeper-tree.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => void (out += d.toString()));
    await until('READY', 30_000, () => out.includes('READY'));
    const tree = await until('the sleepers', 10_000, () => {
      const d = descendants(child.pid!);
      return d.filter((p) => cmdline(p).startsWith('sleep')).length >= 2 && d;
    });
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    await until('every process of the tree to be gone', 10_000, () => tree.every((p) => !alive(p)));
  });

  test('SIGINT during `npm run bench -- --quick`: exit 130 and no Lean worker left', async () => {
    const child = spawn(TSX, [path.join(PROJECT_ROOT, 'test/bench/run.ts'), '--quick'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
    // A Lean worker (the cold-start probe: node running the wasm Lean) appears under the bench.
    const seen = new Set<number>();
    await until('a Lean worker under the bench', 300_000, () => {
      for (const p of descendants(child.pid!)) seen.add(p);
      return [...seen].some((p) => /lean\.cjs|lean-boot|LeanEnv/i.test(cmdline(p)));
    });
    expect(err).toMatch(/\[bench \d+:\d\d\] section 1\/\d+ cold start/);
    const exited = exitOf(child);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toMatch(/SIGINT: stopped \d+ child process/);
    await until('every process the bench started to be gone', 15_000, () => [...seen].every((p) => !alive(p)));
  }, 400_000);
});
