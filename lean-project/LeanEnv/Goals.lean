import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Util

/-!
Goals as structured data: hypotheses (name, type, value), target, case name and
Lean's own pretty-printed goal.
-/

namespace LeanEnv
open Lean Meta

/-- Pretty-print an expression in the current context. -/
def ppText (e : Expr) : MetaM String := return toString (← ppExpr e)

/-- JSON for one hypothesis, or none for implementation details. -/
def hypJson (d : LocalDecl) : MetaM (Option Json) := do
  if d.isImplementationDetail then return none
  let name ← ppText (mkFVar d.fvarId)
  let type ← ppText (← instantiateMVars d.type)
  let value ← match d.value? with
    | some v => pure (Json.str (← ppText (← instantiateMVars v)))
    | none => pure Json.null
  return some (Json.mkObj [("name", name), ("type", type), ("value", value)])

/-- JSON for one goal: `{ caseName, hyps, target, pretty }`. -/
def goalJson (g : MVarId) : MetaM Json := withGoalContext g do
  let decl ← g.getDecl
  let mut hyps := #[]
  for d? in paToList decl.lctx.decls do
    if let some d := d? then
      if let some j ← hypJson d then hyps := hyps.push j
  let target ← ppText (← instantiateMVars decl.type)
  let pretty := toString (← ppGoal g)
  let caseName := if decl.userName.isAnonymous then Json.null else Json.str (nameStr decl.userName)
  return Json.mkObj [("caseName", caseName), ("hyps", Json.arr hyps), ("target", target), ("pretty", pretty)]

/-- Goals that are not yet assigned. -/
def openGoals : List MVarId → MetaM (List MVarId)
  | [] => return []
  | g :: gs => do
    let rest ← openGoals gs
    return if ← g.isAssigned then rest else g :: rest

/-- JSON array of goals. -/
def goalsJson (gs : List MVarId) : MetaM Json := do
  let mut out := #[]
  for g in gs do out := out.push (← goalJson g)
  return Json.arr out

end LeanEnv
