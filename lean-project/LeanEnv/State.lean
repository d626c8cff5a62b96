import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Util

/-!
Snapshots the REPL hands out as integer ids. Ids index append-only arrays, so an
old id still names the same state after later steps (backtracking is free);
`drop` empties a slot so its memory can be reclaimed.
-/

namespace LeanEnv
open Lean Elab

/-- An environment id's state: the command state after a header or a command
(environment, options, open namespaces). -/
structure EnvSnapshot where
  cmdState : Command.State

/-- What a proof state needs to be verified: the theorem it proves. -/
structure ProofRoot where
  name : Name
  levelParams : List Name
  type : Expr
  /-- The metavariable standing for the whole proof. -/
  proof : Expr
  /-- The environment the statement was elaborated in. -/
  baseEnv : Environment

/-- A proof state: elaborator states plus the open goals. -/
structure ProofSnapshot where
  coreState : Core.State
  metaState : Meta.State
  termState : Term.State
  /-- Scope (options, namespaces) the proof runs under. -/
  scope : Command.Scope
  goals : List MVarId
  root : Option ProofRoot

/-- All states of one REPL process. -/
structure ReplState where
  envs : Array (Option EnvSnapshot) := #[]
  proofs : Array (Option ProofSnapshot) := #[]
  /-- Imported environments, keyed by the rendered import list. -/
  imports : List (String × Environment) := []

/-- Store an environment snapshot; returns its id. -/
def ReplState.addEnv (s : ReplState) (e : EnvSnapshot) : ReplState × Nat :=
  ({ s with envs := s.envs.push (some e) }, s.envs.size)

/-- Store a proof snapshot; returns its id. -/
def ReplState.addProof (s : ReplState) (p : ProofSnapshot) : ReplState × Nat :=
  ({ s with proofs := s.proofs.push (some p) }, s.proofs.size)

/-- Look up an environment id. -/
def ReplState.env? (s : ReplState) (i : Nat) : Option EnvSnapshot :=
  if h : i < s.envs.size then s.envs[i] else none

/-- Look up a proof-state id. -/
def ReplState.proof? (s : ReplState) (i : Nat) : Option ProofSnapshot :=
  if h : i < s.proofs.size then s.proofs[i] else none

/-- Forget environment ids (slots stay, emptied). -/
def ReplState.dropEnvs (s : ReplState) : List Nat → ReplState
  | [] => s
  | i :: is => (if i < s.envs.size then { s with envs := s.envs.set! i none } else s).dropEnvs is

/-- Forget proof-state ids (slots stay, emptied). -/
def ReplState.dropProofs (s : ReplState) : List Nat → ReplState
  | [] => s
  | i :: is => (if i < s.proofs.size then { s with proofs := s.proofs.set! i none } else s).dropProofs is

/-- Number of live (not dropped) entries. -/
def countLive (xs : Array (Option α)) : Nat := go 0 0
where
  go (i acc : Nat) : Nat :=
    if h : i < xs.size then go (i + 1) (if xs[i].isSome then acc + 1 else acc) else acc
  termination_by xs.size - i

end LeanEnv
