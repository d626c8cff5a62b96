/**
 * The embedded Lean's REPL loader. Elaborating the bundled REPL at every worker start costs
 * 15-20 s, and this build cannot run it as an imported module (an import does not load the
 * module's `.ir`, so the interpreter sees only opaque declarations). Set-up compiles the bundle
 * once (`lean -o`, which writes `LeanEnvRepl.ir` beside the `.olean`); workers then run this
 * small loader instead, which imports the REPL's own imports, adds the IR declarations read
 * from that `.ir` file to the environment and runs the REPL's `main` in the interpreter.
 */

/** File name of the loader in the set-up's wasm directory. */
export const BOOT_FILE = 'LeanEnvBoot.lean';

/**
 * Lean source of the loader for a REPL bundle that imports `imports`. Run as
 * `lean --run LeanEnvBoot.lean <path of LeanEnvRepl.ir> <REPL args…>`.
 *
 * Library functions are called the way the REPL does on this build: no generic ones whose
 * reduced-arity helper (`_redArg`) the shipped oleans lack. `Environment.evalConst` is reached
 * through its native symbol (an `extern` declaration of that exact name, which the interpreter
 * resolves to the symbol `l_Lean_Environment_evalConst___redArg___boxed`).
 */
export function bootLeanSource(imports: string[]): string {
  const importList = imports.map((m) => `{ module := \`${m} }`).join(', ');
  return `module
public import Lean.Compiler.IR.CompilerM
public import Lean.Util.Path
open Lean

/-- Native \`Lean.Environment.evalConst\` with its type argument erased (reached by symbol name). -/
@[extern "lean_leanenv_boot_eval_const"]
public unsafe opaque Lean.Environment.evalConst._redArg (env : @& Environment) (opts : @& Options)
  (constName : @& Name) (checkMeta : Bool) : Except String (List String → IO Unit)

/-- The entries of \`Lean.IR.declMapExt\` among a module's extension entries. -/
partial def irEntries (es : Array (Name × Array EnvExtensionEntry)) (i : Nat) : Array EnvExtensionEntry :=
  if i < es.size then
    if es[i]!.1 == \`Lean.IR.declMapExt then es[i]!.2 else irEntries es (i + 1)
  else #[]

public def main (args : List String) : IO Unit := unsafe do
  let irFile :: replArgs := args | throw (IO.userError "usage: LeanEnvBoot.lean <LeanEnvRepl.ir> <args>")
  searchPathRef.set (← addSearchPathFromEnv {})
  let env ← importModules #[${importList}] {}
  IO.eprintln "leanenv-boot: imported"
  let (data, _) ← readModuleData irFile
  let decls : Array IR.Decl := unsafeCast (irEntries data.entries 0)
  if decls.size == 0 then throw (IO.userError s!"{irFile} holds no IR declarations")
  let ref ← IO.mkRef ({ env } : Core.State)
  let ctx : Core.Context := { fileName := irFile, fileMap := default }
  match ← ((IR.addDecls decls) ctx ref).toBaseIO with
  | .ok _ => pure ()
  | .error _ => throw (IO.userError s!"adding the IR of {irFile} failed")
  IO.eprintln s!"leanenv-boot: loaded {decls.size} IR declarations"
  let replMain ← IO.ofExcept <| Lean.Environment.evalConst._redArg (← ref.get).env {} \`main false
  replMain replArgs
`;
}
