import Lean.Elab.Frontend
import Lean.Util.CollectAxioms
import LeanEnv.Util
import LeanEnv.State
import LeanEnv.Elab
import LeanEnv.Proof

/-!
What a submission declared, as Lean sees it: the header's end by Lean's own header parser,
the commands one by one (an `example` is elaborated under a fresh definition name so that
it stays in the environment and can be checked), the constants each command added (the
environment diff, auxiliary declarations included), limit flags from message tags, and for
each added proof its axioms and a kernel replay from the environment before the submission.
Judging all this is left to the caller.
-/

namespace LeanEnv
open Lean Elab Meta

/-- Names of a persistent hash map node's entries, prepended to `acc`. -/
partial def phmKeys : PersistentHashMap.Node Name ConstantInfo → List Name → List Name
  | .entries es, acc => goEntries es 0 acc
  | .collision ks _ _, acc => arrayRevAppend ks 0 acc
where
  goEntries (es : Array (PersistentHashMap.Entry Name ConstantInfo (PersistentHashMap.Node Name ConstantInfo)))
      (i : Nat) (acc : List Name) : List Name :=
    if h : i < es.size then
      let acc := match es[i] with
        | .entry k _ => k :: acc
        | .ref n => phmKeys n acc
        | .null => acc
      goEntries es (i + 1) acc
    else acc

/-- Constants of `env` added since its imports (every constant no imported module holds). -/
def localNames (env : Environment) : List Name := phmKeys env.constants.map₂.root []

/-- Constants of `env` that `base` lacks (`env` extends `base`). -/
def addedNames (env base : Environment) : List Name :=
  go (phmKeys env.constants.map₂.root []) []
where
  go : List Name → List Name → List Name
    | [], acc => acc
    | n :: ns, acc => go ns (if base.contains n then acc else n :: acc)

/-- Components of a name, root first, numbers as `none`. -/
def nameComponents : Name → List (Option String) → List (Option String)
  | .anonymous, acc => acc
  | .str p s, acc => nameComponents p (some s :: acc)
  | .num p _, acc => nameComponents p (none :: acc)

/-- Components after a private prefix `_private.<module>.<n>`, if any. -/
def dropPrivatePrefix : List (Option String) → List (Option String)
  | some "_private" :: rest => go rest
  | cs => cs
where
  go : List (Option String) → List (Option String)
    | [] => []
    | none :: rest => rest
    | some _ :: rest => go rest

/-- Whether a declaration is an implementation detail (a component of the user's name starts with `_`). -/
def isInternalName (n : Name) : Bool :=
  listAny (fun c => match c with
    | some s => (match s.toList with | '_' :: _ => true | _ => false)
    | none => false) (dropPrivatePrefix (nameComponents n []))

/-- Whether message data carries a tag `t` (hand-written `MessageData.hasTag`). -/
partial def msgHasTag (t : Name) : MessageData → Bool
  | .withContext _ m => msgHasTag t m
  | .withNamingContext _ m => msgHasTag t m
  | .nest _ m => msgHasTag t m
  | .group m => msgHasTag t m
  | .compose a b => msgHasTag t a || msgHasTag t b
  | .tagged n m => n == t || msgHasTag t m
  | _ => false

/-- The limit a message reports, by Lean's tags: `heartbeats`, `recursion` or none. -/
def messageLimit (m : Message) : Option String :=
  if msgHasTag `runtime.maxHeartbeats m.data then some "heartbeats"
  else if msgHasTag `runtime.maxRecDepth m.data then some "recursion"
  else none

/-- The `example` keyword of a command (also under `... in`), if it is an example. -/
partial def exampleKeyword? (stx : Syntax) : Option Syntax :=
  if stx.getKind == ``Lean.Parser.Command.declaration && stx[1].getKind == ``Lean.Parser.Command.example then
    some stx[1][0]
  else if stx.getKind == ``Lean.Parser.Command.in then exampleKeyword? stx[2]
  else none

/-- The first declaration id in a command's syntax, depth first. -/
partial def firstDeclId (stx : Syntax) : Option Name :=
  if stx.getKind == ``Lean.Parser.Command.declId then some stx[0].getId else go stx.getArgs 0
where
  go (args : Array Syntax) (i : Nat) : Option Name :=
    if h : i < args.size then
      match firstDeclId args[i] with
      | some n => some n
      | none => go args (i + 1)
    else none

/-- One elaborated command: its range, syntax kind, declared name, whether it was an
`example`, the constants it added and the limit its messages report. -/
structure CommandReport where
  pos : Position
  endPos : Position
  kind : Name
  name : Option Name
  isExample : Bool
  added : List Name
  limit : Option String

/-- The name an `example` at command index `k` is elaborated under. -/
def exampleName (k : Nat) : String := "leanenv_example_" ++ Nat.repr k

/-- The innermost scope of a command state. -/
def innermostScope (cs : Command.State) : Command.Scope :=
  match cs.scopes with | sc :: _ => sc | [] => default

/-- First limit reported by a log's messages. -/
def logLimit (log : MessageLog) : Option String :=
  go (listAppend (paToList log.reported) (paToList log.unreported))
where
  go : List Message → Option String
    | [] => none
    | m :: ms => match messageLimit m with | some l => some l | none => go ms

/-- Elaborate the commands of `input` from byte `pos` on, one at a time (each through
`runCommands` on the text up to its end, so positions are the input's); an `example` is
elaborated as `def leanenv_example_<k>` (its keyword replaced, found by the parser). Returns
the final state, all messages and a report per command. -/
partial def elabReported (input : String) (bytes : ByteArray) (hb : Nat) (fm : FileMap)
    (cs : Command.State) (pos k : Nat) (msgs : MessageLog) (acc : Array CommandReport) :
    IO (Command.State × MessageLog × Array CommandReport) := do
  if pos ≥ bytes.size then return (cs, msgs, acc)
  let sc := innermostScope cs
  let pmctx : Parser.ParserModuleContext :=
    { env := cs.env, options := sc.opts, currNamespace := sc.currNamespace, openDecls := sc.openDecls }
  let (stx, ps, _) := Parser.parseCommand (inputContext input) pmctx { pos := ⟨pos⟩ } {}
  let stop := ps.pos.byteIdx
  if stop ≤ pos then return (cs, msgs, acc)
  let (text, isEx) := match exampleKeyword? stx with
    | some kw => match kw.getPos?, kw.getTailPos? with
      | some a, some b =>
        ((bytes.extract 0 a.byteIdx).append ((("def " ++ exampleName k).toUTF8).append (bytes.extract b.byteIdx stop)), true)
      | _, _ => (bytes.extract 0 stop, false)
    | none => (bytes.extract 0 stop, false)
  let text := match String.fromUTF8? text with | some t => t | none => input
  let cs' ← runCommands cs text hb { pos := ⟨pos⟩ }
  let report : CommandReport := {
    pos := fm.toPosition ⟨pos⟩, endPos := fm.toPosition ⟨stop⟩, kind := stx.getKind,
    name := if isEx then some (Name.mkSimple (exampleName k)) else firstDeclId stx,
    isExample := isEx, added := addedNames cs'.env cs.env, limit := logLimit cs'.messages }
  elabReported input bytes hb fm cs' stop (k + 1) (msgs ++ cs'.messages) (acc.push report)

/-- The header of a whole file by Lean's header parser: its text and the byte where the body starts. -/
def headerPrefix (code : String) : IO (String × Nat) := do
  let (_, ps, _) ← Parser.parseHeader (inputContext code)
  let stop := ps.pos.byteIdx
  let h := code.toUTF8.extract 0 stop
  return (match String.fromUTF8? h with | some t => t | none => "", stop)

/-- Whether a constant is `partial` (or its unsafe implementation). -/
def isPartialConst : ConstantInfo → Bool
  | .defnInfo v => (v.safety matches .partial)
  | _ => false

/-- Text of a constant's kind. -/
def constKind : ConstantInfo → String
  | .defnInfo _ => "definition" | .thmInfo _ => "theorem" | .axiomInfo _ => "axiom"
  | .opaqueInfo _ => "opaque" | .quotInfo _ => "quotient" | .inductInfo _ => "inductive"
  | .ctorInfo _ => "constructor" | .recInfo _ => "recursor"

/-- Whether a constant's type or value mentions `sorryAx`. -/
def constHasSorry (ci : ConstantInfo) : Bool :=
  ci.type.hasSorry || (match ci.value? (allowOpaque := true) with | some v => v.hasSorry | none => false)

/-- Whether a constant's type is a proposition, and for a proposition or an axiom the axioms it depends on. -/
def auditConstant (n : Name) (ci : ConstantInfo) : Term.TermElabM (Bool × Option (Array Name)) := do
  let prop ← isProp ci.type
  if prop || (ci matches .axiomInfo _) then
    let axs ← collectAxioms n
    return (prop, some axs)
  else return (prop, none)

/-- Constants added by commands, each with the index of its command. -/
def addedWithCommand (reports : List CommandReport) (idx : Nat) : List (Nat × Name) :=
  match reports with
  | [] => []
  | r :: rs => listAppend (listMap (fun n => (idx, n)) r.added) (addedWithCommand rs (idx + 1))

/-- Constants of a list that are unsafe or partial, by name. -/
def unsafeNames : List ConstantInfo → List String
  | [] => []
  | c :: cs => if c.isUnsafe || isPartialConst c then nameStr c.name :: unsafeNames cs else unsafeNames cs

/-- Report on one added constant: kind, whether its type is a proposition, flags, and for
proofs (proposition-typed constants) and axioms the axioms they depend on; for proofs also the
unsafe or partial constants among their new dependencies and a kernel replay onto `base`
(under the request's heartbeat limit `hb`, in thousands). -/
def constantJson (cs base : Command.State) (hb : Nat) (idx : Nat) (n : Name) (ci : ConstantInfo)
    (replay : Bool := true) : IO (Json × Bool) := do
  let scope := innermostScope cs
  let core : Core.State := { env := cs.env, ngen := cs.ngen, infoState := { enabled := false } }
  -- Without the replay (the judge re-checks), the axioms are the judge's to collect too.
  let audit : Term.TermElabM (Bool × Option (Array Name)) :=
    if replay then auditConstant n ci else do return (← isProp ci.type, none)
  let o ← runTermElab audit scope 0 core
  let (prop, axs?, err?) := match o.result with
    | .ok (p, a) => (p, a, (none : Option String))
    | .error e => (false, none, some e)
  let fields : List (String × Json) := [("name", nameStr n), ("kind", constKind ci),
    ("isProp", prop), ("unsafe", ci.isUnsafe), ("partial", isPartialConst ci),
    ("sorry", constHasSorry ci), ("internal", isInternalName n), ("command", toJson idx)]
  let fields := match axs?, err? with
    | some axs, _ =>
      let (imported, declared) := splitImported cs.env (arrayToList axs)
      listAppend fields [("axioms", strArr (listMap nameStr declared)),
        ("importedAxioms", strArr (listMap nameStr imported))]
    | none, some e => listAppend fields [("axiomsError", Json.str e)]
    | none, none => fields
  let needed := prop || (ci matches .axiomInfo _)
  if !prop || !replay then return (Json.mkObj fields, needed)
  let (_, deps) := newDependencies cs.env base.env n [] #[]
  let baseCore : Core.State := { env := base.env, ngen := base.ngen, infoState := { enabled := false } }
  let k ← runTermElab (replayInKernel cs.env base.env n) { scope with opts := Compat.kernelCheckOptions } hb baseCore
  let kernel := kernelJson k.result
  return (Json.mkObj (listAppend fields [("unsafeDependencies", strArr (unsafeNames (arrayToList deps))),
    ("kernel", kernel)]), needed)

/-- Reports on every constant the commands added (see `constantJson`), and the names of those a
verdict depends on: proofs (proposition-typed constants) and axioms. -/
def constantsJson (cs base : Command.State) (hb : Nat) (reports : Array CommandReport)
    (replay : Bool := true) : IO (Json × List Name) := do
  let mut out := #[]
  let mut needed : List Name := []
  for (idx, n) in addedWithCommand (arrayToList reports) 0 do
    match cs.env.find? n with
    | some ci =>
      let (j, need) ← constantJson cs base hb idx n ci replay
      out := out.push j
      if need then needed := n :: needed
    | none => pure ()
  return (Json.arr out, listRev needed)

/-- JSON for the command reports. -/
def commandsJson (reports : Array CommandReport) : Json :=
  Json.arr (listToArray (listMap (fun (r : CommandReport) => Json.mkObj [
    ("pos", posJson r.pos), ("endPos", posJson r.endPos), ("kind", nameStr r.kind),
    ("name", match r.name with | some n => Json.str (nameStr n) | none => Json.null),
    ("example", r.isExample), ("limit", match r.limit with | some l => Json.str l | none => Json.null),
    ("added", strArr (listMap nameStr r.added))]) (arrayToList reports)))

end LeanEnv
