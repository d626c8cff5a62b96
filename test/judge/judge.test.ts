/**
 * The judge decides `proved` on its own, against a worker that lies. A worker that ran hostile
 * code may say anything; here a stand-in for such a worker (a real Lean worker whose replies the
 * test rewrites before the checker sees them: errors dropped, terms swapped, dependencies left
 * out, the data malformed) meets the real judge, which must refuse every forgery. Also: the
 * judge process serves no method that elaborates a submission, and an honest check passes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckItem } from '../../protocol/check.js';
import { checkItem } from '../../server/check/checker.js';
import { LeanWorkerError } from '../../server/lean/errors.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import type { ExportData, ReplResult } from '../../server/repl-protocol/repl.js';
import { verifySolvedState } from '../../server/check/verify-state.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { idleJudge } from '../support/judge.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.app.close();
});

type Rewrite = (method: string, result: unknown) => unknown;

/** Run `f` on the pool's worker with its replies rewritten by `rewrite` (the stand-in for a compromised worker). */
function onLyingWorker<T>(rewrite: Rewrite, f: (w: LeanWorker) => Promise<T>): Promise<T> {
  return server.pool.run({ tenant: 'judge-test' }, async ({ worker }) => {
    const original = worker.request.bind(worker);
    worker.request = (async (method: string, params: unknown, o?: { timeoutMs?: number }) =>
      rewrite(method, await (original as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(method, params, o))) as LeanWorker['request'];
    try {
      return await f(worker);
    } finally {
      worker.request = original;
    }
  });
}

/** An `env.check` report made clean: no error, no sorry, every constant kernel-checked (what a lying worker would send). */
function cleanReport(r: ReplResult<'env.check'>): ReplResult<'env.check'> {
  return {
    ...r,
    messages: [],
    hasErrors: false,
    commands: r.commands.map((c) => ({ ...c, limit: null })),
    constants: r.constants.map((c) => ({ ...c, sorry: false, axioms: [], importedAxioms: [], kernel: { ok: true } })),
  };
}

type Rec = { k: string; n: number; t: number; v?: number };
/** The record of the constant whose name's last component is `last`. */
function recordOf(ex: ExportData, last: string): Rec {
  const names = ex.names as unknown[];
  const rec = (ex.constants as Rec[]).find((c) => {
    const entry = names[c.n] as [number, string | number];
    return entry[1] === last;
  });
  if (!rec) throw new Error(`no record ${last}`);
  return rec;
}

const HEADER = 'set_option autoImplicit false\n';
const item = (id: string, body: string, reference?: string): CheckItem => ({ id, header: HEADER, body, ...(reference ? { reference } : {}) });

describe('the judge refuses what a lying worker reports', () => {
  test('an honest proof is proved, through the judge', async () => {
    const r = await onLyingWorker((_m, x) => x, (w) => checkItem(w, item('honest', 'theorem good : (2 : Nat) + 2 = 4 := by decide'), { judge: server.judge }));
    expect(r).toMatchObject({ verdict: 'proved' });
    expect(server.judge.stats().checks).toBeGreaterThan(0);
  });

  test('local inductive types, structures and their recursors are rebuilt by the judge', async () => {
    const code =
      'inductive Color | red | green\n' +
      'structure Pt where\n  x : Nat\n  y : Nat\n' +
      'theorem colors (c : Color) : c = .red ∨ c = .green :=\n  Color.rec (motive := fun c => c = .red ∨ c = .green) (Or.inl rfl) (Or.inr rfl) c\n' +
      'theorem pt (p : Pt) : p = ⟨p.x, p.y⟩ := by cases p; rfl\n';
    const r = await onLyingWorker((_m, x) => x, (w) => checkItem(w, { id: 'inductive', code }, { judge: server.judge }));
    expect(r, JSON.stringify(r)).toMatchObject({ verdict: 'proved' });
  });

  test("a false theorem given another theorem's proof term: the kernel refuses it", async () => {
    const body = 'theorem good : (1 : Nat) = 1 := rfl\ntheorem bad : (1 : Nat) = 2 := by decide';
    const rewrite: Rewrite = (m, x) => {
      if (m !== 'env.check') return x;
      const r = cleanReport(x as ReplResult<'env.check'>);
      recordOf(r.export!, 'bad').v = recordOf(r.export!, 'good').v;
      return r;
    };
    const r = await onLyingWorker(rewrite, (w) => checkItem(w, item('swap', body), { judge: server.judge }));
    expect(r.verdict).toBe('failed');
    expect(r.reason).toMatch(/kernel re-check of bad failed/);
  });

  test('a sorry the worker hides is found by the judge', async () => {
    const rewrite: Rewrite = (m, x) => (m === 'env.check' ? cleanReport(x as ReplResult<'env.check'>) : x);
    const r = await onLyingWorker(rewrite, (w) => checkItem(w, item('hidden-sorry', 'theorem bad : (1 : Nat) = 2 := sorry'), { judge: server.judge }));
    expect(r.verdict).toBe('incomplete');
    expect(r.reason).toMatch(/sorry/);
  });

  test('a dependency left out of the data: unknown to the judge, not proved', async () => {
    const body = 'theorem helper : (3 : Nat) = 3 := rfl\ntheorem uses : (3 : Nat) = 3 := helper';
    const rewrite: Rewrite = (m, x) => {
      if (m !== 'env.check') return x;
      const r = cleanReport(x as ReplResult<'env.check'>);
      const helper = recordOf(r.export!, 'helper');
      r.export!.constants = (r.export!.constants as Rec[]).filter((c) => c !== helper);
      return r;
    };
    const r = await onLyingWorker(rewrite, (w) => checkItem(w, item('missing-dep', body), { judge: server.judge }));
    expect(r.verdict).toBe('failed');
    expect(r.reason).toMatch(/helper/);
  });

  test('a statement changed against the reference: the judge elaborates the reference itself', async () => {
    // The worker proves `2 + 2 = 4` and claims it is the reference's `2 + 2 = 5`.
    const rewrite: Rewrite = (m, x) => (m === 'env.check' ? cleanReport(x as ReplResult<'env.check'>) : x);
    const r = await onLyingWorker(rewrite, (w) =>
      checkItem(w, item('mismatch', 'theorem t : (2 : Nat) + 2 = 4 := by decide', 'theorem t : (2 : Nat) + 2 = 5 := by sorry'), { judge: server.judge }),
    );
    expect(r.verdict).toBe('failed');
    expect(r.reason).toMatch(/statement mismatch/);
  });

  test('malformed data (an index out of range, a free variable) is an error, never a verdict; the judge stays up', async () => {
    const restarts = server.judge.stats().restarts;
    for (const spoil of [(ex: ExportData) => ((ex.exprs as unknown[]).push(['a', 10_000_000, 0]), (recordOf(ex, 't').v = ex.exprs.length - 1)), (ex: ExportData) => ((ex.exprs as unknown[]).push(['F']), (recordOf(ex, 't').v = ex.exprs.length - 1))]) {
      const rewrite: Rewrite = (m, x) => {
        if (m !== 'env.check') return x;
        const r = cleanReport(x as ReplResult<'env.check'>);
        spoil(r.export!);
        return r;
      };
      const r = await onLyingWorker(rewrite, (w) => checkItem(w, item('malformed', 'theorem t : (1 : Nat) = 1 := rfl'), { judge: server.judge }));
      expect(r.verdict).toBe('error');
      expect(r.reason).toMatch(/bad export data/);
    }
    expect(server.judge.stats().restarts).toBe(restarts);
  });

  test("proof.verify: a solved state's term swapped for another's is refused by the judge", async () => {
    const statement = 'theorem v : (5 : Nat) = 6';
    const v = await onLyingWorker(
      (m, x) => x,
      async (w) => {
        const env = await w.importHeader(HEADER);
        // A real solved state of `5 = 5`, whose term the lying worker hands over as the proof of `5 = 6`.
        const start = await w.startProof(env.env, { statement: 'theorem v : (5 : Nat) = 5' });
        const solved = await w.applyTactic(start.proofState, 'rfl');
        if (solved.status !== 'solved') throw new Error('rfl did not solve 5 = 5');
        return verifySolvedState(w, server.judge, solved.proofState, { id: 'swap', header: HEADER, statement, tactics: ['rfl'] });
      },
    );
    expect(v.proved).toBe(false);
    expect(v.reason).toMatch(/type mismatch|declaration type mismatch|kernel/i);
  });

  test('a statement the judge elaborated ahead (at proof start) is only used for that statement', async () => {
    const judged = (statement: string, proved: string) =>
      server.pool.run({ tenant: 'judge-test' }, async ({ worker: w }) => {
        const env = await w.importHeader(HEADER);
        const start = await w.startProof(env.env, { statement: proved });
        const solved = await w.applyTactic(start.proofState, 'decide');
        if (solved.status !== 'solved') throw new Error(`decide did not solve ${proved}`);
        return verifySolvedState(w, server.judge, solved.proofState, { id: 'kept', header: HEADER, statement, tactics: ['decide'] });
      });
    server.judge.prepareStatement(HEADER, 'theorem kept : (7 : Nat) = 7');
    server.judge.prepareStatement(HEADER, 'theorem kept : (7 : Nat) = 8');
    // The same name, another statement: each proof is checked against its own statement's type.
    expect((await judged('theorem kept : (7 : Nat) = 7', 'theorem kept : (7 : Nat) = 7')).proved).toBe(true);
    const wrong = await judged('theorem kept : (7 : Nat) = 8', 'theorem kept : (7 : Nat) = 7');
    expect(wrong.proved).toBe(false);
    expect(wrong.reason).toMatch(/type mismatch|kernel/i);
    // Not prepared: elaborated on first use, same verdict.
    expect((await judged('theorem fresh : (3 : Nat) + 4 = 7', 'theorem fresh : (3 : Nat) + 4 = 7')).proved).toBe(true);
  });
});

describe('the judge process', () => {
  test('no judge, no proved: a judge that cannot start gives error', async () => {
    const r = await server.pool.run({ tenant: 'judge-test' }, ({ worker }) => checkItem(worker, item('no-judge', 'theorem good : (2 : Nat) + 2 = 4 := by decide'), { judge: idleJudge() }));
    expect(r.verdict).toBe('error');
    expect(r.reason).toMatch(/the judge could not start/);
  });

  test('a judge that was killed is replaced on the next request, which it decides', async () => {
    const before = server.judge.stats();
    if (before.pid) process.kill(before.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const r = await server.pool.run({ tenant: 'judge-test' }, ({ worker }) => checkItem(worker, item('after-kill', 'theorem good : (2 : Nat) + 2 = 4 := by decide'), { judge: server.judge }));
    expect(r.verdict).toBe('proved');
    expect(server.judge.stats().restarts).toBeGreaterThan(before.restarts);
    expect(server.judge.stats().pid).not.toBe(before.pid);
  });

  test('serves no method that elaborates a submission (started with --judge)', async () => {
    const refused = await server.judge.use(async (w) => {
      const out: string[] = [];
      for (const [method, params] of [
        ['env.command', { env: 0, code: '#eval 1' }],
        ['proof.start', { env: 0, statement: 'theorem t : True' }],
        ['proof.tactic', { proofState: 0, tactic: 'trivial' }],
        ['proof.export', { proofState: 0 }],
      ] as const) {
        const e = await (w.request as (m: string, p: unknown) => Promise<unknown>)(method, params).catch((x: unknown) => x);
        if (e instanceof LeanWorkerError && /not served by a judge/.test(e.message)) out.push(method);
      }
      return out;
    }).catch((e: unknown) => [String(e)]);
    expect(refused).toEqual(['env.command', 'proof.start', 'proof.tactic', 'proof.export']);
  });
});
