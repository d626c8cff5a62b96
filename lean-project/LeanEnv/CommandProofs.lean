import Lean.Elab.Frontend
import Lean.Util.FoldConsts
import LeanEnv.Util

/-!
What a proof state made from a command's info trees (a `sorry`'s, a tactic record's) may see:
not the declarations its command defines. It gets the environment before its command (earlier
commands of the same input stay visible) and its goals lose the auxiliary local declarations
that stand for the declarations being defined inside their own bodies (for recursive calls).
Otherwise `exact t` (or `exact?`) would close a goal of theorem `t` with `t` itself.
-/

namespace LeanEnv
open Lean Elab Meta

/-- Each top-level tree of a command run (one per command, in order) with the environment
before its command: `before` for the first, then the one the previous tree's command context
ends with. -/
def treesWithEnvBefore (before : Environment) : List InfoTree → List (Environment × InfoTree)
  | [] => []
  | t :: ts =>
    let after := match t with | .context (.commandCtx c) _ => c.env | _ => before
    (before, t) :: treesWithEnvBefore after ts

/-- The expressions of a local context: every declaration's type and value. -/
def localContextExprs (lctx : LocalContext) : List Expr :=
  listFold (fun acc d? => match d? with
    | some d => match d.value? with
      | some v => d.type :: v :: acc
      | none => d.type :: acc
    | none => acc) [] (paToList lctx.decls)

/-- The auxiliary declarations of `lctx` (see the module doc) that neither `type` nor a
declaration of `lctx` mentions (metavariables instantiated): those a goal can lose and stay
well formed. A goal whose statement mentions the declaration itself keeps it. -/
def droppableAuxDecls (lctx : LocalContext) (type : Expr) : MetaM (List FVarId) := do
  let aux := listFold (fun acc d? => match d? with
    | some d => if d.isAuxDecl then d.fvarId :: acc else acc
    | none => acc) [] (paToList lctx.decls)
  if aux matches [] then return []
  let mut exprs := []
  for e in type :: localContextExprs lctx do exprs := (← instantiateMVars e) :: exprs
  return listFold (fun acc fv => if listAny (·.containsFVar fv) exprs then acc else fv :: acc) [] aux

/-- `lctx` without the declarations `drop`. -/
def withoutDecls (lctx : LocalContext) (drop : List FVarId) : LocalContext :=
  listFold (fun acc fv => acc.erase fv) lctx drop

/-- Remove, in place in the current metavariable context (so goals that mention one another
stay linked), the droppable auxiliary declarations (`droppableAuxDecls`) of each goal. -/
def dropAuxDecls (goals : List MVarId) : MetaM Unit := do
  for g in goals do
    let d ← g.getDecl
    let drop ← droppableAuxDecls d.lctx d.type
    unless drop matches [] do
      setMCtx ((← getMCtx).modifyExprMVarLCtx g (withoutDecls · drop))

/-- Whether every constant the goals mention (in their targets and local contexts,
metavariables instantiated) is in `env`: if not (a goal about something its own command
defined, as a `deriving` handler's), a proof state cannot move to the environment before
the command. -/
def goalsFitEnv (env : Environment) (goals : List MVarId) : MetaM Bool := do
  for g in goals do
    let d ← g.getDecl
    for e in d.type :: localContextExprs d.lctx do
      let e ← instantiateMVars e
      if !arrayFold (fun ok n => ok && env.contains n) true e.getUsedConstants then return false
  return true

/-- The goals as a proof state from a command's info tree has them (run in the metavariable
context the goals come from and the environment after the command): aux declarations dropped
(`dropAuxDecls`), and whether the state can take the environment `before` the command
(`goalsFitEnv`). -/
def ownDeclFree (before : Environment) (goals : List MVarId) : MetaM Bool := do
  dropAuxDecls goals
  goalsFitEnv before goals

end LeanEnv
