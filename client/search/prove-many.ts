/**
 * Many statements at once: up to `concurrency` searches in flight, each on its own
 * connection and session (the server spreads them over its worker pool). A statement whose
 * search fails (its worker kept dying, the connection dropped) is searched again from the
 * start, up to `statementAttempts` times; every statement gets a result, none is lost.
 */
import { performance } from 'node:perf_hooks';
import { emptyStats, type ProofBackend, type SearchTarget } from './backend.js';
import { DEFAULT_SEARCH, searchOne, type SearchOptions, type SearchResult, type TraceSink } from './best-first.js';
import type { Policy } from './policy.js';

/** Options of a run over many statements. */
export interface ProveManyOptions {
  /** Searches in flight at once. */
  concurrency: number;
  /** Whole-statement attempts (a new session each) before its result is an error. */
  statementAttempts: number;
  search: SearchOptions;
  /** Receives each searched statement's trace records (the search sends its scores as `meta`). */
  onTraces?: TraceSink;
  /** Called with each result as it is known (in completion order). */
  onResult?: (r: SearchResult) => void;
}

/** Run `targets` through best-first search; results in input order. */
export async function proveMany(targets: readonly SearchTarget[], connect: () => Promise<ProofBackend>, policy: Policy, o: Partial<ProveManyOptions> = {}): Promise<SearchResult[]> {
  const opts: ProveManyOptions = { concurrency: 1, statementAttempts: 3, search: DEFAULT_SEARCH, ...o };
  const results: SearchResult[] = new Array(targets.length);
  let next = 0;
  const lane = async () => {
    let backend: ProofBackend | undefined;
    try {
      while (next < targets.length) {
        const i = next++;
        const target = targets[i]!;
        const t0 = performance.now();
        let failure: unknown;
        let result: SearchResult | undefined;
        for (let attempt = 1; attempt <= opts.statementAttempts && !result; attempt++) {
          try {
            backend ??= await connect();
            result = await searchOne(target, backend, policy, opts.onTraces ? { ...opts.search, annotate: true } : opts.search, opts.onTraces);
            result.attempts = attempt;
          } catch (e) {
            failure = e;
            // A dropped connection cannot be reused: the next attempt connects again.
            await backend?.close?.().catch(() => undefined);
            backend = undefined;
          }
        }
        results[i] = result ?? failedResult(target, failure, performance.now() - t0, opts.statementAttempts);
        opts.onResult?.(results[i]!);
      }
    } finally {
      await backend?.close?.().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, targets.length)) }, lane));
  return results;
}

/** The result of a statement whose search could not run. */
function failedResult(target: SearchTarget, e: unknown, timeMs: number, attempts: number): SearchResult {
  return {
    id: target.id,
    status: 'error',
    proved: false,
    statement: 'statement' in target ? target.statement : undefined,
    header: 'header' in target ? target.header : undefined,
    expansions: 0,
    tacticApplications: 0,
    depth: 0,
    states: 0,
    duplicates: 0,
    rejected: 0,
    timeMs,
    envMs: 0,
    policyMs: 0,
    backend: emptyStats(),
    attempts,
    error: e instanceof Error ? e.message : String(e),
  };
}
