/** `lean.tactics`: the tactic names come from the server's Lean (its parser tables), once per server. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import { printedLines, tacticHeader } from '../../server/sessions/tactic-names.js';
import { guessesFromKind, tacticCandidates } from '../../server/sessions/tactic-candidates.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('tactic names (pure)', () => {
  test('the lines between the markers', () => {
    expect(printedLines('x\nleanenv-begin\nsimp\nomega\nleanenv-end\n')).toEqual(['simp', 'omega']);
    expect(() => printedLines('nothing')).toThrow(/not in Lean's reply/);
  });

  test('keyword guesses from kind names: explicit names, auto-named syntax, prefixes; never antiquotations', () => {
    expect(guessesFromKind('Lean.Parser.Tactic.simpAll')).toEqual(['simp_all', 'simp']);
    expect(guessesFromKind('Lean.Parser.Tactic.tacticRfl')).toEqual(['rfl']);
    expect(guessesFromKind('Lean.Parser.Tactic.tacticNorm_cast__')).toEqual(['norm_cast', 'norm']);
    expect(guessesFromKind('Lean.Parser.Tactic.tacticSimp_all?!_')).toEqual(['simp_all?!', 'simp_all', 'simp_all?', 'simp_all!', 'simp']);
    expect(guessesFromKind('Lean.Parser.Tactic.rwSeq')).toContain('rw');
    expect(guessesFromKind('Lean.Parser.Tactic.exact.antiquot')).toEqual([]);
    expect(tacticCandidates(['a.tacticRfl', 'b.tacticRfl'])).toEqual(['rfl']);
  });

  test("read under Lean.Elab.Command and the default header's imports only", () => {
    expect(tacticHeader('import Mathlib\nopen Nat\nset_option x 1')).toBe('import Lean.Elab.Command\nimport Mathlib\n');
  });
});

describe('lean.tactics on a real Lean', () => {
  let server: TestServer;
  let client: LeanEnvClient;
  beforeAll(async () => {
    server = await startTestServer();
    client = await LeanEnvClient.connect(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.app.close();
  });

  test("core Lean's tactics are there, and nothing hand-made: names a fixed list never had too", async () => {
    const r = await client.tactics();
    for (const t of ['simp', 'omega', 'exact', 'decide', 'intro', 'rfl', 'rw', 'induction', 'grind', 'simp_all', 'exact?', 'native_decide', 'rename_i']) expect(r.names).toContain(t);
    expect(r.names.length).toBeGreaterThan(150);
    expect(r.names).not.toContain('linarith'); // Mathlib's, not in core Lean
    expect(r.names).not.toContain('simp_args'); // a kind's name that is not a tactic: the parser refused it
    expect(r.header).toBe('import Lean.Elab.Command\n');
  });

  test('a second call is served from the cache', async () => {
    const t0 = performance.now();
    const again = await client.tactics();
    expect(performance.now() - t0).toBeLessThan(200);
    expect(again.names).toContain('simp');
  });
});
