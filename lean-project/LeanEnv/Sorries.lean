import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Util
import LeanEnv.State
import LeanEnv.Elab
import LeanEnv.Goals
import LeanEnv.CommandProofs

/-!
Find the `sorry`s of elaborated commands in their info trees: a tactic `sorry`
gives the goal it closed, a term `sorry` the type it stood for.
-/

namespace LeanEnv
open Lean Elab Meta

/-- A `sorry` found in an info tree: where it is and the goal it stands for. -/
structure SorryHole where
  pos : Position
  endPos : Position
  mctx : MetavarContext
  /-- The environment its proof state gets: for a command's sorry, the one before the command
  (without the declaration being proved); none for the current one. -/
  env? : Option Environment := none
  /-- The goal of a tactic `sorry`, or `(lctx, type)` of a term `sorry`. -/
  goal : Sum MVarId (LocalContext × Expr)

/-- Record a sorry at `stx`. -/
def pushSorry (fm : FileMap) (stx : Syntax) (acc : Array SorryHole) (mctx : MetavarContext)
    (goal : Sum MVarId (LocalContext × Expr)) : Array SorryHole :=
  let p := stx.getPos?.getD 0
  let e := stx.getTailPos?.getD p
  acc.push { pos := fm.toPosition p, endPos := fm.toPosition e, mctx, goal }

mutual
/-- Collect sorries in a tree, given the enclosing command context. -/
partial def collectSorries (fm : FileMap) (ctx? : Option CommandContextInfo) (acc : Array SorryHole) :
    InfoTree → Array SorryHole
  | .context (.commandCtx c) t => collectSorries fm (some c) acc t
  | .context _ t => collectSorries fm ctx? acc t
  | .hole _ => acc
  | .node info children =>
    match info, ctx? with
    | .ofTacticInfo ti, _ =>
      if ti.stx.getKind == ``Lean.Parser.Tactic.tacticSorry then
        match ti.goalsBefore with
        | g :: _ => pushSorry fm ti.stx acc ti.mctxBefore (.inl g)
        | [] => acc
      else collectList fm ctx? acc (paToList children)
    | .ofTermInfo ti, some c =>
      if ti.stx.getKind == ``Lean.Parser.Term.sorry then
        match ti.expectedType? with
        | some ty => pushSorry fm ti.stx acc c.mctx (.inr (ti.lctx, ty))
        | none => acc
      else collectList fm ctx? acc (paToList children)
    | _, _ => collectList fm ctx? acc (paToList children)

/-- Collect sorries in a list of trees. -/
partial def collectList (fm : FileMap) (ctx? : Option CommandContextInfo) (acc : Array SorryHole) :
    List InfoTree → Array SorryHole
  | [] => acc
  | t :: ts => collectList fm ctx? (collectSorries fm ctx? acc t) ts
end

/-- The sorries of commands' info trees (one top-level tree per command, in order), each with the
environment before its command (`treesWithEnvBefore`, `before` for the first). A declaration's
proof state thus cannot use the declaration itself (nor later ones). -/
def collectCommandSorries (fm : FileMap) (before : Environment) (acc : Array SorryHole)
    (trees : List InfoTree) : Array SorryHole :=
  listFold (fun acc (env, t) => arrayFold (fun acc h => acc.push { h with env? := some env }) acc
    (collectSorries fm none #[] t)) acc (treesWithEnvBefore before trees)

/-- The goal a sorry stands for, made in the current metavariable context, in its local context
without the auxiliary declarations for recursive calls (`droppableAuxDecls`). -/
def SorryHole.mkGoal (h : SorryHole) : MetaM MVarId := do
  match h.goal with
  | .inl g =>
    let d ← g.getDecl
    let lctx := withoutDecls d.lctx (← droppableAuxDecls d.lctx d.type)
    let m ← mkFreshExprMVarAt lctx d.localInstances d.type .syntheticOpaque d.userName
    return m.mvarId!
  | .inr (lctx, ty) =>
    let lctx := withoutDecls lctx (← droppableAuxDecls lctx ty)
    let m ← withReader (fun ctx => { ctx with lctx }) (mkFreshExprMVar ty (kind := .syntheticOpaque))
    return m.mvarId!

/-- Make each sorry's goal a proof state (stored through `store`) in the elaborator state `core`
under `scope`; per sorry `{proofState, goals, pos, endPos}`, or `{error, pos, endPos}`. -/
def sorryStates (store : ProofSnapshot → IO Nat) (scope : Command.Scope) (core : Core.State)
    (holes : Array SorryHole) : IO (Array Json) := do
  let mut out := #[]
  for h in arrayToList holes do
    let core := match h.env? with | some env => { core with env } | none => core
    let o ← runTermElab (do let g ← h.mkGoal; return (g, ← goalsJson [g])) scope 0 core { mctx := h.mctx }
    let place := [("pos", posJson h.pos), ("endPos", posJson h.endPos)]
    match o.result with
    | .ok (g, gj) =>
      let pid ← store {
        coreState := o.coreState, metaState := o.metaState, termState := o.termState,
        scope := scope, goals := [g], root := none }
      out := out.push (Json.mkObj (("proofState", toJson pid) :: ("goals", gj) :: place))
    | .error e => out := out.push (Json.mkObj (("error", Json.str e) :: place))
  return out

/-- The sorries in the info trees recorded so far by the elaboration running (a tactic step's),
with postponed parts filled in as the frontend fills them; term sorries in the current context. -/
def recordedSorries : Term.TermElabM (Array SorryHole) := do
  let st ← getInfoState
  let ctx ← CommandContextInfo.save
  let trees := listMap (·.substitute st.assignment) (paToList st.trees)
  return collectList default (some ctx) #[] trees

end LeanEnv
