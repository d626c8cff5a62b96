/**
 * The search's scheduling alone, on a STAND-IN proof environment (a scripted tree of states,
 * no Lean): best-first order by cumulative score, duplicates not queued twice, a solved state
 * that fails verification does not count, depth and expansion budgets. The real environment
 * is tested in best-first.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { searchSession, type Outcome, type Policy, type ProofSession, type StateInfo, type Verdict } from '../../client/search/index.js';
import { emptyStats } from '../../client/search/index.js';

/** Scripted edges: state -> tactic -> next state ('solved…' states are solved; 'bad…' ones fail verification). */
type Script = Record<string, Record<string, string>>;

function standInSession(script: Script, expanded: string[]): ProofSession {
  const info = (id: string): StateInfo => ({ stateId: id, status: id.startsWith('solved') || id.startsWith('bad') ? 'solved' : 'open', goals: [{ caseName: null, hyps: [], target: id, pretty: `⊢ ${id}` }] });
  const seen = new Set<string>(['root']);
  return {
    root: info('root'),
    async expand(stateId: string, tactics: string[]): Promise<Outcome[]> {
      expanded.push(stateId);
      return tactics.map((tactic) => {
        const to = script[stateId]?.[tactic];
        if (!to) return { tactic, status: 'failed', error: 'no', cached: false };
        const duplicate = seen.has(to);
        seen.add(to);
        return { ...info(to), tactic, duplicate, cached: false };
      });
    },
    async verify(stateId: string): Promise<Verdict> {
      return { proved: stateId.startsWith('solved'), tactics: [stateId], proofText: stateId, ...(stateId.startsWith('bad') ? { reason: 'stand-in refusal' } : {}) };
    },
    stats: emptyStats,
    close: async () => undefined,
  };
}

/** A policy scoring tactics by a fixed table. */
const table = (scores: Record<string, number>): Policy => ({ name: 'table', propose: async () => Object.entries(scores).map(([tactic, score]) => ({ tactic, score })) });
const OPTS = { maxExpansions: 10, maxDepth: 5, timeMs: 10_000, width: 8, lengthNormalization: 0 };

describe('best-first scheduling (stand-in environment)', () => {
  test('the state with the best cumulative score is expanded first; a duplicate is not queued again', async () => {
    const expanded: string[] = [];
    const script: Script = { root: { a: 'A', b: 'B' }, A: { a: 'A2', b: 'B' }, B: { a: 'solved1' }, A2: {} };
    const r = await searchSession({ id: 't', statement: 's' }, standInSession(script, expanded), table({ a: -1, b: -1.5 }), OPTS);
    // root -> A (-1), B (-1.5); A -> A2 (-2), B again (duplicate); B (-1.5) before A2 (-2) -> solved.
    expect(expanded).toEqual(['root', 'A', 'B']);
    expect(r).toMatchObject({ proved: true, status: 'proved', expansions: 3, duplicates: 1, tactics: ['solved1'] });
  });

  test('a solved state refused by verification does not count; the search goes on', async () => {
    const expanded: string[] = [];
    const script: Script = { root: { a: 'bad1', b: 'B' }, B: { a: 'solved2' } };
    const r = await searchSession({ id: 't', statement: 's' }, standInSession(script, expanded), table({ a: -1, b: -2 }), OPTS);
    expect(r).toMatchObject({ proved: true, rejected: 1, expansions: 2 });
  });

  test('budgets: depth limits what is expanded, expansions end the search with status budget', async () => {
    const chain: Script = { root: { a: 's1' }, s1: { a: 's2' }, s2: { a: 's3' }, s3: { a: 'solved' } };
    const deep: string[] = [];
    expect(await searchSession({ id: 't', statement: 's' }, standInSession(chain, deep), table({ a: -1 }), { ...OPTS, maxDepth: 2 })).toMatchObject({ status: 'exhausted', proved: false });
    expect(deep).toEqual(['root', 's1']);
    expect(await searchSession({ id: 't', statement: 's' }, standInSession(chain, []), table({ a: -1 }), { ...OPTS, maxExpansions: 2 })).toMatchObject({ status: 'budget', expansions: 2 });
    expect(await searchSession({ id: 't', statement: 's' }, standInSession(chain, []), table({ a: -1 }), OPTS)).toMatchObject({ status: 'proved', expansions: 4, depth: 1 });
  });
});
