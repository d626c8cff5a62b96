/**
 * Kernel resource limits in the verdict (issue 9 §2), on `env.check` reports shaped as the REPL
 * sends them (the real-Lean path is in `kernel-limits.test.ts`): a kernel stopped at the
 * heartbeat limit is a `timeout`, deep recursion and memory are `failed` naming the limit, a
 * rejected proof stays `failed` with the kernel's message.
 */
import { describe, expect, test } from 'vitest';
import { judgeSubmission } from '../../server/check/judge.js';
import type { ReplResult } from '../../server/repl-protocol/repl.js';

type Submission = ReplResult<'env.check'>;
type Kernel = NonNullable<Submission['constants'][number]['kernel']>;

/** A one-theorem submission whose kernel replay answered `kernel`, with `messages`. */
function submission(kernel: Kernel, messages: Submission['messages'] = []): Submission {
  return {
    env: 1,
    header: null,
    messages,
    hasErrors: messages.some((m) => m.severity === 'error'),
    commands: [{ pos: { line: 1, column: 0 }, endPos: { line: 1, column: 40 }, kind: 'Lean.Parser.Command.declaration', name: 't', example: false, limit: null, added: ['t'] }],
    constants: [{ name: 't', kind: 'theorem', isProp: true, unsafe: false, partial: false, sorry: false, internal: false, command: 0, axioms: [], importedAxioms: [], unsafeDependencies: [], kernel }],
    elapsedMs: 1,
  };
}

describe('kernel limits in the verdict', () => {
  test('the heartbeat limit in the replay is a timeout naming the kernel', () => {
    const j = judgeSubmission(submission({ ok: false, error: '(kernel) deterministic timeout', limit: 'heartbeats' }), []);
    expect(j.verdict).toBe('timeout');
    expect(j.reason).toMatch(/kernel re-check of t stopped: the kernel reached the heartbeat limit \(\(kernel\) deterministic timeout\)/);
  });

  test('deep recursion and memory are failures that name the limit', () => {
    const r = judgeSubmission(submission({ ok: false, error: '(kernel) deep recursion detected', limit: 'recursion' }), []);
    expect(r).toMatchObject({ verdict: 'failed' });
    expect(r.reason).toMatch(/recursion too deep.*\(kernel\) deep recursion detected/);
    const m = judgeSubmission(submission({ ok: false, error: '(kernel) excessive memory consumption detected', limit: 'memory' }), []);
    expect(m).toMatchObject({ verdict: 'failed' });
    expect(m.reason).toMatch(/memory limit/);
  });

  test('a proof the kernel rejects stays failed with its message', () => {
    const j = judgeSubmission(submission({ ok: false, error: '(kernel) declaration type mismatch' }), []);
    expect(j).toMatchObject({ verdict: 'failed', reason: 'kernel re-check of t failed: (kernel) declaration type mismatch' });
  });

  test("the kernel's heartbeat limit hit while the command adds its declaration (an untagged message) is a timeout", () => {
    const msg = { severity: 'error' as const, pos: { line: 1, column: 0 }, endPos: null, data: '(kernel) deterministic timeout' };
    const j = judgeSubmission(submission({ ok: true }, [msg]), []);
    expect(j.verdict).toBe('timeout');
    expect(j.reason).toMatch(/heartbeat limit in t \(line 1\)/);
  });
});
