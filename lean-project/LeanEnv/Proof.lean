import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Util
import LeanEnv.State
import LeanEnv.Goals
import LeanEnv.Elab
import LeanEnv.Compat

/-!
Proof primitives: make a goal from a theorem statement or a declaration's type,
run one tactic on a list of goals, and check a finished proof in the kernel.
-/

namespace LeanEnv
open Lean Elab Meta

/-- Number of variables bound by a declaration signature's binders. -/
partial def binderCount (binders : Array Syntax) (i : Nat := 0) (acc : Nat := 0) : Nat :=
  if h : i < binders.size then
    let b := binders[i]
    let k := b.getKind
    let n := if b.isIdent || k == ``Lean.binderIdent || k == ``Lean.Parser.Term.hole
        || k == ``Lean.Parser.Term.instBinder then 1 else b[1].getArgs.size
    binderCount binders (i + 1) (acc + n)
  else acc

/-- The parts of `theorem name binders : type`: name, binders, type. -/
def statementParts (stx : Syntax) : Except String (Name × Array Syntax × Syntax) := do
  let decl := stx[1]
  if decl.getKind == ``Lean.Parser.Command.theorem then
    let sig := decl[2]
    return (decl[1][0].getId, sig[0].getArgs, sig[1][1])
  else if decl.getKind == ``Lean.Parser.Command.example then
    let sig := decl[1]
    if sig[1].getArgs.size == 0 then throw "an example needs a type: `example binders : type`"
    return (`_example, sig[0].getArgs, sig[1][0][1])
  else throw "expected a statement of the form `theorem name binders : type`"

/-- Elaborate a closed statement type from binders and a type, with universe metavariables
turned into parameters. -/
def elabStatement (binders : Array Syntax) (typeStx : Syntax) : Term.TermElabM (Expr × List Name) := do
  let stx := if binders.size == 0 then typeStx else
    Syntax.node .none ``Lean.Parser.Term.forall
      #[Syntax.atom .none "∀", mkNullNode binders, mkNullNode, Syntax.atom .none ",", typeStx]
  let type ← Term.elabType stx
  Term.synthesizeSyntheticMVarsNoPostponing
  let type ← instantiateMVars type
  if type.hasExprMVar then throwError "the statement has holes that could not be filled"
  if type.hasLevelMVar then throwError "the statement has universe levels that could not be determined"
  return (type, arrayToList (collectLevelParams {} type).params)

/-- A goal for `type`, with the first `n` binders introduced under their own names. -/
def goalFor (type : Expr) (n : Nat) : MetaM (Expr × MVarId) := do
  let mvar ← mkFreshExprMVar type (kind := .syntheticOpaque)
  let (_, g) ← mvar.mvarId!.introNP n
  return (mvar, g)

/-- Run tactic code (the `tacticSeq` of a `by` block, see `parseTactic`) on `goals` the way Lean's
frontend (4.28) runs the `by` block of `theorem … := by code` (`Term.runTactic`, reached from
`elabFunValues`' `synthesizeSyntheticMVarsNoPostponing`):
- at the same recursion depth: the command's levels (`underCommand`), then the level of the
  `synthesizeSyntheticMVars` loop that runs the block, then `evalTactic` on the `tacticSeq` (a file
  has no parentheses around it), so a limit is reached at the same point of the same tactic;
- with auto-bound implicits off (as `runTactic` has them), error recovery on (`Tactic.run`'s context) and an
  abort-tactic exception ending the block with the goals left, as `Tactic.run` does; errors that
  recovery logs stay in the message log (the caller fails the step on them, as the file fails).
Other exceptions, runtime ones included (recursion depth, heartbeats), propagate to the root, where
`runTermElab` catches them like `runTactic`'s `tryCatchRuntimeEx`. Returns the goals left. -/
def execTactic (code : Syntax) (goals : List MVarId) : Term.TermElabM (List MVarId) :=
  underCommand <| withIncRecDepth do
    let tref ← IO.mkRef ({ goals } : Tactic.State)
    try
      Tactic.evalTactic code { elaborator := .anonymous } tref
      Term.synthesizeSyntheticMVarsNoPostponing
    catch ex =>
      unless isAbortTacticException ex do throw ex
    openGoals (← tref.get).goals

/-- `text` with two spaces after each line break. -/
def indentLines (text : String) : String :=
  let bytes := text.toUTF8
  let out := go bytes 0 ByteArray.empty
  match String.fromUTF8? out with | some t => t | none => text
where
  go (bytes : ByteArray) (i : Nat) (acc : ByteArray) : ByteArray :=
    if h : i < bytes.size then
      let b := bytes[i]
      let acc := acc.push b
      go bytes (i + 1) (if b == 10 then (acc.push 32).push 32 else acc)
    else acc
  termination_by bytes.size - i

/-- Parse tactic text as the `tacticSeq` of a `by` block laid out as in the proof text
`theorem … := by` + the path (each line indented by two spaces), so that a step parses, and
later runs (`execTactic`), as the same lines of a file; a sequence over several lines is
accepted. -/
def parseTactic (env : Environment) (text : String) : Except String Syntax := do
  let stx ← Parser.runParserCategory env `term ("by\n  " ++ indentLines text ++ "\n") "<tactic>"
  return stx[1]

/-- A name for the checked theorem that is free in `env`. -/
def freshTheoremName (env : Environment) (n : Name) : Name :=
  if env.contains n then n.str "_leanenv_check" else n

/-- Split names into those imported from modules and those declared since. On the
embedded (module-system) build an imported theorem's body is hidden, so it looks like an
axiom here; telling real axioms apart is left to the caller. -/
def splitImported (env : Environment) : List Name → List Name × List Name
  | [] => ([], [])
  | n :: ns =>
    let (i, d) := splitImported env ns
    if (env.getModuleIdxFor? n).isSome then (n :: i, d) else (i, n :: d)

/-- Constants that `n` depends on (itself included) and that `inBase` does not hold,
dependencies first; `seen` and `acc` accumulate. -/
partial def dependenciesBeyond (env : Environment) (inBase : Name → Bool) (n : Name) (seen : List Name)
    (acc : Array ConstantInfo) : List Name × Array ConstantInfo :=
  if listAny (· == n) seen || inBase n then (seen, acc) else
  match env.find? n with
  | none => (n :: seen, acc)
  | some ci =>
    let deps := listAppend (arrayToList ci.type.getUsedConstants) (match ci.value? (allowOpaque := true) with
      | some v => arrayToList v.getUsedConstants
      | none => [])
    -- Constructors and recursors come with their inductive type.
    let deps := match ci with
      | .ctorInfo v => v.induct :: deps
      | .recInfo v => listAppend v.all deps
      | .inductInfo v => listAppend v.all deps
      | _ => deps
    let (seen, acc) := go (n :: seen) acc deps
    (seen, acc.push ci)
where
  go (seen : List Name) (acc : Array ConstantInfo) : List Name → List Name × Array ConstantInfo
    | [] => (seen, acc)
    | d :: ds => let (seen, acc) := dependenciesBeyond env inBase d seen acc; go seen acc ds

/-- Constants that `n` depends on (itself included) and that `base` lacks, dependencies first. -/
def newDependencies (env base : Environment) (n : Name) (seen : List Name)
    (acc : Array ConstantInfo) : List Name × Array ConstantInfo :=
  dependenciesBeyond env base.contains n seen acc

/-- The declaration that adds `ci` to an environment, if it is added on its own
(constructors and recursors are added by their inductive type). -/
def declarationOf (env : Environment) (ci : ConstantInfo) : Option Declaration :=
  match ci with
  | .thmInfo v => some (.thmDecl v)
  | .defnInfo v => some (.defnDecl v)
  | .axiomInfo v => some (.axiomDecl v)
  | .opaqueInfo v => some (.opaqueDecl v)
  | .inductInfo v =>
    let types := listMap (fun n => match env.find? n with
      | some (.inductInfo w) =>
        { name := n, type := w.type,
          ctors := listMap (fun c => match env.find? c with
            | some cc => { name := c, type := cc.type }
            | none => { name := c, type := mkSort levelZero }) w.ctors : InductiveType }
      | _ => { name := n, type := mkSort levelZero, ctors := [] }) v.all
    -- A mutual group is added once, by its first type.
    match v.all with
    | first :: _ => if first == v.name then some (.inductDecl v.levelParams v.numParams types v.isUnsafe) else none
    | [] => none
  | _ => none

/-- Why the kernel did not add a declaration: Lean's message and the limit it reports, if any. -/
structure KernelFailure where
  message : String
  limit : Option String

/-- Add a declaration through the kernel under the context's heartbeat limit, as `addDecl` does
with async elaboration off, but keep the kernel's exception instead of turning it into an
untagged error: its constructor tells a resource limit from a rejected proof. The kernel runs
on a task of its own: it compares its thread's heartbeat count with the limit, and Lean resets
that count only when a task starts, so on the serve loop's long-lived thread the count grew
with every check and, once one check had stopped at the limit, every later one stopped at
once (`test/check/kernel-limits.test.ts`). -/
def addDeclKernel (d : Declaration) : CoreM (Option KernelFailure) := do
  let opts ← getOptions
  let env ← getEnv
  let kernel := Task.spawn fun _ => Compat.addDeclCore env (Core.getMaxHeartbeats opts) d
  match kernel.get with
  | .ok env => setEnv env; return none
  | .error ex =>
    let msg ← (← addMessageContext (ex.toMessageData opts)).toString
    return some { message := msg, limit := Compat.kernelLimit ex }

/-- JSON for a kernel check's outcome: `{ok: true}`, or `{ok: false, error, limit?}`. -/
def kernelJson : Except String (Option KernelFailure) → Json
  | .ok none => Json.mkObj [("ok", true)]
  | .ok (some f) => match f.limit with
    | some l => Json.mkObj [("ok", false), ("error", f.message), ("limit", l)]
    | none => Json.mkObj [("ok", false), ("error", f.message)]
  | .error e => Json.mkObj [("ok", false), ("error", e)]

/-- Check a finished proof: no open goals or metavariables, no `sorry`, accepted by the
kernel; returns the declaration name and the axioms it uses, or the kernel's failure. -/
def verifyRoot (root : ProofRoot) : MetaM (Except KernelFailure Json) := do
  let value ← instantiateMVars root.proof
  if value.hasExprMVar then throwError "the proof is incomplete: some goals are still open"
  if value.hasSorry then throwError "the proof uses `sorry`"
  let name := freshTheoremName (← getEnv) root.name
  if let some f ← addDeclKernel (.thmDecl { name, levelParams := root.levelParams, type := root.type, value }) then
    return .error f
  let axioms ← collectAxioms name
  let env ← getEnv
  let (imported, declared) := splitImported env (arrayToList axioms)
  return .ok (Json.mkObj [("name", nameStr name), ("axioms", strArr (listMap nameStr declared)),
    ("importedAxioms", strArr (listMap nameStr imported))])

/-- Re-add `n` and every declaration it needs that `base` lacks, from `env`, through the
kernel with clean options, starting from `base`; returns the first kernel failure (other
refusals are thrown). `n` itself must be a safe declaration with a value (an `unsafe def`
would let the kernel accept anything). Definitions are compiled as they are re-added, so that
a `native_decide` proof's kernel evaluation runs the re-added code (without the submission's
`implemented_by` attributes). -/
def replayInKernel (env base : Environment) (n : Name) : CoreM (Option KernelFailure) := do
  match env.find? n with
  | some (.axiomInfo _) => throwError "{n} is an axiom, not a proof"
  | some ci => if ci.isUnsafe then throwError "{n} is declared unsafe: the kernel does not check unsafe declarations soundly"
  | none => pure ()
  let (_, cis) := newDependencies env base n [] #[]
  setEnv base
  replayAll env (arrayToList cis)
where
  replayAll (env : Environment) : List ConstantInfo → CoreM (Option KernelFailure)
    | [] => return none
    | ci :: rest => do
      match declarationOf env ci with
      | none => replayAll env rest
      | some d =>
        if let some f ← addDeclKernel d then return some f
        if let .defnInfo _ := ci then
          try compileDecl d catch _ => pure ()
        replayAll env rest

end LeanEnv
