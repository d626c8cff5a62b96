import Lean.Elab.Frontend
import Lean.Util.CollectAxioms
import LeanEnv.Util
import LeanEnv.Elab
import LeanEnv.Proof
import LeanEnv.Decls
import LeanEnv.Import

/-!
The judge's primitives: replay decoded constants onto a base environment through the kernel
(each after the constants it uses, recursively; a constant the base already has is the base's,
never replaced), then audit each one as `env.check` does, from the judge's own environment.
The judge never elaborates a submission: it only sees its constants as data.
-/

namespace LeanEnv
open Lean Elab Meta

/-- What replaying the records has reached: the status of each record (`none`: not yet
replayed; `some none`: accepted; `some (some f)`: refused) and the records in progress. -/
structure ReplayState where
  status : Array (Option (Option KernelFailure))
  visiting : List Nat := []

/-- The index of each record by name (the first record of a name counts); the table's entries
hold the record indices. -/
def recordIndex (recs : Array ConstRec) : Interner Name :=
  go (arrayToList recs) 0 (Interner.new #[])
where
  go : List ConstRec → Nat → Interner Name → Interner Name
    | [], _, t => t
    | r :: rs, i, t => match t.find? nameHash nameEq r.name with
      | some _ => go rs (i + 1) t
      | none => go rs (i + 1) (t.add nameHash r.name (natJ i)).1

/-- The record of a name, with its index. -/
def findRecord (recs : Array ConstRec) (index : Interner Name) (n : Name) : Option (Nat × ConstRec) :=
  match index.find? nameHash nameEq n with
  | none => none
  | some k => match (jAt index.out k).getNat? with
    | .ok i => if h : i < recs.size then some (i, recs[i]) else none
    | .error _ => none

/-- The names of a list that are not in `drop` (hand-written). -/
def listWithout (drop : List Name) : List Name → List Name
  | [] => []
  | n :: ns => if listAny (· == n) drop then listWithout drop ns else n :: listWithout drop ns

/-- A list without its first element. -/
def listTail : List α → List α
  | [] => []
  | _ :: xs => xs

/-- `0, …, n - 1`. -/
def natsBelow (n : Nat) : List Nat := go n []
where
  go : Nat → List Nat → List Nat
    | 0, acc => acc
    | k + 1, acc => go k (k :: acc)

/-- A refusal that is not the kernel's. -/
def refusal (msg : String) : KernelFailure := { message := msg, limit := none }

/-- Constants a record's declaration uses (for an inductive: its types' and constructors' types). -/
def recordUses (recs : Array ConstRec) (index : Interner Name) (r : ConstRec) : List Name :=
  let own (x : Expr) : List Name := arrayToList x.getUsedConstants
  let base := listAppend (own r.type) (match r.value with | some v => own v | none => [])
  if r.kind != "ind" then base else
  let group := listAppend r.all (ctorsOf r.all)
  let uses := listAppend base (usesOf (listAppend r.all (ctorsOf r.all)))
  listWithout group uses
where
  ctorsOf : List Name → List Name
    | [] => []
    | n :: ns => listAppend (match findRecord recs index n with | some (_, r) => r.ctors | none => []) (ctorsOf ns)
  usesOf : List Name → List Name
    | [] => []
    | n :: ns => listAppend (match findRecord recs index n with
        | some (_, r) => arrayToList r.type.getUsedConstants | none => []) (usesOf ns)

/-- The declaration that adds a record (an inductive: its whole group, from the group's records). -/
def recordDecl (recs : Array ConstRec) (index : Interner Name) (r : ConstRec) : Except String Declaration := do
  match r.kind, r.value with
  | "thm", some v =>
    let t : TheoremVal := { name := r.name, levelParams := r.levelParams, type := r.type, value := v }
    pure (.thmDecl t)
  | "def", some v =>
    let d : DefinitionVal := { name := r.name, levelParams := r.levelParams, type := r.type, value := v, hints := r.hints, safety := r.safety, all := [r.name] }
    pure (.defnDecl d)
  | "opaque", some v =>
    let d : OpaqueVal := { name := r.name, levelParams := r.levelParams, type := r.type, value := v, isUnsafe := r.isUnsafe, all := [r.name] }
    pure (.opaqueDecl d)
  | "ax", _ =>
    let a : AxiomVal := { name := r.name, levelParams := r.levelParams, type := r.type, isUnsafe := r.isUnsafe }
    pure (.axiomDecl a)
  | "ind", _ =>
    let mut types := #[]
    for n in r.all do
      let some (_, t) := findRecord recs index n | throw s!"the inductive type {nameStr n} of {nameStr r.name}'s group is missing"
      let mut ctors := #[]
      for c in t.ctors do
        let some (_, cr) := findRecord recs index c | throw s!"the constructor {nameStr c} is missing"
        ctors := ctors.push { name := c, type := cr.type : Constructor }
      types := types.push { name := n, type := t.type, ctors := arrayToList ctors : InductiveType }
    pure (.inductDecl r.levelParams r.numParams (arrayToList types) r.isUnsafe)
  | k, _ => throw s!"{nameStr r.name}: a {k} is not added on its own"

mutual
/-- Replay record `i` (after what it uses) onto the current environment; `base` is the environment
the records extend. Returns the record's refusal, if any. -/
partial def replayRecord (recs : Array ConstRec) (index : Interner Name) (base : Environment)
    (i : Nat) (st : ReplayState) : CoreM (ReplayState × Option KernelFailure) := do
  match (if h : i < st.status.size then st.status[i] else none) with
  | some r => return (st, r)
  | none => pure ()
  let r : ConstRec := if h : i < recs.size then recs[i] else default
  let done (st : ReplayState) (res : Option KernelFailure) : ReplayState × Option KernelFailure :=
    ({ st with status := st.status.set! i (some res) }, res)
  if listAny (· == i) st.visiting then return done st (some (refusal s!"{nameStr r.name} depends on itself"))
  -- The base's own constant is the one that counts (e.g. a reference's preamble): never replaced.
  if base.contains r.name then return done st none
  if r.kind == "ctor" then
    match findRecord recs index r.induct with
    | none => return done st (some (refusal s!"the inductive type of constructor {nameStr r.name} is missing"))
    | some (j, _) =>
      let (st, res) ← replayRecord recs index base j { st with visiting := i :: st.visiting }
      let st := { st with visiting := listTail st.visiting }
      if res.isSome then return done st res
      if (← getEnv).contains r.name then return done st none
      return done st (some (refusal s!"{nameStr r.name} is not a constructor its inductive type declares"))
  if (← getEnv).contains r.name then return done st none
  let (st, failed) ← replayUses recs index base (recordUses recs index r) { st with visiting := i :: st.visiting }
  let st := { st with visiting := listTail st.visiting }
  if let some f := failed then return done st (some f)
  -- The other types of a mutual group are added by its first one.
  if r.kind == "ind" then
    match r.all with
    | first :: _ =>
      if first != r.name then
        match findRecord recs index first with
        | some (j, _) =>
          let (st, res) ← replayRecord recs index base j { st with visiting := i :: st.visiting }
          return done { st with visiting := listTail st.visiting } res
        | none => return done st (some (refusal s!"the inductive group of {nameStr r.name} is missing"))
    | [] => pure ()
  match recordDecl recs index r with
  | .error e => return done st (some (refusal e))
  | .ok d =>
    if let some f ← addDeclKernel d then return done st (some f)
    if r.kind == "def" then
      try compileDecl d catch _ => pure ()
    return done st none

/-- Replay the records behind `uses` that neither the base nor the environment has yet; the first refusal. -/
partial def replayUses (recs : Array ConstRec) (index : Interner Name) (base : Environment)
    (uses : List Name) (st : ReplayState) : CoreM (ReplayState × Option KernelFailure) := do
  match uses with
  | [] => return (st, none)
  | n :: rest =>
    if base.contains n || (← getEnv).contains n then return (← replayUses recs index base rest st)
    -- A recursor is the kernel's: it comes with its inductive type (the record of its prefix).
    let owner := match findRecord recs index n, n with
      | some r, _ => some r
      | none, .str p _ => match findRecord recs index p with
        | some (j, r) => if r.kind == "ind" then some (j, r) else none
        | none => none
      | none, _ => none
    match owner with
    | none => return (st, some (refusal s!"unknown constant {nameStr n}"))
    | some (j, _) =>
      let (st, res) ← replayRecord recs index base j st
      match res with
      | some f => return (st, some { f with message := s!"it uses {nameStr n}, which the kernel did not accept: {f.message}" })
      | none =>
        if (← getEnv).contains n then replayUses recs index base rest st
        else return (st, some (refusal s!"unknown constant {nameStr n}"))
end

/-- Replay every record; the refusal of each (`none`: accepted). -/
def replayRecords (recs : Array ConstRec) (base : Environment) : CoreM (Array (Option KernelFailure)) := do
  let index := recordIndex recs
  let mut st : ReplayState := { status := listToArray (listMap (fun _ => none) (natsBelow recs.size)) }
  for i in natsBelow recs.size do
    let (st', _) ← replayRecord recs index base i st
    st := st'
  return listToArray (listMap (fun (s : Option (Option KernelFailure)) => s.getD none) (arrayToList st.status))

/-- Text of a record's kind, as `env.check` reports it. -/
def recordKind : String → String
  | "thm" => "theorem" | "def" => "definition" | "ax" => "axiom" | "opaque" => "opaque"
  | "ind" => "inductive" | "ctor" => "constructor" | k => k

/-- The audit of one replayed record, in the shape of `env.check`'s constants: from the judge's
environment alone (a refused proposition keeps its refusal as its kernel check). -/
def auditRecord (base : Environment) (r : ConstRec) (res : Option KernelFailure) : MetaM Json := do
  let env ← getEnv
  let ci? := env.find? r.name
  -- A type the kernel refused may not even be a type: count it as a proof, so that it is judged.
  let prop ← try isProp r.type catch _ => pure true
  let isUnsafe := match ci?, r.safety with
    | some ci, _ => ci.isUnsafe | none, .unsafe => true | none, _ => r.isUnsafe
  let isPartial := match ci?, r.safety with
    | some ci, _ => isPartialConst ci | none, .partial => true | none, _ => false
  let usesSorry := r.type.hasSorry || (match r.value with | some v => v.hasSorry | none => false)
  let fields : List (String × Json) := [("name", nameStr r.name), ("kind", recordKind r.kind),
    ("isProp", prop), ("unsafe", isUnsafe), ("partial", isPartial), ("sorry", usesSorry),
    ("internal", isInternalName r.name), ("command", toJson (0 : Nat))]
  let axiomsFields ← if res.isNone && (prop || r.kind == "ax") then do
      let axs ← collectAxioms r.name
      let (imported, declared) := splitImported env (arrayToList axs)
      pure [("axioms", strArr (listMap nameStr declared)), ("importedAxioms", strArr (listMap nameStr imported))]
    else pure []
  let fields := listAppend fields axiomsFields
  if !prop then return Json.mkObj fields
  let deps := if res.isNone then (newDependencies env base r.name [] #[]).2 else #[]
  return Json.mkObj (listAppend fields [("unsafeDependencies", strArr (unsafeNames (arrayToList deps))),
    ("kernel", kernelJson (.ok res))])

end LeanEnv
