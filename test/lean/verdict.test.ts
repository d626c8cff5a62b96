import { describe, expect, test } from 'vitest';
import { judgeVerification, userName } from '../../server/lean/verdict.js';
import { renderProof } from '../../server/lean/proof-script.js';
import { stripProofBody } from '../../server/lean/worker.js';

const ok = (axioms: string[], importedAxioms: string[] = []) =>
  ({ ok: true as const, name: 't', axioms, importedAxioms, elapsedMs: 1 });

describe('judgeVerification', () => {
  test('standard axioms are allowed; imported theorem bodies hidden by the module system are not axioms', () => {
    expect(judgeVerification(ok([], ['propext', 'Eq.symm', 'Nat.add_comm']))).toEqual({ proved: true, axioms: ['propext'] });
  });
  test('sorry, native_decide and user axioms are refused with a reason', () => {
    expect(judgeVerification(ok([], ['sorryAx'])).reason).toMatch(/sorry/);
    expect(judgeVerification(ok([], ['Lean.ofReduceBool'])).reason).toMatch(/Lean.ofReduceBool/);
    expect(judgeVerification(ok(['_private.0.cheat'])).reason).toMatch(/cheat/);
    expect(judgeVerification(ok([], ['Lean.ofReduceBool']), ['Lean.ofReduceBool']).proved).toBe(true);
  });
  test('a kernel failure is not a proof', () => {
    expect(judgeVerification({ ok: false, error: 'kernel says no', elapsedMs: 1 })).toEqual({ proved: false, axioms: [], reason: 'kernel says no' });
  });
  test('private names are shown as written', () => {
    expect(userName('_private.0.cheat')).toBe('cheat');
    expect(userName('_private.Foo.Bar.0.baz.qux')).toBe('baz.qux');
    expect(userName('Nat.add')).toBe('Nat.add');
  });
});

describe('proof text', () => {
  test('renders indented tactics, multi-line ones included', () => {
    expect(renderProof('theorem t : True', ['constructor'])).toBe('theorem t : True := by\n  constructor\n');
    expect(renderProof('theorem t (p : Prop) : p → p', ['intro h', 'cases h with\n| _ => skip'])).toBe(
      'theorem t (p : Prop) : p → p := by\n  intro h\n  cases h with\n  | _ => skip\n',
    );
  });
  test('dataset statements lose their trailing `:= by sorry`', () => {
    expect(stripProofBody('theorem x :\n  1 = 1 := by sorry\n')).toBe('theorem x :\n  1 = 1');
    expect(stripProofBody('theorem x : 1 = 1 := sorry')).toBe('theorem x : 1 = 1');
    expect(stripProofBody('theorem x : (let a := 1; a) = 1')).toBe('theorem x : (let a := 1; a) = 1');
  });
});
