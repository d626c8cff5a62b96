/** Client for `POST /v1/check`: results are streamed back (NDJSON) as the server finishes them. */
import type { CheckItem, CheckResult } from '../protocol/check.js';

/** Check items on a server; `onResult` sees each result as it arrives. Returns all results in order of arrival. */
export async function checkOnServer(
  baseUrl: string,
  items: CheckItem[],
  onResult: (r: CheckResult) => void = () => {},
  o: { allowedAxioms?: string[]; token?: string } = {},
): Promise<CheckResult[]> {
  const res = await fetch(new URL('/v1/check?stream=true', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
    body: JSON.stringify({ items, allowedAxioms: o.allowedAxioms }),
  });
  if (!res.ok || !res.body) throw new Error(`server answered ${res.status}: ${await res.text()}`);
  const results: CheckResult[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as CheckResult | { summary: unknown };
      if ('summary' in msg) continue;
      results.push(msg);
      onResult(msg);
    }
  }
  return results;
}
