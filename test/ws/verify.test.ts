/**
 * `proof.verify` over the WebSocket on a real server and Lean worker, against tricks a
 * prover can play with tactics: sorry, admit, native_decide, a kernel check switched off
 * inside a tactic (which the REPL's own check accepts: the judge replays the auxiliary lemma
 * the tactic added and refuses it), an axiom from the session's header; honest proofs pass.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rpcError } from '../support/rpc.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { ApiErrors } from '../../protocol/api.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { HEADER, statementOf, WITH_NATIVE } from '../check/adversarial-corpus.js';

let server: TestServer;
let client: LeanEnvClient;
let sessionId: string;

beforeAll(async () => {
  server = await startTestServer();
  client = await LeanEnvClient.connect(server.url);
  sessionId = (await client.openSession(HEADER)).sessionId;
});
afterAll(async () => {
  await client?.close();
  await server?.app.close();
});

/** Start `statement` in session `sid`, apply `tactics` in turn (each must succeed); the last state's id. */
async function reach(statement: string, tactics: string[], sid = sessionId): Promise<string> {
  let stateId = (await client.start(sid, { statement })).stateId;
  for (const t of tactics) {
    const r = await client.apply(stateId, t);
    if (r.status === 'failed') throw new Error(`${t}: ${r.error}`);
    stateId = r.stateId;
  }
  return stateId;
}

describe('proof.verify refuses tricks, naming the cause', () => {
  test('sorry and admit close the goal but are not proofs', async () => {
    for (const t of ['sorry', 'admit']) {
      const v = await client.verify(await reach(statementOf('mathd_numbertheory_342'), [t]));
      expect(v, t).toMatchObject({ proved: false, reason: expect.stringMatching(/sorry/), tactics: [t] });
    }
  });

  test('native_decide is refused for Lean.ofReduceBool by default and proves when it is allowed', async () => {
    const stateId = await reach(statementOf('mathd_numbertheory_66'), ['native_decide']);
    const refused = await client.verify(stateId);
    expect(refused).toMatchObject({ proved: false, reason: expect.stringMatching(/not allowed: Lean\.ofReduceBool/) });
    const allowed = await client.verify(stateId, { allowedAxioms: WITH_NATIVE });
    expect(allowed).toMatchObject({ proved: true, axioms: ['Lean.ofReduceBool'] });
  });

  test('a false statement "proved" by decide +kernel with the kernel check switched off is refused by the judge\'s kernel', async () => {
    const falseStatement = statementOf('mathd_numbertheory_254').replace('= 6', '= 7');
    const stateId = await reach(falseStatement, ['set_option debug.skipKernelTC true in decide +kernel']);
    const v = await client.verify(stateId);
    expect(v.proved).toBe(false);
    // The auxiliary lemma the tactic added unchecked is handed over with the term and replayed by the judge.
    expect(v.reason).toMatch(/it uses \S*_proof_1, which the kernel did not accept: \(kernel\) application type mismatch/);
    expect(v.proofText).toContain('= 7 := by\n  set_option debug.skipKernelTC true in decide +kernel\n');
  });

  test('an axiom the session header declares is refused by name', async () => {
    const s = await client.openSession(`${HEADER}axiom cheat : ∀ p : Prop, p\n`);
    const v = await client.verify(await reach(statementOf('mathd_numbertheory_81'), ['exact cheat _'], s.sessionId));
    expect(v).toMatchObject({ proved: false, reason: expect.stringMatching(/not allowed: cheat/), axioms: ['cheat'] });
  });

  test('an open state is not proved', async () => {
    const v = await client.verify(await reach(statementOf('amc12b_2002_p2'), ['subst h₀']));
    expect(v).toMatchObject({ proved: false, reason: expect.stringMatching(/goals remain/) });
  });

  test('invalid allowedAxioms are refused with invalid_params', async () => {
    const stateId = await reach(statementOf('mathd_numbertheory_342'), ['decide']);
    expect((await rpcError(client.request('proof.verify', { stateId, allowedAxioms: [''] }))).tag).toBe(ApiErrors.InvalidParams.code);
  });
});

describe('proof.verify proves honest proofs through the judge', () => {
  test('a dataset statement, a contradiction from a hypothesis, and an example', async () => {
    const amc = await client.verify(await reach(statementOf('amc12b_2002_p2'), ['subst h₀', 'decide']));
    expect(amc).toMatchObject({ proved: true, axioms: [], tactics: ['subst h₀', 'decide'] });
    const absurd = await client.verify(await reach('theorem from_false (n : ℕ) (h : n + 1 = 0) : n = 7', ['exact absurd h (Nat.succ_ne_zero n)']));
    expect(absurd).toMatchObject({ proved: true });
    const ex = await client.verify(await reach('example : (2 : ℕ) ^ 10 = 1024', ['decide']));
    expect(ex).toMatchObject({ proved: true, proofText: 'example : (2 : ℕ) ^ 10 = 1024 := by\n  decide\n' });
  });
});
