import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Meta.PPGoal
import Lean.PrettyPrinter
import LeanEnv.Util
import LeanEnv.Elab
import LeanEnv.Goals
import LeanEnv.State
import LeanEnv.TacticNodes

/-!
A command's info trees as generic data (`env.command` with `infoTree`): per node its kind,
syntax range, whether the syntax is original, and for tactic, term and command nodes what
the Lean REPL prints of them (pretty syntax, elaborator, goals, expression). Context nodes are
not nodes of their own (their metavariable context is used below them). Filtering and the
REPL's JSON shape are in TypeScript (`server/compat/repl-infotree.ts`).
-/

namespace LeanEnv
open Lean Elab Meta

/-- Run `x` with a metavariable context in place of the current one (restored afterwards). -/
def withMetavarContext (m : MetavarContext) (x : MetaM α) : MetaM α := do
  let saved ← getMCtx
  setMCtx m
  try x finally setMCtx saved

/-- Lean's pretty-printing of a term's syntax, or none if it throws. -/
def ppTermText (stx : Syntax) : CoreM (Option String) := do
  try return some (toString (← PrettyPrinter.ppTerm ⟨stx⟩))
  catch _ => return none

/-- An optional string as JSON (`null` for none). -/
def optStr : Option String → Json
  | some s => Json.str s
  | none => Json.null

/-- JSON for a node's syntax: kind, range in `fm`, whether its head is original, and `pp`. -/
def syntaxJson (fm : FileMap) (stx : Syntax) (pp : Option String) : Json :=
  let kind := match stx with | .node _ k _ => Json.str (nameStr k) | _ => Json.null
  Json.mkObj (listAppend [("kind", kind), ("original", Json.bool (isOriginalSyntax stx))]
    (listAppend (rangeFields fm stx) [("pp", optStr pp)]))

/-- An elaborator's name as JSON (`null` when anonymous). -/
def elaboratorJson (n : Name) : Json := if n.isAnonymous then Json.null else Json.str (nameStr n)

/-- What the REPL prints of a tactic, term or command node (other nodes: nothing). Runs in the
metavariable context of the enclosing command context (the current one). -/
def infoFields (fm : FileMap) : Info → MetaM (List (String × Json))
  | .ofTacticInfo i => do
    let before ← withMetavarContext i.mctxBefore (goalsJson i.goalsBefore)
    let after ← withMetavarContext i.mctxAfter (goalsJson i.goalsAfter)
    return [("elaborator", elaboratorJson i.elaborator), ("stx", syntaxJson fm i.stx (← ppTacticText i.stx)),
      ("goalsBefore", before), ("goalsAfter", after)]
  | .ofTermInfo i => withReader (fun c => { c with lctx := i.lctx }) do
    let expected ← match i.expectedType? with
      | some t => pure (Json.str (← ppText (← instantiateMVars t)))
      | none => pure Json.null
    return [("elaborator", elaboratorJson i.elaborator), ("stx", syntaxJson fm i.stx (← ppTermText i.stx)),
      ("expectedType", expected), ("expr", Json.str (← ppText (← instantiateMVars i.expr))),
      ("isBinder", Json.bool i.isBinder)]
  | .ofCommandInfo i => withReader (fun c => { c with lctx := {} }) do
    return [("elaborator", elaboratorJson i.elaborator), ("stx", syntaxJson fm i.stx (← ppTermText i.stx))]
  | _ => return []

mutual
/-- The nodes of an info tree as JSON (a context node gives its subtree's nodes; a hole, its
goal printed). A node whose details cannot be printed gets `error` instead of them. -/
partial def infoTreeJson (fm : FileMap) : InfoTree → MetaM (List Json)
  | .context (.commandCtx c) t => withMetavarContext c.mctx (infoTreeJson fm t)
  | .context _ t => infoTreeJson fm t
  | .hole g => do
    let goal ← try pure (Json.str (toString (← ppGoal g))) catch _ => pure Json.null
    return [Json.mkObj [("kind", "hole"), ("original", Json.bool true), ("goal", goal), ("children", Json.arr #[])]]
  | .node info children => do
    let original := match Compat.infoSyntax? info with | some s => isOriginalSyntax s | none => true
    let fields ← try infoFields fm info catch e => pure [("error", Json.str (← e.toMessageData.toString))]
    let kids ← infoTreesJson fm (paToList children)
    return [Json.mkObj (listAppend [("kind", Json.str (Compat.infoKind info)), ("original", Json.bool original)]
      (listAppend fields [("children", Json.arr (listToArray kids))]))]

/-- `infoTreeJson` over a list of trees, in order. -/
partial def infoTreesJson (fm : FileMap) : List InfoTree → MetaM (List Json)
  | [] => return []
  | t :: ts => return listAppend (← infoTreeJson fm t) (← infoTreesJson fm ts)
end

/-- What `env.command` reports beyond messages and sorries, for the commands' info trees
`trees` (command state `cs`, source `code`): with `tactics`, the tactic records
(`tacticRecordJson`, selected as the REPL's `allTactics`); with `rootGoals`, the same records
for the outermost tactic node of each proof (the REPL's root goals); with `infoTree`, the trees
as data (`infoTreeJson`). Proof states are stored with `store`, each in the environment before
its command (`before` for the first command). -/
def commandExtras (store : ProofSnapshot → IO Nat) (scope : Command.Scope) (core : Core.State)
    (before : Environment) (code : String) (trees : List InfoTree) (tactics rootGoals infoTree : Bool) :
    IO (List (String × Json)) := do
  let fm := code.toFileMap
  let records (roots : Bool) : IO Json := do
    let mut out := #[]
    for (env, t) in treesWithEnvBefore before trees do
      for n in arrayToList (tacticNodes roots none #[] t) do
        out := out.push (← tacticRecordJson store scope core env fm n)
    return Json.arr out
  let mut extra := []
  if tactics then extra := ("tactics", ← records false) :: extra
  if rootGoals then extra := ("rootGoals", ← records true) :: extra
  if infoTree then
    let o ← runTermElab (infoTreesJson fm trees) scope 0 core
    extra := match o.result with
      | .ok js => ("infoTree", Json.arr (listToArray js)) :: extra
      | .error e => ("infoTreeError", Json.str e) :: extra
  return extra

end LeanEnv
