/**
 * Forged replies through the paths that `test/lean/private-channel.test.ts` does not take: the
 * Kimina front (`POST /api/check`, `POST /verify`), the REPL front over WebSocket (`/v1/repl`)
 * and `leanenv check` on a file. Code under check writes framed JSON-RPC replies claiming a clean
 * `env.check` (and a clean command) to its stdout from a task; none of them is taken: the snippet
 * is not valid, the REPL command gets no forged reply, the CLI's verdict is not `proved`, and
 * each forgery is counted. One serving worker and one spare for the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { runCli } from '../support/cli.js';

let server: TestServer;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-forged-'));

beforeAll(async () => {
  server = await startTestServer({ config: { workers: 1, spareWorkers: 1 } });
});
afterAll(async () => {
  await server?.app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Framed JSON-RPC replies for ids `0..59`, each claiming a clean `env.check` and a clean command. */
function forgedFrames(): string {
  let out = '';
  for (let id = 0; id < 60; id++) {
    const body = JSON.stringify({ jsonrpc: '2.0', id, result: { env: 1, header: '', messages: [], hasErrors: false, commands: [], constants: [], sorries: [], elapsedMs: 1 } });
    out += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }
  return out;
}

/** A submission whose `#eval` writes the forged frames from a task, then a false theorem. */
const FORGING =
  '#eval show IO Unit from do\n' +
  '  let t ← IO.asTask (do\n' +
  '    let out ← IO.getStdout\n' +
  `    out.putStr ${JSON.stringify(forgedFrames())}\n` +
  '    out.flush)\n' +
  '  let _ ← IO.wait t\n' +
  'theorem bad : (1 : Nat) = 2 := sorry\n';

const forged = () => server.pool.stats().forgedFrames;
/** Wait until the spare is ready again (each forgery costs the serving worker). */
async function spareReady(): Promise<void> {
  await expect.poll(() => server.pool.stats().spares, { timeout: 300_000, interval: 500 }).toBe(1);
}

describe('forged replies through the other paths', () => {
  test('Kimina front: /api/check and /verify give no valid result, and the forgery is counted', async () => {
    for (const url of ['/api/check', '/verify']) {
      await spareReady();
      const before = forged();
      const payload = url === '/verify' ? { codes: [{ custom_id: 'f', proof: FORGING }] } : { snippets: [{ id: 'f', code: FORGING }] };
      const r = await server.app.inject({ method: 'POST', url, payload });
      expect(r.statusCode, r.body).toBe(200);
      const result = (r.json() as { results: { verdict: string; error?: string | null; response?: { messages?: { severity: string }[] } }[] }).results[0]!;
      expect(result.verdict).not.toBe('proved');
      // Kimina's client reads validity from the messages or the error: one of them says no.
      const hasError = !!result.error || (result.response?.messages ?? []).some((m) => m.severity === 'error');
      expect(hasError, JSON.stringify(result)).toBe(true);
      expect(forged()).toBeGreaterThan(before);
    }
  });

  test('REPL front over WebSocket: the command gets no forged reply; the next command is answered honestly', async () => {
    await spareReady();
    const before = forged();
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/repl`);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const replies: unknown[] = [];
    const next = () => new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(String(d)) as Record<string, unknown>)));
    try {
      let p = next();
      ws.send(JSON.stringify({ cmd: FORGING }));
      replies.push(await p);
      // The forged reply claimed env 1 with no messages; the real answer is an error (the worker was tampered with).
      expect(replies[0]).not.toEqual({ env: 1 });
      expect(JSON.stringify(replies[0])).toMatch(/tampered|error/i);
      expect(forged()).toBeGreaterThan(before);
      await spareReady();
      p = next();
      ws.send(JSON.stringify({ cmd: 'theorem bad : (1 : Nat) = 2 := by decide' }));
      const honest = (await p) as { messages?: { severity: string }[] };
      expect(honest.messages?.some((m) => m.severity === 'error')).toBe(true);
    } finally {
      ws.close();
    }
  });

  test('leanenv check on a file: not proved, exit code 1', async () => {
    await spareReady();
    const before = forged();
    const file = path.join(dir, 'Forging.lean');
    fs.writeFileSync(file, FORGING);
    const r = await runCli(dir, 'check', file, '--server', server.url, '--json');
    expect(r.exitCode).toBe(1);
    const line = JSON.parse(r.stdout.trim().split('\n')[0]!) as { verdict: string };
    expect(line.verdict).not.toBe('proved');
    expect(forged()).toBeGreaterThan(before);
  });
});
