import Lean.Elab.Frontend
import Lean.Util.CollectAxioms
import LeanEnv.Util
import LeanEnv.Rpc
import LeanEnv.Elab
import LeanEnv.Proof
import LeanEnv.Decls
import LeanEnv.Export
import LeanEnv.Import
import LeanEnv.Judge
import LeanEnv.Handlers

/-!
The methods that hand a proof over as data (`proof.export`, on an elaborating worker) and those
of the judge process (`judge.check`, `judge.proof`), plus the routing that keeps a judge (started
with `--judge`) from elaborating anything but the caller's own trusted text: no tactic, command
or proof-state method is served there.
-/

namespace LeanEnv
open Lean Elab Meta

/-- `proof.export {proofState}`: a solved proof state's proof term and every constant it uses
that no imported module holds (auxiliary lemmas, the header's declarations), as data:
`{name, value, type, export: {names, levels, exprs, constants}}` (`value`, `type`: expression
indices). Fails with `not_finished` for a state with goals or holes left, `not_verifiable` for
one that does not descend from `proof.start`. -/
def handleProofExport (ref : StateRef) (p : Json) : RpcM Json := do
  let t0 ← nowMs
  let snap ← getProofSnap ref (← param p "proofState")
  let some root := snap.root
    | throw (replError (-32014) "not_verifiable" "only proof states that descend from proof.start can be verified")
  if let _ :: _ := snap.goals then throw (replError (-32014) "not_finished" "the proof is not finished: goals remain")
  let o ← runTermElab (instantiateMVars root.proof) snap.scope 0 { snap.coreState with messages := {} }
    snap.metaState snap.termState
  let value ← match o.result with
    | .ok v => pure v
    | .error e => throw { code := -32603, message := e }
  if value.hasExprMVar then throw (replError (-32014) "not_finished" "the proof is incomplete: some goals are still open")
  let env := snap.coreState.env
  let imported (n : Name) : Bool := (env.getModuleIdxFor? n).isSome
  let (_, deps) := dependenciesOf env imported (arrayToList value.getUsedConstants) [] #[]
  let (e, v) := encExpr {} value
  let (e, t) := encExpr e root.type
  let (e, cs) := encConstants e (arrayToList deps)
  return Json.mkObj [("name", nameStr root.name), ("value", natJ v), ("type", natJ t),
    ("export", e.toJson [("constants", Json.arr cs)]), ("elapsedMs", toJson ((← nowMs) - t0))]

/-- Decode an export's tables and constant records, or an `invalid_params` error. -/
def decodeExport (j : Json) : RpcM (Decoded × Array ConstRec) := do
  match decodeTables j with
  | .error e => throw (invalidParams e)
  | .ok d => match decodeConsts d j with
    | .error e => throw (invalidParams e)
    | .ok cs => pure (d, cs)

/-- Elaborate `theorem name binders : type` (the caller's statement, without proof) in `cs`:
its name, closed type and universe parameters. -/
def elabStatementIn (cs : Command.State) (stmt : String) (hb : Nat) : RpcM (Name × Expr × List Name) := do
  let stx ← match Parser.runParserCategory cs.env `command (stmt ++ " := sorry") "<statement>" with
    | .ok s => pure s
    | .error e => throw (replError (-32012) "parse_error" s!"statement does not parse: {e}")
  let (n, binders, ty) ← match statementParts stx with
    | .ok x => pure x
    | .error e => throw (invalidParams e)
  let o ← runTermElab (elabStatement binders ty) (scopeOf cs) hb (coreStateOf cs)
  match o.result with
  | .error e => throw (replError (-32013) "elaboration_error" s!"the statement does not elaborate: {e}")
  | .ok (t, us) =>
    if hasError o.coreState.messages then
      throw (replError (-32013) "elaboration_error" "the statement does not elaborate" [("messages", ← messagesJson o.coreState.messages)])
    return (n, t, us)

/-- `judge.check {env, export, reference?, target?, maxHeartbeats?}`: replay an export's
constants onto `env` through the kernel (a constant `env` already has stays `env`'s), then
audit each one `env` did not have, from this environment alone: `{constants: [...], reference}`
in `env.check`'s shape. With `reference` (a statement, elaborated here in `env`) and `target` (a
replayed constant), `reference` is `{found, type?, typeMatches?}`: whether the target's type is
the statement's. -/
def handleJudgeCheck (ref : StateRef) (p : Json) : RpcM Json := do
  let cs := (← getEnvSnap ref (← param p "env")).cmdState
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let t0 ← nowMs
  let (_, recs) ← decodeExport (← param p "export")
  let refStmt? : Option String ← paramD p "reference" none
  let target? : Option String ← paramD p "target" none
  let refType? ← match refStmt? with
    | some s => do
      let (_, t, _) ← elabStatementIn cs s hb
      match dropMData t with
      | .ok t => pure (some t)
      | .error e => throw { code := -32603, message := e }
    | none => pure none
  let work : Term.TermElabM (Array Json × Json) := do
    let results ← replayRecords recs cs.env
    let mut audits := #[]
    for i in natsBelow recs.size do
      let r : ConstRec := if h : i < recs.size then recs[i] else default
      if cs.env.contains r.name then continue
      let res := if h : i < results.size then results[i] else none
      audits := audits.push (← auditRecord cs.env r res)
    let refJson ← match refType?, target? with
      | some t, some target => do
        match (← getEnv).find? target.toName with
        | none => pure (Json.mkObj [("found", false)])
        | some ci => pure (Json.mkObj [("found", true), ("type", ← ppText ci.type), ("typeMatches", t.eqv ci.type)])
      | _, _ => pure Json.null
    return (audits, refJson)
  let o ← runTermElab work { scopeOf cs with opts := Compat.kernelCheckOptions } hb (coreStateOf cs)
  match o.result with
  | .error e => throw { code := -32603, message := s!"judge: {e}" }
  | .ok (audits, refJson) =>
    return Json.mkObj [("constants", Json.arr audits), ("reference", refJson), ("elapsedMs", toJson ((← nowMs) - t0))]

/-- `judge.proof {env, statement | statementId, export, value, maxHeartbeats?}`: check a proof term
handed over as data against the caller's statement, elaborated here in `env` (or kept from
`judge.statement` in the same `env`): replay the export's constants, add
`theorem <name> : <statement> := <value>` through the kernel and collect its axioms; the answer
of `proof.verify` (`{ok, name, axioms, importedAxioms}` or `{ok: false, error, limit?}`). -/
def handleJudgeProof (ref : StateRef) (p : Json) : RpcM Json := do
  let cs := (← getEnvSnap ref (← param p "env")).cmdState
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let t0 ← nowMs
  let statementId? : Option Nat ← paramD p "statementId" none
  let (n, type, levelParams) ← match statementId? with
    | some i => do
      let some root := (← getProofSnap ref i).root
        | throw (invalidParams s!"statementId {i} is not a statement from judge.statement")
      pure (root.name, root.type, root.levelParams)
    | none => elabStatementIn cs (← param p "statement") hb
  let ex ← param p "export"
  let (d, recs) ← decodeExport ex
  let value ← match jRef "value" d.exprs (← param p "value") with
    | .ok v => pure v
    | .error e => throw (invalidParams e)
  let fail (e : String) (limit : Option String) : IO Json := do
    let base := [("ok", Json.bool false), ("error", Json.str e), ("elapsedMs", toJson ((← nowMs) - t0))]
    return Json.mkObj (match limit with | some l => ("limit", Json.str l) :: base | none => base)
  let work : Term.TermElabM (Except KernelFailure Json) := do
    -- What the term uses first (each after what it uses); a refusal is the proof's.
    let st : ReplayState := { status := listToArray (listMap (fun _ => none) (natsBelow recs.size)) }
    let (_, failed) ← replayUses recs (recordIndex recs) cs.env (arrayToList value.getUsedConstants) st
    if let some f := failed then return .error f
    let name := freshTheoremName (← getEnv) n
    if let some f ← addDeclKernel (.thmDecl { name, levelParams, type, value }) then return .error f
    let axioms ← collectAxioms name
    let (imported, declared) := splitImported (← getEnv) (arrayToList axioms)
    return .ok (Json.mkObj [("ok", true), ("name", nameStr name), ("axioms", strArr (listMap nameStr declared)),
      ("importedAxioms", strArr (listMap nameStr imported))])
  let o ← runTermElab work { scopeOf cs with opts := Compat.kernelCheckOptions } hb (coreStateOf cs)
  match o.result with
  | .error e => fail e none
  | .ok (.error f) => fail f.message f.limit
  | .ok (.ok j) => return j.mergeObj (Json.mkObj [("elapsedMs", toJson ((← nowMs) - t0))])

/-- `judge.statement {env, statement, maxHeartbeats?}`: elaborate the caller's statement in `env`
once and keep it (freed with `state.drop`'s `proofStates`): `{statementId, elapsedMs}`, for
`judge.proof`'s `statementId` (the same `env`) instead of elaborating it again per proof. -/
def handleJudgeStatement (ref : StateRef) (p : Json) : RpcM Json := do
  let cs := (← getEnvSnap ref (← param p "env")).cmdState
  let hb ← paramD p "maxHeartbeats" defaultHeartbeats
  let t0 ← nowMs
  let (name, type, levelParams) ← elabStatementIn cs (← param p "statement") hb
  let id ← storeProof ref {
    coreState := coreStateOf cs, metaState := {}, termState := {}, scope := scopeOf cs, goals := [],
    root := some { name, levelParams, type, proof := type, baseEnv := cs.env } }
  return Json.mkObj [("statementId", toJson id), ("elapsedMs", toJson ((← nowMs) - t0))]

/-- Methods a judge serves: none that elaborates tactics, commands of a submission or proof states. -/
def judgeMethods : List String :=
  ["initialize", "env.import", "env.check", "judge.check", "judge.statement", "judge.proof", "state.drop", "state.stats"]

/-- Route a request: the methods of this module, then `dispatch`; a judge refuses every other method. -/
def route (judge : Bool) (ref : StateRef) (method : String) (p : Json) : RpcM Json :=
  if judge && !listAny (· == method) judgeMethods then
    throw { code := -32601, message := s!"method not served by a judge: {method}" }
  else match method with
    | "proof.export" => handleProofExport ref p
    | "judge.check" => handleJudgeCheck ref p
    | "judge.proof" => handleJudgeProof ref p
    | "judge.statement" => handleJudgeStatement ref p
    | _ => dispatch ref method p

end LeanEnv
