/**
 * Every REPL request a worker answers, published on a Node diagnostics channel
 * (`node:diagnostics_channel`): the method, the time at the worker boundary (request written to
 * reply validated) and the time Lean itself reports (`elapsedMs`, where the method has one). Free
 * when nobody subscribes; the bench subscribes to split a method's time into Lean's own and the
 * rest, tests to see which requests an API call made.
 */
import diagnostics from 'node:diagnostics_channel';

/** One answered (or failed) REPL request. */
export interface ReplRequestEvent {
  method: string;
  /** Worker process id. */
  pid: number | undefined;
  /** Milliseconds from sending the request to the validated reply (or the failure). */
  boundaryMs: number;
  /** Milliseconds Lean reports for the work (`elapsedMs` of the result; for `proof.tactics`, the sum over its results). */
  leanMs?: number;
  ok: boolean;
}

/** The channel the workers publish on. */
export const replRequests = diagnostics.channel('leanenv:repl-request');

/** Lean's own time in a result: its `elapsedMs`, or the sum over `results[].elapsedMs`. */
export function leanElapsedMs(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const r = result as { elapsedMs?: unknown; results?: unknown };
  if (typeof r.elapsedMs === 'number') return r.elapsedMs;
  if (Array.isArray(r.results)) return r.results.reduce((s: number, x: { elapsedMs?: unknown }) => s + (typeof x?.elapsedMs === 'number' ? x.elapsedMs : 0), 0);
  return undefined;
}

/** Subscribe to every REPL request until the returned function is called. */
export function onReplRequest(listener: (e: ReplRequestEvent) => void): () => void {
  const f = (m: unknown) => listener(m as ReplRequestEvent);
  replRequests.subscribe(f);
  return () => void replRequests.unsubscribe(f);
}
