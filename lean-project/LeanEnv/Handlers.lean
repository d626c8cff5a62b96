import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Util
import LeanEnv.State
import LeanEnv.Rpc
import LeanEnv.Elab
import LeanEnv.Goals
import LeanEnv.Proof
import LeanEnv.Sorries
import LeanEnv.Decls
import LeanEnv.Export
import LeanEnv.InfoTreeData

/-!
The REPL's JSON-RPC methods. Each takes the params object and returns a result
object; request-level problems (unknown ids, bad params, a statement that does not
elaborate) are JSON-RPC errors, while a failing tactic is an ordinary result.
-/

namespace LeanEnv
open Lean Elab Meta

/-- Heartbeat limit (in thousands, as `maxHeartbeats`) when a request names none. -/
def defaultHeartbeats : Nat := 200000

/-- The REPL's state, shared by handlers. -/
abbrev StateRef := IO.Ref ReplState

/-- The environment snapshot behind an id, or an `unknown_env` error. -/
def getEnvSnap (ref : StateRef) (i : Nat) : RpcM EnvSnapshot := do
  match (← ref.get).env? i with
  | some e => pure e
  | none => throw (replError (-32010) "unknown_env" s!"unknown environment id {i}")

/-- The proof snapshot behind an id, or an `unknown_proof_state` error. -/
def getProofSnap (ref : StateRef) (i : Nat) : RpcM ProofSnapshot := do
  match (← ref.get).proof? i with
  | some p => pure p
  | none => throw (replError (-32011) "unknown_proof_state" s!"unknown proof state id {i}")

/-- Store an environment snapshot (without per-request data); returns its id. -/
def storeEnv (ref : StateRef) (cs : Command.State) : IO Nat :=
  -- `modifyGet`: atomic, as requests on several slots store at once.
  ref.modifyGet fun st => let (st, id) := st.addEnv { cmdState := { cs with messages := {}, infoState := {} } }; (id, st)

/-- Store a proof snapshot; returns its id. -/
def storeProof (ref : StateRef) (p : ProofSnapshot) : IO Nat :=
  ref.modifyGet fun st => let (st, id) := st.addProof p; (id, st)

/-- The innermost scope of a command state. -/
def scopeOf (cs : Command.State) : Command.Scope :=
  match cs.scopes with | sc :: _ => sc | [] => default

/-- Core state to start elaborating in `cs`'s environment, without info trees. -/
def coreStateOf (cs : Command.State) : Core.State :=
  { env := cs.env, ngen := cs.ngen, infoState := { enabled := false } }

/-- `initialize`: Lean version, git hash, the toolchain the REPL was compiled with and the methods it serves. -/
def handleInitialize (_ : StateRef) (_ : Json) : RpcM Json :=
  return Json.mkObj [("version", Lean.versionString), ("githash", Lean.githash),
    ("toolchain", Compat.toolchain),
    ("methods", strArr ["initialize", "env.import", "env.command", "proof.start", "proof.tactic", "proof.tactics",
      "proof.goals", "proof.verify", "decl.check", "env.check", "state.drop", "state.stats", "proof.export",
      "judge.check", "judge.statement", "judge.proof", "exit"])]

/-- `env.import {header, importsOnly?, maxHeartbeats?}`: import the header's modules (cached per
import list) and elaborate its other lines (with `importsOnly`, only Lean's header parser reads
the text: nothing after the imports is elaborated); returns `{env, messages, hasErrors, elapsedMs}`. -/
def handleImport (ref : StateRef) (p : Json) : RpcM Json := do
  let header : String ← param p "header"
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let importsOnly ← paramD p "importsOnly" false
  let t0 ← nowMs
  let (cs, cache) ← runHeader header (← ref.get).imports hb (commands := !importsOnly)
  ref.modify fun st => { st with imports := cache }
  let id ← storeEnv ref cs
  return Json.mkObj [("env", toJson id), ("messages", ← messagesJson cs.messages),
    ("hasErrors", hasError cs.messages), ("elapsedMs", toJson ((← nowMs) - t0))]

/-- `env.command {env, code, maxHeartbeats?, tactics?, rootGoals?, infoTree?}`: elaborate
commands; returns the new `env`, `messages`, `sorries` (each with a `proofState` and its
`goals`) and what the options ask for of the commands' info trees (`commandExtras`). -/
def handleCommand (ref : StateRef) (p : Json) : RpcM Json := do
  let envId : Nat ← param p "env"
  let code : String ← param p "code"
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let t0 ← nowMs
  let snap ← getEnvSnap ref envId
  let cs ← runCommands snap.cmdState code hb
  let holes := collectCommandSorries code.toFileMap snap.cmdState.env #[] (paToList cs.infoState.trees)
  let scope := scopeOf cs
  let sorries ← sorryStates (storeProof ref) scope (coreStateOf cs) holes
  let extra ← commandExtras (storeProof ref) scope (coreStateOf cs) snap.cmdState.env code (paToList cs.infoState.trees)
    (← paramD p "tactics" false) (← paramD p "rootGoals" false) (← paramD p "infoTree" false)
  let id ← storeEnv ref cs
  return Json.mkObj (listAppend [("env", toJson id), ("messages", ← messagesJson cs.messages),
    ("hasErrors", hasError cs.messages), ("sorries", Json.arr sorries),
    ("elapsedMs", toJson ((← nowMs) - t0))] extra)

/-- Constants the names depend on (themselves included) that `inBase` does not hold, dependencies first. -/
def dependenciesOf (env : Environment) (inBase : Name → Bool) : List Name → List Name → Array ConstantInfo → List Name × Array ConstantInfo
  | [], seen, acc => (seen, acc)
  | n :: ns, seen, acc => let (seen, acc) := dependenciesBeyond env inBase n seen acc; dependenciesOf env inBase ns seen acc

/-- `env.check {code, env?, export?, exportFromImports?, maxHeartbeats?}`: elaborate a submission command by command
(see `elabReported`) on top of `env`, or, without `env`, a whole file whose header Lean's
parser finds; returns `{env, header?, messages, hasErrors, commands, constants, export, elapsedMs}`.
With `export`, the proofs and axioms it added and every constant they use beyond `env` (beyond
the imports with `exportFromImports`) come as data (`LeanEnv.Export`) for the judge, and the
constants are neither replayed through the kernel nor their axioms collected here. -/
def handleCheck (ref : StateRef) (p : Json) : RpcM Json := do
  let code : String ← param p "code"
  let envId? : Option Nat ← paramD p "env" none
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let exportData ← paramD p "export" false
  let exportFromImports ← paramD p "exportFromImports" false
  let t0 ← nowMs
  let (base, pos, header) ← match envId? with
    | some i => pure ((← getEnvSnap ref i).cmdState, 0, Json.null)
    | none => do
      let (text, pos) ← headerPrefix code
      let (cs, cache) ← runHeader text (← ref.get).imports hb
      ref.modify fun st => { st with imports := cache }
      pure (cs, pos, Json.str text)
  let (cs, msgs, reports) ← elabReported code code.toUTF8 hb code.toFileMap base pos 0 {} #[]
  let msgs := base.messages ++ msgs
  -- With `export`, the judge re-checks the constants: no kernel replay here.
  let (constants, needed) ← constantsJson cs base hb reports (replay := !exportData)
  let id ← storeEnv ref { cs with messages := msgs }
  -- The proofs and axioms and what they use beyond `base` (or, with `exportFromImports`, beyond
  -- the imports: the header's own declarations too, for a judge whose base is not this header).
  let env := cs.env
  let inBase (n : Name) : Bool := if exportFromImports then (env.getModuleIdxFor? n).isSome else base.env.contains n
  let exported := if exportData then exportConstantInfos (dependenciesOf env inBase needed [] #[]).2 else Json.null
  return Json.mkObj [("env", toJson id), ("header", header), ("messages", ← messagesJson msgs),
    ("hasErrors", hasError msgs), ("commands", commandsJson reports), ("constants", constants),
    ("export", exported), ("elapsedMs", toJson ((← nowMs) - t0))]

/-- The elaboration that starts a proof: from statement text or a declaration name. -/
def startWork (env : Environment) (p : Json) : RpcM (Term.TermElabM (ProofRoot × MVarId)) := do
  let stmt? : Option String ← paramD p "statement" none
  let name? : Option String ← paramD p "name" none
  match stmt?, name? with
  | some stmt, _ =>
    let stx ← match Parser.runParserCategory env `command (stmt ++ " := sorry") "<statement>" with
      | .ok s => pure s
      | .error e => throw (replError (-32012) "parse_error" s!"statement does not parse: {e}")
    let (n, binders, ty) ← match statementParts stx with
      | .ok x => pure x
      | .error e => throw (invalidParams e)
    return do
      let (type, levelParams) ← elabStatement binders ty
      let (proof, g) ← goalFor type (binderCount binders)
      return ({ name := n, levelParams, type, proof, baseEnv := env }, g)
  | none, some nm =>
    let n := nm.toName
    let ci ← match env.find? n, env.find? (mkPrivateName env n) with
      | some ci, _ => pure ci
      | none, some ci => pure ci
      | none, none => throw (replError (-32015) "unknown_declaration" s!"unknown declaration '{nm}'")
    return do
      let (proof, g) ← goalFor ci.type 0
      return ({ name := n, levelParams := ci.levelParams, type := ci.type, proof, baseEnv := env }, g)
  | none, none => throw (invalidParams "give either 'statement' or 'name'")

/-- `proof.start {env, statement | name, maxHeartbeats?}`: a proof state for a theorem
statement (binders introduced) or a declaration's type; returns `{proofState, goals}`. -/
def handleStart (ref : StateRef) (p : Json) : RpcM Json := do
  let envId : Nat ← param p "env"
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let t0 ← nowMs
  let cs := (← getEnvSnap ref envId).cmdState
  let work ← startWork cs.env p
  let scope := scopeOf cs
  let o ← runTermElab (do let (r, g) ← work; return (r, g, ← goalsJson [g])) scope hb (coreStateOf cs)
  let msgs ← messagesJson o.coreState.messages
  match o.result with
  | .error e => throw (replError (-32013) "elaboration_error" e [("messages", msgs)])
  | .ok (root, g, gj) =>
    if hasError o.coreState.messages then
      throw (replError (-32013) "elaboration_error" "the statement does not elaborate" [("messages", msgs)])
    let pid ← storeProof ref {
      coreState := { o.coreState with messages := {} }, metaState := o.metaState,
      termState := o.termState, scope := scope, goals := [g], root := some root }
    return Json.mkObj [("proofState", toJson pid), ("goals", gj), ("messages", msgs),
      ("elapsedMs", toJson ((← nowMs) - t0))]

/-- A failed tactic's result. -/
def tacticFailure (error : String) (msgs : Json) (t0 : Nat) : IO Json := do
  return Json.mkObj [("status", "failed"), ("error", error), ("messages", msgs),
    ("elapsedMs", toJson ((← nowMs) - t0))]

/-- Run tactic text on a stored proof state (see `handleTactic`); the step's JSON result. With
`recover`, a tactic that logged errors but ended (Lean's error recovery: the term or goal it
failed on became `sorry`) gives its new state, with `recovered: true` and the errors in `messages`. -/
def runTactic (ref : StateRef) (snap : ProofSnapshot) (tac : String) (hb : Nat) (recover := false)
    (sorries := false) : IO Json := do
  let t0 ← nowMs
  match parseTactic snap.coreState.env tac with
  | .error e => tacticFailure s!"tactic does not parse: {e}" (Json.arr #[]) t0
  | .ok stx =>
    -- The term context of a theorem's body in a file (`elabFunValues`): its name as `declName?`,
    -- the other fields at their defaults (errors become `sorry` and are logged, as in a file).
    let o ← runTermElab (do
        let gs ← execTactic stx snap.goals
        return (gs, ← goalsJson gs, ← if sorries then recordedSorries else pure #[]))
      snap.scope hb { snap.coreState with messages := {}, infoState := { enabled := sorries } }
      snap.metaState snap.termState
      { declName? := snap.root.map (·.name) }
    let msgs ← messagesJson o.coreState.messages
    -- A failed step's error is the file's first error: the first one the tactic logged (error
    -- recovery logs and goes on), else the exception that ended it (a file logs it last).
    let logged ← firstErrorText o.coreState.messages
    match o.result with
    | .error e => tacticFailure (logged.getD e) msgs t0
    | .ok (gs, gj, holes) =>
      if let some e := logged then if !recover then return ← tacticFailure e msgs t0
      let core := { o.coreState with messages := {}, infoState := {} }
      -- The sorries' states first, as the Lean REPL numbers them.
      let sorryJson ← if sorries then
          pure [("sorries", Json.arr (← sorryStates (storeProof ref) snap.scope core holes))]
        else pure []
      let newId ← storeProof ref {
        snap with
        coreState := core, metaState := o.metaState,
        termState := o.termState, goals := gs }
      let status := match gs with | [] => "solved" | _ => "open"
      let recovered := if logged.isSome then [("recovered", Json.bool true)] else []
      return Json.mkObj (listAppend [("status", status), ("proofState", toJson newId), ("goals", gj),
        ("messages", msgs), ("elapsedMs", toJson ((← nowMs) - t0))] (listAppend recovered sorryJson))

/-- `proof.tactic {proofState, tactic, maxHeartbeats?, recover?, sorries?}`: run a tactic; returns the new
`proofState`, `goals` and `status` (`open` | `solved`), or `status: failed` with the error
(the old state stays usable). With `recover`, a tactic whose errors Lean recovered from (logged,
not thrown) is not `failed`: see `runTactic`. With `sorries`, also the goals of the `sorry`s the
tactic holds, each made a proof state (`sorries`, as `env.command` gives them). -/
def handleTactic (ref : StateRef) (p : Json) : RpcM Json := do
  let snap ← getProofSnap ref (← param p "proofState")
  runTactic ref snap (← param p "tactic") (← paramD p "maxHeartbeats" defaultHeartbeats)
    (recover := ← paramD p "recover" false) (sorries := ← paramD p "sorries" false)

/-- `proof.tactics {proofState, tactics, maxHeartbeats?}`: run each tactic on the same state, one
after the other, each as `proof.tactic` would (its own heartbeat budget); `{results}` in order.
One request for a search's expansion instead of one per tactic. -/
def handleTactics (ref : StateRef) (p : Json) : RpcM Json := do
  let snap ← getProofSnap ref (← param p "proofState")
  let tactics ← strArrayParam p "tactics"
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  return Json.mkObj [("results", Json.arr (← go snap hb tactics 0 #[]))]
where
  go (snap : ProofSnapshot) (hb : Nat) (tactics : Array String) (i : Nat) (acc : Array Json) : IO (Array Json) :=
    if h : i < tactics.size then do go snap hb tactics (i + 1) (acc.push (← runTactic ref snap tactics[i] hb))
    else pure acc
  termination_by tactics.size - i

/-- `proof.goals {proofState}`: the goals of a proof state. -/
def handleGoals (ref : StateRef) (p : Json) : RpcM Json := do
  let snap ← getProofSnap ref (← param p "proofState")
  let o ← runTermElab (goalsJson snap.goals) snap.scope 0 snap.coreState snap.metaState snap.termState
  match o.result with
  | .ok gj => return Json.mkObj [("goals", gj)]
  | .error e => throw { code := -32603, message := e }

/-- `proof.verify {proofState, maxHeartbeats?}`: for a solved state from `proof.start`, build the
proof term, reject `sorry`, add it through the kernel (under the heartbeat limit, like every
request: past it the kernel stops with a deterministic timeout) and report its axioms:
`{ok, name?, axioms?, error?, limit?}` (`limit`: the resource limit that stopped the kernel). -/
def handleVerify (ref : StateRef) (p : Json) : RpcM Json := do
  let snap ← getProofSnap ref (← param p "proofState")
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let t0 ← nowMs
  let some root := snap.root
    | throw (replError (-32014) "not_verifiable" "only proof states that descend from proof.start can be verified")
  let fail (e : String) : RpcM Json := return Json.mkObj [("ok", false), ("error", e),
    ("elapsedMs", toJson ((← nowMs) - t0))]
  match snap.goals with
  | _ :: _ => fail "the proof is not finished: goals remain"
  | [] =>
    let o ← runTermElab (verifyRoot root) { snap.scope with opts := Compat.kernelCheckOptions } hb
      { snap.coreState with messages := {} } snap.metaState snap.termState
    match o.result with
    | .error e => fail e
    | .ok (.error f) => match f.limit with
      | some l => return Json.mkObj [("ok", false), ("error", f.message), ("limit", l), ("elapsedMs", toJson ((← nowMs) - t0))]
      | none => fail f.message
    | .ok (.ok j) => return j.mergeObj (Json.mkObj [("ok", true), ("elapsedMs", toJson ((← nowMs) - t0))])

/-- Find a declaration by name, also as the private name the module-system build gives it. -/
def findDecl (env : Environment) (n : Name) : Option (Name × ConstantInfo) :=
  match env.find? n with
  | some ci => some (n, ci)
  | none =>
    let pn := mkPrivateName env n
    match env.find? pn with
    | some ci => some (pn, ci)
    | none => none

/-- Elaborate `theorem name binders : type` (without proof) in `cs` to its closed type. -/
def elabReference (cs : Command.State) (stmt : String) (hb : Nat) : RpcM Expr := do
  let stx ← match Parser.runParserCategory cs.env `command (stmt ++ " := sorry") "<reference>" with
    | .ok s => pure s
    | .error e => throw (replError (-32012) "parse_error" s!"reference does not parse: {e}")
  let (_, binders, ty) ← match statementParts stx with
    | .ok x => pure x
    | .error e => throw (invalidParams e)
  let o ← runTermElab (do return (← elabStatement binders ty).1) (scopeOf cs) hb (coreStateOf cs)
  let t ← match o.result with
    | .ok t => pure t
    | .error e => throw (replError (-32013) "elaboration_error" s!"the reference does not elaborate: {e}")
  if hasError o.coreState.messages then
    throw (replError (-32013) "elaboration_error" "the reference does not elaborate"
      [("messages", ← messagesJson o.coreState.messages)])
  return t

/-- `decl.check {env, name, referenceEnv?, reference?, maxHeartbeats?}`: whether `name` is
declared in `env`, its type, the axioms it depends on, and (with a reference statement
elaborated in `referenceEnv`) whether its type is the reference's type up to binder names:
`{found, name?, type?, axioms?, importedAxioms?, typeMatches?}`. -/
def handleDeclCheck (ref : StateRef) (p : Json) : RpcM Json := do
  let cs := (← getEnvSnap ref (← param p "env")).cmdState
  let nm : String ← param p "name"
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let some (full, ci) := findDecl cs.env nm.toName
    | return Json.mkObj [("found", false)]
  let o ← runTermElab (do
      let axioms ← collectAxioms full
      return (splitImported cs.env (arrayToList axioms), ← ppText ci.type)) (scopeOf cs) 0 (coreStateOf cs)
  let ((imported, declared), ty) ← match o.result with
    | .ok r => pure r
    | .error e => throw { code := -32603, message := e }
  let refEnv? : Option Nat ← paramD p "referenceEnv" none
  let refStmt? : Option String ← paramD p "reference" none
  let matches? ← match refEnv?, refStmt? with
    | some r, some stmt => do
      let t ← elabReference (← getEnvSnap ref r).cmdState stmt hb
      pure (Json.bool (t.eqv ci.type))
    | _, _ => pure Json.null
  -- Kernel re-check: replay the declaration and what it needs onto the base environment.
  let baseEnv? : Option Nat ← paramD p "baseEnv" none
  let kernel ← match baseEnv? with
    | none => pure Json.null
    | some b => do
      let base := (← getEnvSnap ref b).cmdState
      let o ← runTermElab (replayInKernel cs.env base.env full) { scopeOf cs with opts := Compat.kernelCheckOptions } hb
        (coreStateOf base)
      pure (kernelJson o.result)
  return Json.mkObj [("found", true), ("name", nameStr full), ("type", ty),
    ("axioms", strArr (listMap nameStr declared)), ("importedAxioms", strArr (listMap nameStr imported)),
    ("typeMatches", matches?), ("kernel", kernel)]

/-- `state.drop {envs?, proofStates?}`: forget ids so their memory can be reclaimed. -/
def handleDrop (ref : StateRef) (p : Json) : RpcM Json := do
  let envs ← natListParam p "envs"
  let proofs ← natListParam p "proofStates"
  ref.modify fun st => (st.dropEnvs envs).dropProofs proofs
  let st ← ref.get
  return Json.mkObj [("envs", toJson (countLive st.envs)), ("proofStates", toJson (countLive st.proofs))]

/-- `state.stats`: live environment and proof-state counts. -/
def handleStats (ref : StateRef) (_ : Json) : RpcM Json := do
  let st ← ref.get
  return Json.mkObj [("envs", toJson (countLive st.envs)), ("proofStates", toJson (countLive st.proofs)),
    ("heartbeats", toJson (← IO.getNumHeartbeats))]

/-- Route a method to its handler. -/
def dispatch (ref : StateRef) (method : String) (p : Json) : RpcM Json :=
  match method with
  | "initialize" => handleInitialize ref p
  | "env.import" => handleImport ref p
  | "env.command" => handleCommand ref p
  | "proof.start" => handleStart ref p
  | "proof.tactic" => handleTactic ref p
  | "proof.tactics" => handleTactics ref p
  | "proof.goals" => handleGoals ref p
  | "proof.verify" => handleVerify ref p
  | "decl.check" => handleDeclCheck ref p
  | "env.check" => handleCheck ref p
  | "state.drop" => handleDrop ref p
  | "state.stats" => handleStats ref p
  | _ => throw { code := -32601, message := s!"method not found: {method}" }

end LeanEnv
