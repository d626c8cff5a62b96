/**
 * The verdict on what Lean reports a submission declared (`env.check`): the commands it
 * elaborated, the constants they added, and for every proof its axioms and kernel replay.
 * Nothing here reads the submission's text: names, positions, limits and sorry come from Lean.
 */
import type { ReplResult } from '../repl-protocol/repl.js';
import type { AddedConstant, CheckedCommand } from '../repl-protocol/repl.js';
import type { LeanMessage } from '../../protocol/lean.js';
import type { Verdict } from '../../protocol/check.js';
import { describeKernelLimit, judgeAxioms, userName } from '../lean/verdict.js';

/** Lean's rendering of `Kernel.Exception.deterministicTimeout`, the only trace of it left in an elaboration message. */
const KERNEL_TIMEOUT = '(kernel) deterministic timeout';

/** A verdict with its reason and the axioms the checked proofs use. */
export interface Judged {
  verdict: Verdict;
  reason?: string;
  axioms: string[];
}

type Submission = ReplResult<'env.check'>;

/** Replace Lean's private names (`_private.0.foo`, as the module-system build makes them) by the user's names (text formatting only). */
export function plainNames(text: string): string {
  return text.replace(/_private\.(?:[^.\s]+\.)*?\d+\./g, '');
}

/** How a constant is named in a reason: its user name, or `example (line N)` for the constants of an example. */
export function describeConstant(c: AddedConstant, commands: readonly CheckedCommand[]): string {
  const cmd = commands[c.command];
  const name = userName(c.name);
  if (cmd?.example && cmd.name !== null && name.split('.').includes(cmd.name)) return `example (line ${cmd.pos.line})`;
  return name;
}

/** The command a message belongs to: the last one starting at or before its position. */
function commandAt(commands: readonly CheckedCommand[], m: LeanMessage): CheckedCommand | undefined {
  let found: CheckedCommand | undefined;
  for (const c of commands) {
    if (c.pos.line < m.pos.line || (c.pos.line === m.pos.line && c.pos.column <= m.pos.column)) found = c;
  }
  return found;
}

/** How a command is named in a reason. */
function describeCommand(c: CheckedCommand): string {
  if (c.example) return `example (line ${c.pos.line})`;
  return c.name ? `${c.name} (line ${c.pos.line})` : `the command at line ${c.pos.line}`;
}

/** The proofs a submission declared: proposition-typed constants that are not implementation details. */
export function declaredProofs(s: Submission): AddedConstant[] {
  return s.constants.filter((c) => c.isProp && !c.internal);
}

/**
 * Judge a submission without looking at a reference: errors, limits, sorry, declared axioms
 * and opaque proofs, then every proposition-typed constant's axioms, unsafe dependencies and
 * kernel replay. `proved` needs at least one declared theorem or example (or other proof).
 * With `kernelChecked: false` the kernel replay is not asked for (a worker's report screened
 * before the judge replays it: only the judge's report can give `proved`).
 */
export function judgeSubmission(s: Submission, allowed: readonly string[], o: { kernelChecked?: boolean } = {}): Judged {
  const kernelChecked = o.kernelChecked ?? true;
  const axioms = new Set<string>();
  const out = (verdict: Verdict, reason?: string): Judged => ({ verdict, ...(reason ? { reason } : {}), axioms: [...axioms].sort() });
  const limited = s.commands.find((c) => c.limit !== null);
  if (limited) {
    const what = limited.limit === 'heartbeats' ? 'heartbeat limit reached' : 'maximum recursion depth reached';
    return out(limited.limit === 'heartbeats' ? 'timeout' : 'failed', `${what} in ${describeCommand(limited)}`);
  }
  const error = s.messages.find((m) => m.severity === 'error');
  if (error && error.data.startsWith(KERNEL_TIMEOUT)) {
    // The kernel's own heartbeat limit, hit while the command added its declaration: Lean throws it untagged.
    const at = commandAt(s.commands, error);
    return out('timeout', `${describeKernelLimit('heartbeats')}${at ? ` in ${describeCommand(at)}` : ''} (${KERNEL_TIMEOUT})`);
  }
  if (error) {
    const at = commandAt(s.commands, error);
    const where = at ? ` (in ${describeCommand(at)})` : '';
    return out('failed', plainNames(error.data.split('\n')[0]!) + where);
  }
  const sorry = s.constants.filter((c) => c.sorry);
  if (sorry.length) {
    const names = [...new Set(sorry.map((c) => describeConstant(c, s.commands)))];
    return out('incomplete', `the proof uses sorry (in ${names.join(', ')})`);
  }
  const declaredAxioms = s.constants.filter((c) => c.kind === 'axiom' && !allowed.includes(userName(c.name)));
  if (declaredAxioms.length) {
    const names = declaredAxioms.map((c) => userName(c.name));
    names.forEach((a) => axioms.add(a));
    return out('failed', `the submission declares axioms that are not allowed: ${names.join(', ')}`);
  }
  // Proofs in declaration order, a command's own declarations before its auxiliary ones.
  const proofs = s.constants
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.isProp && c.kind !== 'axiom')
    .sort((a, b) => a.c.command - b.c.command || Number(a.c.internal) - Number(b.c.internal) || a.i - b.i)
    .map(({ c }) => c);
  for (const c of proofs) {
    const what = describeConstant(c, s.commands);
    if (c.unsafe) return out('failed', `${what} is declared unsafe: the kernel does not check unsafe declarations`);
    if (c.kind === 'opaque') return out('failed', `${what} is an opaque proof: its proof cannot be checked`);
    if (c.axiomsError !== undefined) return out('failed', `the axioms of ${what} could not be collected: ${plainNames(c.axiomsError)}`);
    const j = judgeAxioms(c.axioms ?? [], c.importedAxioms ?? [], allowed);
    j.axioms.forEach((a) => axioms.add(a));
    if (!j.proved) return out(j.axioms.includes('sorryAx') ? 'incomplete' : 'failed', `${j.reason} (${what})`);
    if (c.unsafeDependencies?.length) {
      return out('failed', `${what} depends on unsafe or partial ${c.unsafeDependencies.map(userName).join(', ')}`);
    }
    if (!kernelChecked) continue;
    if (!c.kernel) return out('failed', `${what} was not re-checked by the kernel`);
    if (!c.kernel.ok && c.kernel.limit) {
      // A resource limit is no verdict on the proof: past the heartbeat limit it is a timeout, like the elaborator's.
      const reason = `kernel re-check of ${what} stopped: ${describeKernelLimit(c.kernel.limit)} (${plainNames(c.kernel.error ?? 'no message')})`;
      return out(c.kernel.limit === 'heartbeats' ? 'timeout' : 'failed', reason);
    }
    if (!c.kernel.ok) return out('failed', `kernel re-check of ${what} failed: ${plainNames(c.kernel.error ?? 'no reason given')}`);
  }
  if (declaredProofs(s).length === 0) return out('failed', 'the submission declares no theorem or example (nothing to check)');
  return out('proved');
}
