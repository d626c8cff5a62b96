/**
 * The search's policies and ranking without Lean: the built-in policy's candidates from a
 * goal's hypotheses and variables, the external-process protocol (a real child process),
 * and the OpenAI-style policy's requests and parsing against the stand-in HTTP server
 * (no model runs here).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BuiltinPolicy, DEFAULT_BUILTIN, ExecPolicy, extractTactic, OpenAiPolicy, priorityOf, rankCandidates, type Goal, type PolicyState } from '../../client/search/index.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../support/openai-stand-in.js';

const goal = (hyps: Array<[string, string]>, target: string): Goal => ({
  caseName: null,
  hyps: hyps.map(([name, type]) => ({ name, type, value: null })),
  target,
  pretty: [...hyps.map(([n, t]) => `${n} : ${t}`), `⊢ ${target}`].join('\n'),
});
const state = (goals: Goal[], tactics: string[] = []): PolicyState => ({ id: 'demo', statement: 'theorem demo : True', goals, goalsText: goals.map((g) => g.pretty).join('\n\n'), tactics });
const tacticsOf = async (s: PolicyState, p = new BuiltinPolicy()) => (await p.propose(s)).map((c) => c.tactic);

describe('built-in policy', () => {
  test('tactics from the goal: closing ones, hypothesis templates filled in, none left with a placeholder', async () => {
    const ts = await tacticsOf(state([goal([['x', 'ℤ'], ['h₀', 'x = 4'], ['h₁', '0 < x ∧ x < 9']], '(3 * x - 2) * (4 * x) + 1 = 11')]));
    expect(ts).toEqual(expect.arrayContaining(['omega', 'decide', 'rfl', 'simp', 'simp_all', 'grind', 'subst h₀', 'rw [h₀]', 'simp [h₀]', 'cases h₁', 'cases x']));
    expect(ts.filter((t) => /\{[hx]\}/.test(t))).toEqual([]);
    expect(ts).not.toContain('intro h'); // the target is not an implication
    expect(ts).not.toContain('induction x'); // ℤ, not ℕ
  });

  test('several goals: closing tactics also under all_goals; residue splits for the target moduli', async () => {
    const ts = await tacticsOf(state([goal([['a', 'ℤ']], 'a ^ 2 % 3 = 0 ∨ a ^ 2 % 3 = 1'), goal([], 'True')]));
    expect(ts).toContain('all_goals omega');
    expect(ts).toContain('rcases (by omega : a % 3 = 0 ∨ a % 3 = 1 ∨ a % 3 = 2) with h | h | h');
    expect(ts).toContain('left');
  });

  test('configurable: own rules; a bad configuration says what is wrong', async () => {
    const p = new BuiltinPolicy({ ...DEFAULT_BUILTIN, rules: [{ tactic: 'exact {h}', score: -0.1, hyp: '^True$' }], residueSplitMaxModulus: 0 });
    expect(await p.propose(state([goal([['t', 'True']], 'True')]))).toEqual([{ tactic: 'exact t', score: -0.1 }]);
    expect(() => new BuiltinPolicy({ rules: [{ tactic: 'rfl', score: 1 }] })).toThrow(/rules\.0\.score.*residueSplitMaxModulus/s);
  });
});

describe('ranking', () => {
  test('candidates trimmed, deduplicated (best score kept), best first, at most width', () => {
    expect(rankCandidates([{ tactic: ' simp ', score: -2 }, { tactic: 'simp', score: -1 }, { tactic: '', score: 0 }, { tactic: 'omega', score: -0.5 }, { tactic: 'rfl', score: -3 }], 2)).toEqual([
      { tactic: 'omega', score: -0.5 },
      { tactic: 'simp', score: -1 },
    ]);
  });
  test('length normalisation divides the cumulative log-probability by depth^alpha', () => {
    expect(priorityOf(-4, 4, 0)).toBe(-4);
    expect(priorityOf(-4, 4, 1)).toBe(-1);
    expect(priorityOf(-4, 4, 0.5)).toBe(-2);
  });
});

describe('external-process policy (JSON lines)', () => {
  const script = (body: string) => `${JSON.stringify(process.execPath)} -e ${JSON.stringify(`require('readline').createInterface({input: process.stdin}).on('line', (l) => { const r = JSON.parse(l); ${body} })`)}`;

  test('one request per state with goals and tactics; replies matched by id', async () => {
    const p = new ExecPolicy(script(`console.log(JSON.stringify({ id: r.id, candidates: [{ tactic: 'echo ' + r.goals[0].target + ' after ' + r.tactics.length, score: -1 }] }))`));
    try {
      const [a, b] = await Promise.all([p.propose(state([goal([], 'A')])), p.propose(state([goal([], 'B')], ['intro h']))]);
      expect(a).toEqual([{ tactic: 'echo A after 0', score: -1 }]);
      expect(b).toEqual([{ tactic: 'echo B after 1', score: -1 }]);
    } finally {
      await p.close();
    }
  });

  test('a malformed reply, an error reply and a dead process are errors that say so', async () => {
    const bad = new ExecPolicy(script(`console.log(JSON.stringify(r.tactics.length ? { id: r.id, error: 'no idea' } : { id: r.id, candidates: [{ tactic: 'x' }] }))`));
    try {
      await expect(bad.propose(state([goal([], 'A')]))).rejects.toThrow(/bad reply .*score/);
      await expect(bad.propose(state([goal([], 'A')], ['t']))).rejects.toThrow(/no idea/);
    } finally {
      await bad.close();
    }
    const dead = new ExecPolicy(script(`process.exit(3)`));
    await expect(dead.propose(state([goal([], 'A')]))).rejects.toThrow(/exited \(code 3\)/);
  });
});

describe('OpenAI-style policy against the stand-in endpoint', () => {
  let standIn: OpenAiStandIn;
  beforeAll(async () => {
    standIn = await startOpenAiStandIn((prompt, n) =>
      Array.from({ length: n }, (_, i) => ({ text: i % 2 === 0 ? '```lean\nomega\n```' : ` simp [${prompt.length}]\n`, tokenLogprobs: [-0.25 * (i + 1), -0.25] })),
    );
  });
  afterAll(async () => standIn?.close());

  test('chat: system and rendered user prompt sent with the sampling settings; scores from token log-probabilities', async () => {
    const p = new OpenAiPolicy({ url: standIn.url, api: 'chat', model: 'm', system: 'You are a prover.', prompt: '[{id}] {goals} | {tactics}', n: 4, temperature: 0.2, maxTokens: 32 });
    const cands = await p.propose(state([goal([['n', 'ℕ']], 'n = n')], ['intro', 'skip']));
    const req = standIn.requests.at(-1)!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.body).toMatchObject({ model: 'm', n: 4, temperature: 0.2, max_tokens: 32, logprobs: true, messages: [{ role: 'system', content: 'You are a prover.' }, { role: 'user', content: '[demo] n : ℕ\n⊢ n = n | intro\nskip' }] });
    const prompt = '[demo] n : ℕ\n⊢ n = n | intro\nskip';
    expect(cands).toEqual([
      { tactic: 'omega', score: -0.5 },
      { tactic: `simp [${prompt.length}]`, score: -0.75 },
    ]);
  });

  test('completions without log-probabilities: scores are the log of each tactic share of the samples', async () => {
    const p = new OpenAiPolicy({ url: `${standIn.url}/completions`, logprobs: false, n: 4 });
    const cands = await p.propose(state([goal([], 'True')]));
    expect(standIn.requests.at(-1)!.body).not.toHaveProperty('logprobs');
    expect(cands.map((c) => [c.tactic.split(' ')[0], c.score])).toEqual([
      ['omega', Math.log(0.5)],
      ['simp', Math.log(0.5)],
    ]);
  });

  test('an HTTP error or a malformed reply is an error naming the endpoint; a bad configuration is refused', async () => {
    await expect(new OpenAiPolicy({ url: `${standIn.url.replace('/v1', '/nope')}` }).propose(state([goal([], 'True')]))).rejects.toThrow(/HTTP 404/);
    expect(() => new OpenAiPolicy({ url: 'not a url', n: 0 })).toThrow(/url.*n/s);
    expect(extractTactic('  ```lean4\n  norm_num [h]\n```  trailing')).toBe('norm_num [h]');
  });
});
