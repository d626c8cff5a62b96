/**
 * Client for `POST /v1/check`: results are streamed back (NDJSON) as the server finishes them;
 * and, in cluster mode, `GET /v1/check/{batchId}`: a submitted batch's results from any node
 * (after the connection of the `POST`, or the node holding it, was lost); and a session's search traces.
 */
import type { CheckStreamLine, CheckItem, CheckResult, CheckSummary } from '../protocol/check.js';
import type { SearchTraceRecord } from '../protocol/traces.js';

/** Options of the calls. */
export interface CheckCallOptions {
  allowedAxioms?: string[];
  token?: string;
  /** Cluster mode: the batch's id (idempotency key); with it the results can be fetched again from any node. */
  batchId?: string;
  /** Return each tactic with its goals before and after (`CheckResult.trace`). */
  trace?: boolean;
}

/** The JSON values of an NDJSON answer, one per non-empty line, as they stream in; throws for a non-2xx answer. */
async function* ndjson(res: Response): AsyncGenerator<unknown> {
  if (!res.ok || !res.body) throw new Error(`server answered ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line);
    }
  }
}

/** Read a check answer: each result to `onResult`; the results (order of arrival) and the closing summary. */
async function readLines(res: Response, onResult: (r: CheckResult) => void): Promise<{ results: CheckResult[]; summary?: CheckSummary }> {
  const results: CheckResult[] = [];
  let summary: CheckSummary | undefined;
  for await (const line of ndjson(res)) {
    const msg = line as CheckStreamLine; // a streamed item line may also be `{id, error}` (a bad reference)
    if ('summary' in msg) {
      summary = msg.summary;
      continue;
    }
    results.push(msg);
    onResult(msg);
  }
  return { results, summary };
}

const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** Check items on a server; `onResult` sees each result as it arrives. Returns all results in order of arrival. */
export async function checkOnServer(baseUrl: string, items: CheckItem[], onResult: (r: CheckResult) => void = () => {}, o: CheckCallOptions = {}): Promise<CheckResult[]> {
  const res = await fetch(new URL('/v1/check?stream=true', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(o.token) },
    body: JSON.stringify({ items, allowedAxioms: o.allowedAxioms, ...(o.batchId ? { batchId: o.batchId } : {}), ...(o.trace ? { trace: true } : {}) }),
  });
  return (await readLines(res, onResult)).results;
}

/**
 * Cluster mode: the results of a batch submitted earlier (to any node) with `batchId`, from the
 * node at `baseUrl`: every item once — those recorded already, then the rest as they finish —
 * and the summary. Throws when the batch is unknown (never submitted, or expired after an hour).
 */
export async function batchResults(baseUrl: string, batchId: string, onResult: (r: CheckResult) => void = () => {}, o: { token?: string } = {}): Promise<{ results: CheckResult[]; summary?: CheckSummary }> {
  const res = await fetch(new URL(`/v1/check/${encodeURIComponent(batchId)}`, baseUrl), { headers: auth(o.token) });
  return readLines(res, onResult);
}

/**
 * `GET /v1/sessions/{id}/traces`: a session's search-trace records (of one proof with `proofId`),
 * one at a time as they stream in (docs/traces.md).
 */
export async function* sessionTraces(baseUrl: string, sessionId: string, o: { proofId?: string; token?: string } = {}): AsyncGenerator<SearchTraceRecord> {
  const url = new URL(`/v1/sessions/${encodeURIComponent(sessionId)}/traces`, baseUrl);
  if (o.proofId) url.searchParams.set('proofId', o.proofId);
  const res = await fetch(url, { headers: auth(o.token) });
  for await (const line of ndjson(res)) yield line as SearchTraceRecord;
}
