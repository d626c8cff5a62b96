import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Util
import LeanEnv.State
import LeanEnv.Compat

/-!
The elaborator, driven by hand: monad stacks are run by applying them to their
contexts and state references (the library's `run` helpers are not usable on the
wasm build), commands go through `IO.processCommands`.
-/

namespace LeanEnv
open Lean Elab

/-- Result of running elaboration code: the value or the error text, plus the final states. -/
structure ElabOutcome (α : Type) where
  result : Except String α
  coreState : Core.State
  metaState : Meta.State
  termState : Term.State

/-- Options for a request in `scope`: the scope's own, with the request's heartbeat limit (in
thousands, 0 = none) as `maxHeartbeats`, exactly as `runCommands` gives it to a file's commands. -/
def requestOptions (scope : Command.Scope) (maxHeartbeats : Nat) : Options :=
  scope.opts.setNat `maxHeartbeats maxHeartbeats

/-- The one place the REPL builds a `Core.Context` for a request (tactic steps, proof start,
verification, declaration checks; commands get theirs from Lean's frontend itself). Like the
frontend (`Command.runCore` / `CoreM.run`): every limit is read from the options — `maxRecDepth`
(default 512, not the structure's 1000), `maxHeartbeats`, `diagnostics` — together with the
inherited trace options, and quotations are hygienic relative to the environment's main module.
The recursion depth starts at 0, as before `elabCommand`; `underCommand` adds the command's
levels. Must run on the thread that elaborates (heartbeats are per thread). -/
def requestContext (opts : Options) (scope : Command.Scope) (env : Environment) : IO Core.Context := do
  return {
    fileName := "<leanenv>", fileMap := default, options := opts,
    currNamespace := scope.currNamespace, openDecls := scope.openDecls,
    maxRecDepth := maxRecDepth.get opts,
    maxHeartbeats := Core.getMaxHeartbeats opts,
    diag := diagnostics.get opts,
    quotContext := env.mainModule,
    inheritedTraceOptions := ← inheritedTraceOptions.get,
    initHeartbeats := ← IO.getNumHeartbeats }

/-- The `Meta.Context` of a request: the one Lean's frontend gives a command's term elaboration
(`Command.mkMetaContext`, used by `liftTermElabM`), whose `isDefEq` makes first-order, context
and quasi-pattern approximations; the structure's default (`{}`) makes none, so unification
problems a file solves could fail as a step. -/
def requestMetaContext : Meta.Context := Command.mkMetaContext

/-- Run `x` at the recursion depth a command's term elaboration runs at in Lean's frontend (4.28):
inside `elabCommand`'s `withIncRecDepth`, then inside `runTermElabM`'s `Term.withAutoBoundImplicit`,
whose retry loop adds a level when `autoImplicit` is on. (Lean's own `withAutoBoundImplicit` has no
executable code on the embedded build; its auto-bound mode is turned off again for a `by` block,
so only its depth is reproduced.) -/
def underCommand (x : Term.TermElabM α) : Term.TermElabM α :=
  withIncRecDepth do
    if autoImplicit.get (← getOptions) then withIncRecDepth x else x

/-- Text of an elaboration exception. -/
def exceptionText : Exception → IO String
  | .error _ msg => msg.toString
  | .internal id _ => return s!"internal exception {nameStr (← id.getName)}"

/-- Run `x` from the given states under `scope`, in the contexts `requestContext` and
`requestMetaContext` build from the scope's options and the heartbeat limit in thousands (0 =
none); exceptions become error text. -/
def runTermElab (x : Term.TermElabM α) (scope : Command.Scope) (maxHeartbeats : Nat)
    (core : Core.State) (metaSt : Meta.State := {}) (termSt : Term.State := {})
    (termCtx : Term.Context := {}) : IO (ElabOutcome α) := do
  let cctx ← requestContext (requestOptions scope maxHeartbeats) scope core.env
  let coreRef ← IO.mkRef core
  let metaRef ← IO.mkRef metaSt
  let termRef ← IO.mkRef termSt
  -- Exceptions are turned into text inside the monad, where their message has its context.
  let guarded : Term.TermElabM (Except String α) :=
    tryCatchRuntimeEx (do return Except.ok (← x)) fun e => do
      return Except.error (← (← addMessageContext e.toMessageData).toString)
  let r ← (guarded termCtx termRef requestMetaContext metaRef cctx coreRef).toIO'
  let result ← match r with
    | .ok a => pure a
    | .error e => pure (Except.error (← exceptionText e))
  return { result, coreState := ← coreRef.get, metaState := ← metaRef.get, termState := ← termRef.get }

/-- JSON for a position. -/
def posJson (p : Position) : Json := Json.mkObj [("line", p.line), ("column", p.column)]

/-- JSON for one message: severity, position, end position, text. -/
def messageJson (m : Message) : IO Json := do
  let sev := match m.severity with
    | .error => "error" | .warning => "warning" | .information => "info"
  let text ← m.data.toString
  let endPos := match m.endPos with | some p => posJson p | none => Json.null
  return Json.mkObj [("severity", sev), ("pos", posJson m.pos), ("endPos", endPos), ("data", text)]

/-- JSON for every message of a log (reported first). -/
def messagesJson (log : MessageLog) : IO Json := do
  let mut out := #[]
  for m in paToList log.reported do out := out.push (← messageJson m)
  for m in paToList log.unreported do out := out.push (← messageJson m)
  return Json.arr out

/-- Whether a log holds an error. -/
def hasError (log : MessageLog) : Bool :=
  listAny (·.severity matches .error) (paToList log.reported) ||
  listAny (·.severity matches .error) (paToList log.unreported)

/-- Text of a log's first error, if it has one. -/
def firstErrorText (log : MessageLog) : IO (Option String) :=
  match listFind? (·.severity matches .error) (listAppend (paToList log.reported) (paToList log.unreported)) with
  | some m => some <$> m.data.toString
  | none => pure none

/-- Parser input for a text. -/
def inputContext (input : String) (fileName := "<input>") : Parser.InputContext :=
  { inputString := input, fileName, fileMap := input.toFileMap }

/-- Elaborate commands from `input` (starting at `pos`) on top of a command state,
with info trees recorded and a heartbeat limit in thousands (0 = none). -/
def runCommands (cmdState : Command.State) (input : String) (maxHeartbeats : Nat)
    (parserState : Parser.ModuleParserState := {}) : IO Command.State := do
  let scopes := match cmdState.scopes with
    | sc :: rest => { sc with opts := requestOptions sc maxHeartbeats } :: rest
    | [] => []
  let st := { cmdState with messages := {}, scopes, infoState := { enabled := true } }
  Compat.processCommands (inputContext input) parserState st

/-- Import the header of `input` (its `import` lines) and elaborate the commands after it
(unless `commands` is false: then the rest of the text is ignored, nothing is elaborated). -/
def runHeader (input : String) (cache : List (String × Environment)) (maxHeartbeats : Nat)
    (commands : Bool := true) : IO (Command.State × List (String × Environment)) := do
  let ictx := inputContext input
  let (header, parserState, msgs) ← Parser.parseHeader ictx
  let imports := headerToImports header
  let key := String.intercalate "," (listMap (fun (i : Import) => nameStr i.module) (arrayToList imports))
  let (env, cache, msgs) ← match listFind? (·.1 == key) cache with
    | some (_, env) => pure (env, cache, msgs)
    | none => do
      let (env, msgs) ← Compat.processHeader header msgs ictx
      pure (env, if hasError msgs then cache else (key, env) :: cache, msgs)
  let st := Command.mkState env msgs {}
  if !commands then return (st, cache)
  let st ← runCommands st input maxHeartbeats parserState
  return ({ st with messages := msgs ++ st.messages }, cache)

end LeanEnv
