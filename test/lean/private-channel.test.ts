/**
 * The embedded Lean's private request/reply channel, against the real server: code under check
 * (`#eval`, `run_tac`, a session header, background tasks) writes forged framed replies to its
 * stdout, or reads stdin; no forged content is ever taken as a reply (the item is `error`, the
 * step fails with `worker_tampered`), the forgery is counted and its worker replaced, unrelated
 * submissions keep their honest verdicts, and stdin gives code under check nothing.
 * One serving worker and one spare for the file; every forgery costs a worker start.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient, RpcError } from '../../client/sdk.js';
import { checkOne, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: LeanEnvClient;

beforeAll(async () => {
  server = await startTestServer({ config: { workers: 1, spareWorkers: 1 } });
  client = await LeanEnvClient.connect(server.url);
});
afterAll(async () => {
  await client?.close();
  await server?.app.close();
});

/** Framed JSON-RPC replies for ids `from..to-1` that claim an `env.check` without errors. */
function forgedFrames(from = 0, to = 40): string {
  let out = '';
  for (let id = from; id < to; id++) {
    const body = JSON.stringify({ jsonrpc: '2.0', id, result: { env: 1, header: '', messages: [], hasErrors: false, commands: [], constants: [], elapsedMs: 1 } });
    out += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }
  return out;
}
/** A Lean string literal. */
const lit = (s: string) => JSON.stringify(s);

const stats = () => server.pool.stats();
/** Wait until the spare is ready again (so that the next replacement is a promotion). */
async function spareReady(): Promise<void> {
  await expect.poll(() => stats().spares, { timeout: 300_000, interval: 500 }).toBe(1);
}

describe('private channel: forged replies are never taken as replies', () => {
  test('an honest file that prints is still proved, and nothing is counted as forged', async () => {
    const r = await checkOne(server, { id: 'hello', code: '#eval IO.println "hello"\ntheorem honest : 2 + 2 = 4 := by decide\n' });
    expect(r.verdict).toBe('proved');
    expect(stats()).toMatchObject({ forgedFrames: 0, restarts: 0, leftoverThreads: 0 });
  });

  test('forged replies written by a task through IO.getStdout: the item is an error naming the tampering, the worker is replaced', async () => {
    await spareReady();
    const before = stats();
    const [serving] = server.pool.workers();
    const code =
      '#eval show IO Unit from do\n' +
      '  let t ← IO.asTask (do\n' +
      '    let out ← IO.getStdout\n' +
      `    out.putStr ${lit(forgedFrames())}\n` +
      '    out.flush)\n' +
      '  let _ ← IO.wait t\n' +
      'theorem bad : (1 : Nat) = 2 := sorry\n';
    const r = await checkOne(server, { id: 'forge-task', code });
    expect(r.verdict).toBe('error');
    expect(r.reason).toMatch(/tampered with/);
    const after = stats();
    expect(after.forgedFrames).toBeGreaterThan(before.forgedFrames);
    expect(after.promotions).toBe(before.promotions + 1);
    expect(server.pool.workers()[0]!.pid).not.toBe(serving!.pid);
    // The next submission runs on the promoted worker and gets its honest verdict.
    expect((await checkOne(server, { id: 'after-forge', code: 'theorem bad : (1 : Nat) = 2 := sorry\n' })).verdict).not.toBe('proved');
  });

  test('forged replies written to /dev/stdout: an error, never proved', async () => {
    await spareReady();
    const before = stats();
    const code =
      '#eval show IO Unit from do\n' +
      '  let h ← IO.FS.Handle.mk "/dev/stdout" .write\n' +
      `  h.putStr ${lit(forgedFrames())}\n` +
      '  h.flush\n' +
      'theorem bad : (1 : Nat) = 2 := sorry\n';
    const r = await checkOne(server, { id: 'forge-dev-stdout', code });
    expect(r.verdict).toBe('error');
    expect(r.reason).toMatch(/tampered with/);
    expect(stats().forgedFrames).toBeGreaterThan(before.forgedFrames);
    expect(stats().promotions).toBe(before.promotions + 1);
  });

  test('a background task that keeps writing forged replies does not change later, unrelated verdicts', async () => {
    await spareReady();
    const before = stats();
    const writer =
      'def writeLoop (out : IO.FS.Stream) : Nat → IO Unit\n' +
      '  | 0 => pure ()\n' +
      `  | k + 1 => do out.putStr ${lit(forgedFrames(0, 60))}; out.flush; IO.sleep 300; writeLoop out k\n` +
      '#eval show IO Unit from do\n' +
      '  let _ ← IO.asTask (do writeLoop (← IO.getStdout) 100)\n' +
      '  pure ()\n' +
      'theorem ok_bg : 1 = 1 := rfl\n';
    const w = await checkOne(server, { id: 'writer', code: writer });
    expect(w.verdict).not.toBe('proved');
    expect(stats().forgedFrames).toBeGreaterThan(before.forgedFrames);
    const verdicts: string[] = [];
    for (const code of ['theorem h1 : 3 + 3 = 6 := by decide\n', 'theorem victim_false : (2 : Nat) + 2 = 5 := by decide\n', 'theorem h2 (a b : Nat) : a + b = b + a := by omega\n']) {
      verdicts.push((await checkOne(server, { id: 'v', code })).verdict);
    }
    expect(verdicts).toEqual(['proved', 'failed', 'proved']);
  });

  test('a task left running on its own thread retires the worker after its request (the answer is kept)', async () => {
    await spareReady();
    const before = stats();
    const code = '#eval show IO Unit from do\n  let _ ← IO.asTask (prio := .dedicated) (IO.sleep 20000)\n  pure ()\ntheorem lingering : 1 + 1 = 2 := rfl\n';
    expect((await checkOne(server, { id: 'lingering', code })).verdict).toBe('proved');
    expect(stats()).toMatchObject({ leftoverThreads: before.leftoverThreads + 1, recycles: before.recycles + 1, promotions: before.promotions + 1 });
    expect((await checkOne(server, { id: 'next', code: 'theorem next : 2 + 2 = 4 := by decide\n' })).verdict).toBe('proved');
  });

  test('a submission that ends its process gets an error; the spare serves the next one', async () => {
    await spareReady();
    const before = stats();
    const items = [
      { id: 'exit', code: '#eval (IO.Process.exit 0 : IO Unit)\ntheorem t : 1 = 1 := rfl\n' },
      { id: 'next', code: 'theorem next : 2 + 2 = 4 := by decide\n' },
    ];
    const t0 = Date.now();
    const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items } });
    // Logged, not asserted (no timing assertions): the batch with a ready spare.
    console.info(`batch with an IO.Process.exit item: ${Date.now() - t0} ms`);
    expect((r.json() as { results: { verdict: string }[] }).results.map((x) => x.verdict)).toEqual(['error', 'proved']);
    expect(stats().promotions).toBe(before.promotions + 1);
  });

  test('/health and /metrics count forged frames', async () => {
    const forged = stats().forgedFrames;
    expect(forged).toBeGreaterThanOrEqual(3);
    const health = (await server.app.inject({ method: 'GET', url: '/health' })).json() as { workers: { forgedFrames: number; leftoverThreads: number } };
    expect(health.workers.forgedFrames).toBe(forged);
    expect(health.workers.leftoverThreads).toBeGreaterThanOrEqual(1);
    const metrics = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(new RegExp(`^leanenv_forged_frames_total ${forged}$`, 'm'));
  });
});

describe('private channel: stdin is not the request stream', () => {
  test('reads of IO.getStdin, /dev/stdin and /proc/self/fd/0, also from a task, get nothing at once', async () => {
    const read = (label: string, open: string) =>
      `#eval show IO Unit from do\n  try\n    let s ← ${open}\n    IO.println s!"${label}: [{← s.getLine}]"\n  catch e => IO.println s!"${label}: refused {e}"\n`;
    const code =
      read('getStdin', 'IO.getStdin') +
      read('devStdin', 'IO.FS.Stream.ofHandle <$> IO.FS.Handle.mk "/dev/stdin" .read') +
      read('procFd0', 'IO.FS.Stream.ofHandle <$> IO.FS.Handle.mk "/proc/self/fd/0" .read') +
      '#eval show IO Unit from do\n  let t ← IO.asTask (do let s ← IO.getStdin; s.getLine)\n  match ← IO.wait t with\n  | .ok l => IO.println s!"task: [{l}]"\n  | .error e => IO.println s!"task: refused {e}"\n' +
      'theorem after_reads : 2 + 2 = 4 := by decide\n';
    const r = await checkOne(server, { id: 'stdin', code });
    expect(r.verdict).toBe('proved');
    const text = r.messages.map((m) => m.data).join('\n');
    expect(text).toMatch(/getStdin: \[\]/);
    expect(text).toMatch(/devStdin: \[\]/);
    expect(text).toMatch(/procFd0: (\[\]|refused)/);
    expect(text).toMatch(/task: \[\]/);
    expect(text).not.toMatch(/jsonrpc|Content-Length/);
    // The worker still serves.
    expect((await checkOne(server, { id: 'next', code: 'theorem next : 2 + 2 = 4 := by decide\n' })).verdict).toBe('proved');
  });
});

describe('private channel over WebSocket', () => {
  const forge = `run_tac do let o ← IO.getStdout; o.putStr ${lit(forgedFrames(0, 200))}; o.flush`;

  test('a tactic that writes forged replies fails with worker_tampered; the state stays usable on the new worker', async () => {
    await spareReady();
    const s = await client.openSession('import Lean');
    const root = await client.start(s.sessionId, { statement: 'theorem ws_false : (2 : Nat) + 2 = 5' });
    const err = await client.apply(root.stateId, forge).then(
      (o) => o,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).data?.code).toBe('worker_tampered');
    const honest = await client.apply(root.stateId, 'decide');
    expect(honest.status).toBe('failed');
  });

  test('a session header that writes forged replies never yields a step outcome from them', async () => {
    await spareReady();
    const header = `import Lean\n#eval show IO Unit from do\n  let o ← IO.getStdout\n  o.putStr ${lit(forgedFrames(0, 200))}\n  o.flush`;
    const outcome = await (async () => {
      const s = await client.openSession(header);
      const root = await client.start(s.sessionId, { statement: 'theorem hdr_false : (2 : Nat) + 2 = 5' });
      return client.apply(root.stateId, 'decide');
    })().then(
      (o) => o,
      (e: unknown) => e,
    );
    if (outcome instanceof RpcError) expect(outcome.data?.code).toMatch(/worker_tampered|header_error/);
    else expect((outcome as { status: string }).status).toBe('failed');
  });
});
