/**
 * `POST /v1/check` against a real server and Lean worker, on core-subset statements with
 * known outcomes: honest proofs, failing proofs, sorry, a changed statement, a custom axiom,
 * a heartbeat timeout.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { coreSubset } from '../support/lean.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectHttpError } from '../support/http.js';

let server: TestServer;
const items = coreSubset();

/** A check item for dataset entry `id` with its `by sorry` replaced by `proof`, the dataset statement as reference. */
function item(id: string, proof: string, edit: (body: string) => string = (b) => b) {
  const it = items.get(id)!;
  return { id, header: it.header, body: edit(it.body).replace(/:=\s*by\s+sorry\s*$/, `:= ${proof}\n`), reference: it.body };
}

const cases = [
  [item('amc12b_2002_p2', 'by\n  subst h₀\n  decide'), 'proved'],
  [item('mathd_numbertheory_254', 'by decide'), 'proved'],
  [item('mathd_algebra_304', 'by decide'), 'proved'],
  [item('mathd_numbertheory_765', 'by omega'), 'proved'],
  [item('mathd_numbertheory_342', 'by decide'), 'proved'],
  [item('mathd_numbertheory_551', 'by decide'), 'proved'],
  [item('aime_1987_p5', 'by omega'), 'failed'],
  [item('mathd_numbertheory_66', 'by rfl_nonexistent'), 'failed'],
  [item('aime_1984_p7', 'by sorry'), 'incomplete'],
  [item('mathd_numbertheory_961', 'by decide', (b) => b.replace('2003 % 11 = 1', '2003 % 11 = 1 ∨ False')), 'failed'],
  [item('mathd_numbertheory_81', 'by exact cheat _', (b) => `axiom cheat : ∀ p : Prop, p\n${b}`), 'failed'],
  [item('mathd_numbertheory_200', 'by omega', (b) => `set_option maxHeartbeats 1 in\n${b}`), 'timeout'],
  // Soundness: a theorem whose kernel check was switched off is re-checked with it on.
  [item('mathd_numbertheory_299', 'unsafeCast ()', (b) => `set_option debug.skipKernelTC true in\n${b}`), 'failed'],
  // A helper lemma is replayed with the theorem; one with sorry taints it.
  [{ ...item('mathd_numbertheory_132', 'helper'), body: `theorem helper : 2004 % 12 = 0 := by decide\n${item('mathd_numbertheory_132', 'helper').body}` }, 'proved'],
  [{ ...item('mathd_numbertheory_45', 'helper2'), body: `theorem helper2 : Nat.gcd 6432 132 + 11 = 23 := sorry\n${item('mathd_numbertheory_45', 'helper2').body}` }, 'incomplete'],
] as const;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.app.close();
});

describe('POST /v1/check', () => {
  test('gives the right verdict for each of fifteen core-subset items', async () => {
    const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: cases.map(([it]) => it) } });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { results: { id: string; verdict: string; reason?: string; axioms: string[]; elapsedMs: number }[]; summary: Record<string, number> };
    expect(body.results.map((x) => [x.id, x.verdict])).toEqual(cases.map(([it, v]) => [it.id, v]));
    const byId = new Map(body.results.map((x) => [x.id, x]));
    expect(byId.get('mathd_numbertheory_961')?.reason).toMatch(/reference statement/);
    expect(byId.get('mathd_numbertheory_81')?.reason).toMatch(/cheat/);
    expect(byId.get('aime_1984_p7')?.reason).toMatch(/sorry/);
    expect(byId.get('mathd_numbertheory_299')?.reason).toMatch(/kernel re-check/);
    expect(body.summary).toMatchObject({ total: 15, proved: 7, failed: 5, incomplete: 2, timeout: 1 });
    for (const x of body.results) expect(x.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  test('a whole file as `code` (imports split off) is checked too', async () => {
    const code = 'import Init\n\ntheorem small : (2 : Nat) + 2 = 4 := by decide\n';
    const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'f1', code }] } });
    expect(r.json().results[0]).toMatchObject({ id: 'f1', verdict: 'proved' });
  });

  test('streams NDJSON results on request, then a summary line', async () => {
    const payload = { items: cases.slice(0, 3).map(([it]) => it) };
    const r = await server.app.inject({ method: 'POST', url: '/v1/check?stream=true', payload });
    expect(r.headers['content-type']).toContain('application/x-ndjson');
    const lines = r.body.trim().split('\n').map((l) => JSON.parse(l) as { id?: string; verdict?: string; summary?: { total: number } });
    expect(lines.slice(0, 3).map((l) => l.verdict)).toEqual(['proved', 'proved', 'proved']);
    expect(lines[3]?.summary?.total).toBe(3);
  });

  test('/metrics counts the verdicts and request latencies in Prometheus format', async () => {
    const r = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    // 7 from the fifteen-item batch, 1 from the file, 3 from the stream.
    expect(r.body).toMatch(/^leanenv_check_verdicts_total\{verdict="proved"\} 11$/m);
    expect(r.body).toMatch(/^leanenv_check_verdicts_total\{verdict="timeout"\} 1$/m);
    expect(r.body).toMatch(/^leanenv_request_duration_seconds_count\{method="check.item"\} 19$/m);
    expect(r.body).toMatch(/^leanenv_state\{what="workers_ready"\} 1$/m);
  });

  test('an invalid request is refused with what was wrong', async () => {
    const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'x' }] } });
    expect(expectHttpError(r.statusCode, r.json(), 'invalid_params').message).toMatch(/items/);
    const dup = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'a', code: '' }, { id: 'a', code: '' }] } });
    expect(expectHttpError(dup.statusCode, dup.json(), 'invalid_params').message).toMatch(/duplicate item id a/);
  });
});
