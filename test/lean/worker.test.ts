/**
 * The Lean worker against the real (embedded) Lean: one long-lived worker for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LeanWorker } from '../../server/lean/worker.js';
import { LeanWorkerError } from '../../server/lean/errors.js';
import { ReplErrorCodes } from '../../server/repl-protocol/repl.js';
import { coreSubset, startTestWorker, type BenchmarkItem } from '../support/lean.js';

let worker: LeanWorker;
const items = coreSubset();
const item = (id: string): BenchmarkItem => {
  const it = items.get(id);
  if (!it) throw new Error(`core subset has no ${id}`);
  return it;
};
const header = item('amc12b_2002_p2').header;
let env: number;

beforeAll(async () => {
  worker = await startTestWorker({ maxHeaderEnvs: 2 });
  env = (await worker.importHeader(header)).env;
});
afterAll(async () => {
  await worker?.dispose();
});

/** Apply tactics in order, expecting each to succeed; returns the last state. */
async function prove(start: number, tactics: string[]) {
  let state = start;
  let last;
  for (const t of tactics) {
    last = await worker.applyTactic(state, t);
    expect(last.status, `${t}: ${JSON.stringify(last)}`).not.toBe('failed');
    if (last.status === 'failed') throw new Error(last.error);
    state = last.proofState;
  }
  return { state, last };
}

describe('worker', () => {
  test('initialize reports the Lean version and methods', () => {
    expect(worker.info?.version).toMatch(/^4\.28\.0/);
    expect(worker.info?.githash).toMatch(/^[0-9a-f]{40}$/);
    expect(worker.info?.methods).toContain('proof.tactic');
  });

  test('imports a header once and reuses its environment', async () => {
    const again = await worker.importHeader(header);
    expect(again.env).toBe(env);
    expect(again.hasErrors).toBe(false);
    // The header's notation is in force in its environment.
    const r = await worker.runCommand(env, 'example : (2 : ℕ) + 2 = 4 := rfl');
    expect(r.hasErrors).toBe(false);
  });

  test('a command with sorry yields a proof state with its goal', async () => {
    const r = await worker.runCommand(env, 'theorem t1 (n : ℕ) (h : n = 3) : n + 1 = 4 := by sorry');
    expect(r.messages.some((m) => m.severity === 'warning' && /sorry/.test(m.data))).toBe(true);
    expect(r.sorries).toHaveLength(1);
    const s = r.sorries[0]!;
    expect(s.goals?.[0]?.target).toBe('n + 1 = 4');
    expect(s.goals?.[0]?.hyps.map((h) => h.name)).toEqual(['n', 'h']);
    const step = await worker.applyTactic(s.proofState!, 'subst h; rfl');
    expect(step.status).toBe('solved');
  });

  test('amc12b_2002_p2: substitute the hypothesis, then compute; verify and re-check the text', async () => {
    const it = item('amc12b_2002_p2');
    const start = await worker.startProof(env, { statement: it.body });
    expect(start.goals[0]?.hyps.map((h) => h.name)).toEqual(['x', 'h₀']);
    // Computing before the substitution fails and leaves the state as it was.
    const early = await worker.applyTactic(start.proofState, 'decide');
    expect(early.status).toBe('failed');
    const { state, last } = await prove(start.proofState, ['subst h₀', 'decide']);
    expect(last?.status).toBe('solved');
    const v = await worker.verifyProof(state);
    expect(v.judgement).toMatchObject({ proved: true });
    expect(v.tactics).toEqual(['subst h₀', 'decide']);
    expect(v.proofText).toContain('theorem amc12b_2002_p2');
    const recheck = await worker.runCommand(env, v.proofText!);
    expect(recheck.hasErrors, JSON.stringify(recheck.messages)).toBe(false);
    expect(recheck.messages.filter((m) => /sorry/.test(m.data))).toEqual([]);
  });

  test.each([
    ['mathd_numbertheory_765', ['omega']],
    ['mathd_numbertheory_254', ['show 496 % 10 = 6', 'decide']],
    ['mathd_algebra_304', ['decide']],
  ])('%s proves step by step and verifies', async (id, tactics) => {
    const start = await worker.startProof(env, { statement: item(id).body });
    const { state, last } = await prove(start.proofState, tactics);
    expect(last?.status).toBe('solved');
    const v = await worker.verifyProof(state);
    expect(v.judgement.proved, JSON.stringify(v)).toBe(true);
  });

  test('a failing tactic returns the error and the old state stays usable', async () => {
    const start = await worker.startProof(env, { statement: item('mathd_numbertheory_342').body });
    const bad = await worker.applyTactic(start.proofState, 'exact Nat.lt_irrefl');
    expect(bad.status).toBe('failed');
    if (bad.status === 'failed') expect(bad.error.length).toBeGreaterThan(0);
    const unparsable = await worker.applyTactic(start.proofState, 'this is not a tactic (');
    expect(unparsable.status).toBe('failed');
    const good = await worker.applyTactic(start.proofState, 'decide');
    expect(good.status).toBe('solved');
  });

  test('proof.tactics runs each tactic on the same state as proof.tactic does, results in order', async () => {
    const start = await worker.startProof(env, { statement: item('mathd_numbertheory_342').body });
    const tactics = ['exact Nat.lt_irrefl', 'this is not a tactic (', 'skip', 'decide'];
    const batch = await worker.applyTactics(start.proofState, tactics);
    const single = [];
    for (const t of tactics) single.push(await worker.applyTactic(start.proofState, t));
    expect(batch.map((r) => r.status)).toEqual(['failed', 'failed', 'open', 'solved']);
    const shape = (r: (typeof batch)[number]) => (r.status === 'failed' ? { status: r.status, error: r.error } : { status: r.status, goals: r.goals });
    expect(batch.map(shape)).toEqual(single.map(shape));
    // Each new state is its own and usable, and a path through one is known for verification.
    const solved = batch[3]!;
    if (solved.status === 'failed') throw new Error(solved.error);
    expect((await worker.verifyProof(solved.proofState)).judgement.proved).toBe(true);
    expect(worker.proofPath(solved.proofState).tactics).toEqual(['decide']);
    await expect(worker.request('proof.tactics', { proofState: start.proofState, tactics: [1] as unknown as string[] })).rejects.toMatchObject({ kind: 'repl_error', replCode: undefined });
  });

  test('verify rejects a proof that uses sorry', async () => {
    const start = await worker.startProof(env, { statement: 'theorem s1 : 1 + 1 = 3' });
    const r = await worker.applyTactic(start.proofState, 'sorry');
    expect(r.status).toBe('solved');
    const v = await worker.verifyProof((r as { proofState: number }).proofState);
    expect(v.judgement.proved).toBe(false);
    expect(v.result.ok).toBe(false);
    if (!v.result.ok) expect(v.result.error).toMatch(/sorry/);
  });

  test('verify refuses a proof that uses a custom axiom, naming it', async () => {
    const withAxiom = await worker.runCommand(env, 'axiom cheat : ∀ p : Prop, p');
    expect(withAxiom.hasErrors).toBe(false);
    const start = await worker.startProof(withAxiom.env, { statement: 'theorem a1 : 2 + 2 = 5' });
    const r = await worker.applyTactic(start.proofState, 'exact cheat _');
    expect(r.status).toBe('solved');
    const v = await worker.verifyProof((r as { proofState: number }).proofState);
    expect(v.result.ok).toBe(true);
    expect(v.judgement.proved).toBe(false);
    expect(v.judgement.axioms).toContain('cheat');
    expect(v.judgement.reason).toMatch(/cheat/);
  });

  test('verify refuses an unfinished proof', async () => {
    const start = await worker.startProof(env, { statement: item('amc12b_2002_p2').body });
    const v = await worker.verifyProof(start.proofState);
    expect(v.judgement.proved).toBe(false);
  });

  test('a heartbeat-limited runaway tactic errors and the worker answers the next request', async () => {
    const start = await worker.startProof(env, { statement: 'theorem loop1 : True' });
    const r = await worker.applyTactic(start.proofState, 'repeat (have : 1 = 1 := rfl)', 20);
    expect(r.status).toBe('failed');
    if (r.status === 'failed') expect(r.error).toMatch(/heartbeats/);
    const next = await worker.applyTactic(start.proofState, 'trivial');
    expect(next.status).toBe('solved');
  });

  test('malformed JSON-RPC gets an error and the worker stays alive', async () => {
    const body = '{"jsonrpc": "2.0", "id": 99, "method": ';
    worker.sendRaw(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const noMethod = JSON.stringify({ jsonrpc: '2.0', id: 98 });
    worker.sendRaw(`Content-Length: ${Buffer.byteLength(noMethod)}\r\n\r\n${noMethod}`);
    const stats = await worker.stats();
    expect(stats.proofStates).toBeGreaterThan(0);
  });

  test('bad params, unknown ids and unknown methods get the documented errors', async () => {
    const code = async (p: Promise<unknown>) => {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(LeanWorkerError);
      return (e as LeanWorkerError).rpcCode;
    };
    expect(await code(worker.applyTactic(987654, 'rfl'))).toBe(ReplErrorCodes.UnknownProofState);
    expect(await code(worker.runCommand(987654, '#check Nat'))).toBe(ReplErrorCodes.UnknownEnv);
    expect(await code(worker.request('proof.tactic', { proofState: 'x' as unknown as number, tactic: 'rfl' }))).toBe(
      ReplErrorCodes.InvalidParams,
    );
    expect(await code(worker.request('no.such.method' as 'state.stats', {}))).toBe(ReplErrorCodes.MethodNotFound);
    expect(await code(worker.startProof(env, { statement: 'theorem bad : (1 : ℕ) = true' }))).toBe(ReplErrorCodes.ElaborationError);
    expect((await worker.stats()).envs).toBeGreaterThan(0);
  });

  test('dropping states keeps the live count flat over many steps', async () => {
    const before = await worker.stats();
    const start = await worker.startProof(env, { statement: 'theorem d1 (a b : ℕ) : a + b = b + a' });
    let state = start.proofState;
    for (let i = 0; i < 30; i++) {
      const r = await worker.applyTactic(state, 'skip');
      expect(r.status).toBe('open');
      await worker.drop({ proofStates: [state] });
      state = (r as { proofState: number }).proofState;
    }
    await worker.drop({ proofStates: [state] });
    const after = await worker.stats();
    expect(after.proofStates).toBe(before.proofStates);
  });

  test('imported headers beyond maxHeaderEnvs are dropped least recently used first', async () => {
    const other = (n: number) => `${header}-- variant ${n}\n`;
    const { imports, evictions } = worker.headerCounts;
    await worker.importHeader(header); // most recently used
    const a = await worker.importHeader(other(1));
    await worker.importHeader(header);
    await worker.importHeader(other(2)); // a third header: the least recently used (variant 1) goes
    expect(worker.headerCounts).toEqual({ imports: imports + 2, evictions: evictions + 1 });
    expect([worker.hasHeader(header), worker.hasHeader(other(1)), worker.hasHeader(other(2))]).toEqual([true, false, true]);
    await expect.poll(async () => (await worker.runCommand(a.env, 'example : True := trivial').catch((e: LeanWorkerError) => e)) instanceof LeanWorkerError).toBe(true);
    expect((await worker.runCommand(env, 'example : True := trivial')).hasErrors).toBe(false);
  });

  test('a request over its wall-clock limit kills the worker and reports a timeout', async () => {
    // Last in the file: the worker does not survive it.
    const start = await worker.startProof(env, { statement: 'theorem slow : True' });
    const e = await worker
      .request('proof.tactic', { proofState: start.proofState, tactic: 'sleep 60000', maxHeartbeats: 0 }, { timeoutMs: 1500 })
      .then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(LeanWorkerError);
    expect((e as LeanWorkerError).kind).toBe('worker_timeout');
    await new Promise<void>((r) => worker.onExitOnce(() => r()));
    expect(worker.alive).toBe(false);
    const after = await worker.stats().then(() => undefined, (err: unknown) => err);
    expect((after as LeanWorkerError).kind).toBe('worker_exited');
  });
});
