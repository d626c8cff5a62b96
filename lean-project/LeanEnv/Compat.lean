import Lean.Elab.Frontend

/-!
Every call into Lean's API that is known to change between Lean releases, in one small module:
the kernel's entry point and its exceptions, the header and command front ends, the options
that keep the kernel from being skipped or deferred, and the toolchain's own name. The rest of
the REPL calls only these.

Written for (and tested with) Lean v4.28.0. A toolchain whose API differs gets its own copy of
this file, `lean-project/compat/<toolchain version>.lean` (e.g. `v4.27.0.lean`), which the
native build puts in place of this one (`server/provision/native-build.ts`); the toolchains the
REPL is known to build with are declared in `server/provision/toolchains.ts`.
-/

namespace LeanEnv.Compat
open Lean Elab

/-- The toolchain this REPL was compiled with, by elan's name (`leanprover/lean4:v4.28.0`,
`leanprover/lean4:v4.29.0-rc1`), which `initialize` reports. `Lean.toolchain` leaves out the
`v` of release names and is empty on a build that is no release (the embedded Lean's): those
are named by their version numbers; other builds (nightlies) by `Lean.toolchain`. -/
def toolchain : String :=
  let core := Nat.repr Lean.version.major ++ "." ++ Nat.repr Lean.version.minor ++ "." ++
    Nat.repr Lean.version.patch
  if Lean.version.specialDesc.isEmpty then "leanprover/lean4:v" ++ core
  else if Lean.version.isRelease then "leanprover/lean4:v" ++ core ++ "-" ++ Lean.version.specialDesc
  else Lean.toolchain

/-- Options for kernel re-checking: nothing a submission set may skip (`debug.skipKernelTC`)
or defer (`Elab.async`) it. -/
def kernelCheckOptions : Options :=
  (({} : Options).setBool `debug.skipKernelTC false).setBool `Elab.async false

/-- Add a declaration through the kernel under a heartbeat limit (raw, not in thousands),
with no cancellation token. -/
def addDeclCore (env : Environment) (maxHeartbeats : Nat) (d : Declaration) :
    Except Kernel.Exception Environment :=
  env.addDeclCore maxHeartbeats.toUSize d none

/-- The resource limit a kernel exception reports, by its constructor (`heartbeats` for a
deterministic timeout, `recursion` for deep recursion, `memory`, `interrupted`); none when the
kernel rejected the declaration itself. -/
def kernelLimit : Kernel.Exception → Option String
  | .deterministicTimeout => some "heartbeats"
  | .deepRecursion => some "recursion"
  | .excessiveMemory => some "memory"
  | .interrupted => some "interrupted"
  | _ => none

/-- Import the modules of a parsed header, with Lean's default options. -/
def processHeader (header : TSyntax ``Parser.Module.header) (msgs : MessageLog)
    (ictx : Parser.InputContext) : IO (Environment × MessageLog) :=
  Elab.processHeader header {} msgs ictx

/-- Elaborate the commands of `ictx` from the parser's position on, on top of a command state. -/
def processCommands (ictx : Parser.InputContext) (ps : Parser.ModuleParserState)
    (st : Command.State) : IO Command.State := do
  return (← IO.processCommands ictx ps st).commandState

/-! Info tree nodes: their constructors change between releases (4.28 has `ErrorNameInfo`,
`DocInfo` and `DocElabInfo`, which older releases lack). -/

/-- The name of an info node's constructor (`TacticInfo`, `TermInfo`, `CommandInfo`, …). -/
def infoKind : Info → String
  | .ofTacticInfo _ => "TacticInfo"
  | .ofTermInfo _ => "TermInfo"
  | .ofPartialTermInfo _ => "PartialTermInfo"
  | .ofCommandInfo _ => "CommandInfo"
  | .ofMacroExpansionInfo _ => "MacroExpansionInfo"
  | .ofOptionInfo _ => "OptionInfo"
  | .ofFieldInfo _ => "FieldInfo"
  | .ofCompletionInfo _ => "CompletionInfo"
  | .ofUserWidgetInfo _ => "UserWidgetInfo"
  | .ofCustomInfo _ => "CustomInfo"
  | .ofFVarAliasInfo _ => "FVarAliasInfo"
  | .ofFieldRedeclInfo _ => "FieldRedeclInfo"
  | .ofDelabTermInfo _ => "DelabTermInfo"
  | .ofChoiceInfo _ => "ChoiceInfo"
  | .ofErrorNameInfo _ => "ErrorNameInfo"
  | .ofDocInfo _ => "DocInfo"
  | .ofDocElabInfo _ => "DocElabInfo"

/-- The syntax an info node is about; none for a variable alias, which has none. -/
def infoSyntax? : Info → Option Syntax
  | .ofTacticInfo i => some i.stx
  | .ofTermInfo i => some i.stx
  | .ofPartialTermInfo i => some i.stx
  | .ofCommandInfo i => some i.stx
  | .ofMacroExpansionInfo i => some i.stx
  | .ofOptionInfo i => some i.stx
  | .ofFieldInfo i => some i.stx
  | .ofCompletionInfo i => some i.stx
  | .ofUserWidgetInfo i => some i.stx
  | .ofCustomInfo i => some i.stx
  | .ofFVarAliasInfo _ => none
  | .ofFieldRedeclInfo i => some i.stx
  | .ofDelabTermInfo i => some i.stx
  | .ofChoiceInfo i => some i.stx
  | i => some i.stx

end LeanEnv.Compat
