import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import Lean.PrettyPrinter
import LeanEnv.Util
import LeanEnv.State
import LeanEnv.Elab
import LeanEnv.Goals
import LeanEnv.CommandProofs

/-!
Tactic nodes of a command's info trees, selected the way the Lean REPL
(leanprover-community/repl) selects them: every tactic written in the source that is not a
mere combinator (`allTactics`), or the outermost tactic node of each proof (`rootGoals`).
Only the selection is here; the JSON is built by the handlers and shaped in TypeScript.
-/

namespace LeanEnv
open Lean Elab Meta

/-- A tactic node of an info tree and the declaration it belongs to (from the tree's
`parentDeclCtx` context), if the tree names one. -/
structure TacticNode where
  info : TacticInfo
  decl : Option Name

/-- Syntax kinds of tactic combinators and structuring syntax (`by`, sequences, `;`, `<;>`,
parentheses, `·`): not a tactic of their own. The same list as the REPL's `isSubstantive`
(and `server/compat/repl-infotree.ts`). -/
def structuringKinds : List Name :=
  [`null, `Lean.cdot, `Lean.cdotTk, ``Lean.Parser.Term.byTactic, ``Lean.Parser.Tactic.tacticSeq,
    ``Lean.Parser.Tactic.tacticSeq1Indented, `Lean.Parser.Tactic.«tactic_<;>_», ``Lean.Parser.Tactic.paren]

/-- Whether a syntax tree's head comes from the source text (not from a macro expansion). -/
def isOriginalSyntax (stx : Syntax) : Bool :=
  match stx.getHeadInfo with
  | .original .. => true
  | _ => false

/-- Whether a tactic node is a tactic of its own: a syntax node whose kind is not structuring. -/
def isSubstantiveTactic (stx : Syntax) : Bool :=
  match stx with
  | .node _ k _ => !listAny (· == k) structuringKinds
  | _ => false

mutual
/-- Tactic nodes of a tree in pre-order: with `roots`, the outermost tactic node of each
branch (the REPL's root goals); otherwise every original, substantive tactic node, nested ones
included (the REPL's `allTactics`). -/
partial def tacticNodes (roots : Bool) (decl : Option Name) (acc : Array TacticNode) : InfoTree → Array TacticNode
  | .context (.parentDeclCtx n) t => tacticNodes roots (some n) acc t
  | .context _ t => tacticNodes roots decl acc t
  | .hole _ => acc
  | .node (.ofTacticInfo ti) children =>
    if roots then acc.push { info := ti, decl }
    else
      let acc := if isOriginalSyntax ti.stx && isSubstantiveTactic ti.stx then acc.push { info := ti, decl } else acc
      tacticNodesList roots decl acc (paToList children)
  | .node _ children => tacticNodesList roots decl acc (paToList children)

/-- `tacticNodes` over a list of trees, in order. -/
partial def tacticNodesList (roots : Bool) (decl : Option Name) (acc : Array TacticNode) : List InfoTree → Array TacticNode
  | [] => acc
  | t :: ts => tacticNodesList roots decl (tacticNodes roots decl acc t) ts
end

/-- Constants in the terms a tactic assigned to its goals (as the REPL's `usedConstants`), in
the order of Lean's `NameSet`. -/
def usedConstants (ti : TacticInfo) : Array Name :=
  let set := listFold (fun (s : NameSet) g => match ti.mctxAfter.getExprAssignmentCore? g with
    | some e => arrayFold (fun s n => s.insert n) s e.getUsedConstants
    | none => s) {} ti.goalsBefore
  set.toArray

/-- The tactic's syntax pretty-printed by Lean (as the REPL shows it), or none if that fails. -/
def ppTacticText (stx : Syntax) : CoreM (Option String) := do
  try return some (toString (← PrettyPrinter.ppTactic ⟨stx⟩))
  catch _ => return none

/-- A name as the user wrote it: without the `_private.<module>.` prefix that private
declarations (every declaration, on the embedded build's module system) carry. -/
def userName (n : Name) : Name := (privateToUserName? n).getD n

/-- `pos` and `endPos` of a syntax tree, as line and column in `fm` (as sorries report them). -/
def rangeFields (fm : FileMap) (stx : Syntax) : List (String × Json) :=
  let p := stx.getPos?.getD 0
  let e := stx.getTailPos?.getD p
  [("pos", posJson (fm.toPosition p)), ("endPos", posJson (fm.toPosition e))]

/-- A tactic node as JSON: its syntax kind, range, Lean's pretty-printed text, declaration,
goals before and after, used constants (all as in `core`'s environment, the one after the
command, under `scope`), and a proof state for the goals before, stored with `store`. The proof
state cannot use the declaration being proved (`ownDeclFree`): it gets the environment `before`
the command (unless its goals mention what the command defined) and its goals lose the
auxiliary declarations for recursive calls. `error` instead of goals and proof state if its
goals cannot be printed. -/
def tacticRecordJson (store : ProofSnapshot → IO Nat) (scope : Command.Scope) (core : Core.State)
    (before : Environment) (fm : FileMap) (n : TacticNode) : IO Json := do
  let ti := n.info
  let kind := match ti.stx with | .node _ k _ => Json.str (nameStr k) | _ => Json.null
  let decl := match n.decl with | some d => Json.str (nameStr (userName d)) | none => Json.null
  let common := ("kind", kind) :: ("decl", decl) :: rangeFields fm ti.stx
  let shown ← runTermElab (do return (← goalsJson ti.goalsBefore, ← ppTacticText ti.stx)) scope 0 core
    { mctx := ti.mctxBefore }
  let after ← runTermElab (goalsJson ti.goalsAfter) scope 0 core { mctx := ti.mctxAfter }
  let state ← runTermElab (ownDeclFree before ti.goalsBefore) scope 0 core { mctx := ti.mctxBefore }
  match shown.result, after.result, state.result with
  | .ok (gb, pretty), .ok ga, .ok fits =>
    let env := if fits then before else state.coreState.env
    let snap : ProofSnapshot := {
      coreState := { state.coreState with messages := {}, env },
      metaState := { state.metaState with cache := {} },
      termState := state.termState, scope := scope, goals := ti.goalsBefore, root := none }
    let pid ← store snap
    let pretty := match pretty with | some t => Json.str t | none => Json.null
    let used := strArr (listMap (fun n => nameStr (userName n)) (arrayToList (usedConstants ti)))
    return Json.mkObj (listAppend common [("pretty", pretty), ("goalsBefore", gb), ("goalsAfter", ga),
      ("usedConstants", used), ("proofState", toJson pid)])
  | .error e, _, _ | _, .error e, _ | _, _, .error e => return Json.mkObj (("error", Json.str e) :: common)

end LeanEnv
