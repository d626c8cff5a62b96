/**
 * Server nodes as separate processes for cluster tests: the real server (`server/main.ts`,
 * real Lean workers) or the stand-in node (`standin-cluster-node.ts`), on a free port, on a
 * given Redis; ready once `GET /health` answers 200. Killed after the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { freePort } from './redis.js';

/** A node process. */
export interface NodeProcess {
  url: string;
  proc: ChildProcess;
  /** Output so far (stderr and stdout), for failure messages. */
  log: () => string;
  /** Kill with a signal and wait for the exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

/** What kind of node: the real server or the stand-in (no Lean). */
export type NodeKind = 'real' | 'stand-in';

/** Start a node on `redisUrl` and wait until it is healthy (up to `readyMs`). */
export async function startNode(kind: NodeKind, redisUrl: string, env: Record<string, string> = {}, readyMs = 600_000): Promise<NodeProcess> {
  const port = await freePort();
  const script = kind === 'real' ? 'server/main.ts' : 'test/support/standin-cluster-node.ts';
  // One process (node with tsx's loader), so a signal reaches the server itself.
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, REDIS_URL: redisUrl, PORT: String(port), LEANENV_WORKERS: '1', LEANENV_SLOTS_PER_WORKER: '1', LOG_LEVEL: 'warn', LEANENV_HTTP_RATE_LIMIT_MAX: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const node: NodeProcess = {
    url,
    proc,
    log: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((r) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return r();
        proc.once('exit', () => r());
        proc.kill(signal);
      }),
  };
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`node exited early (${proc.exitCode}): ${out}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.status === 200) return node;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await node.kill();
      throw new Error(`node not healthy after ${readyMs} ms: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** POST /v1/check on a node; the parsed JSON body (or NDJSON lines) and status. */
export async function postCheck(url: string, body: unknown, stream = false): Promise<{ status: number; json: any; lines: any[] }> {
  const r = await fetch(`${url}/v1/check${stream ? '?stream=true' : ''}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  const lines = stream && r.status === 200 ? text.trim().split('\n').map((l) => JSON.parse(l)) : [];
  return { status: r.status, json: stream && r.status === 200 ? undefined : JSON.parse(text), lines };
}
