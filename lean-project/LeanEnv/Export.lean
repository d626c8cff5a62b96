import Lean.Elab.Frontend
import Lean.Util.FoldConsts
import LeanEnv.Util

/-!
Constants as data, for the judge: the elaborating worker hands over what a submission added
(declarations, a proof term) as JSON, and the judge process (which never runs submission code)
rebuilds and re-checks it. Three tables keep the sharing of Lean's terms: names, universe
levels and expressions, each entry referring only to earlier entries by index.

- names: `0` is the anonymous name; `[parent, "s"]` a string component, `[parent, k]` a numeric one;
- levels: `0` is zero; `["s", l]`, `["m", a, b]`, `["i", a, b]` (succ, max, imax), `["p", name]`;
  a level metavariable is `["?"]` (the judge refuses it);
- exprs: `["b", i]` bvar, `["s", level]` sort, `["c", name, [levels]]` constant, `["a", f, x]`,
  `["l"|"f", binderName, type, body, binderInfo]` lambda/forall, `["z", name, type, value, body,
  nonDep]` let, `["n", "digits"]` / `["t", "text"]` literals, `["p", struct, idx, e]` projection;
  free and meta variables are `["F"]` / `["M"]` (refused). Metadata is dropped (the kernel ignores it).
-/

namespace LeanEnv
open Lean

/-- Interning table: gives each distinct key an index in first-seen order (a bucket hash table
written by hand: the library's hash maps have no executable code on the wasm build). -/
structure Interner (α : Type) where
  buckets : Array (List (α × Nat))
  out : Array Json

/-- An array of `n` empty buckets. -/
partial def emptyBuckets (n : Nat) (acc : Array (List β) := #[]) : Array (List β) :=
  if acc.size ≥ n then acc else emptyBuckets n (acc.push [])

/-- A table whose first entries are `seed` (keys never looked up). -/
def Interner.new (seed : Array Json) : Interner α := { buckets := emptyBuckets 256, out := seed }

/-- The index of a key in a bucket. -/
def bucketFind (eq : α → α → Bool) (x : α) : List (α × Nat) → Option Nat
  | [] => none
  | (k, i) :: rest => if eq k x then some i else bucketFind eq x rest

/-- The bucket of a hash. -/
def bucketOf (t : Interner α) (h : UInt64) : List (α × Nat) :=
  let b := h.toNat % t.buckets.size
  if hb : b < t.buckets.size then t.buckets[b] else []

/-- The index of `x`, if interned. -/
def Interner.find? (t : Interner α) (hash : α → UInt64) (eq : α → α → Bool) (x : α) : Option Nat :=
  bucketFind eq x (bucketOf t (hash x))

/-- Re-bucket every entry into `n` buckets. -/
def rehash (hash : α → UInt64) (old : Array (List (α × Nat))) (n : Nat) : Array (List (α × Nat)) :=
  goBuckets (arrayToList old) (emptyBuckets n)
where
  goEntries : List (α × Nat) → Array (List (α × Nat)) → Array (List (α × Nat))
    | [], acc => acc
    | (k, i) :: rest, acc =>
      let b := (hash k).toNat % acc.size
      let cur := if hb : b < acc.size then acc[b] else []
      goEntries rest (acc.set! b ((k, i) :: cur))
  goBuckets : List (List (α × Nat)) → Array (List (α × Nat)) → Array (List (α × Nat))
    | [], acc => acc
    | bs :: rest, acc => goBuckets rest (goEntries bs acc)

/-- Add a key with its encoded entry; returns the table and the new index. -/
def Interner.add (t : Interner α) (hash : α → UInt64) (x : α) (entry : Json) : Interner α × Nat :=
  let i := t.out.size
  let buckets := if t.out.size > 4 * t.buckets.size then rehash hash t.buckets (8 * t.buckets.size) else t.buckets
  let b := (hash x).toNat % buckets.size
  let cur := if hb : b < buckets.size then buckets[b] else []
  ({ buckets := buckets.set! b ((x, i) :: cur), out := t.out.push entry }, i)

/-- The three tables of an export. -/
structure Encoder where
  names : Interner Name := Interner.new #[Json.null]
  levels : Interner Level := Interner.new #[Json.null]
  exprs : Interner Expr := Interner.new #[]

/-- A name's hash (hand-written: `Name.hash` has no executable code on the wasm build). -/
@[noinline] partial def nameHash : Name → UInt64
  | .anonymous => 1723
  | .str p s => mixHash (nameHash p) (hash s)
  | .num p k => mixHash (nameHash p) (hash k)

/-- Name equality as a function of our own (`nameEq` has no boxed code on the wasm build). -/
@[noinline] def nameEq (a b : Name) : Bool := a == b

/-- Level equality as a function of our own. -/
@[noinline] def levelEq (a b : Level) : Bool := a == b

/-- Level hash as a function of our own. -/
@[noinline] def levelHash (l : Level) : UInt64 := l.hash

/-- Strict structural equality of expressions (binder names included), as a function of our own. -/
@[noinline] def exprEq (a b : Expr) : Bool := Expr.equal a b

/-- Expression hash as a function of our own. -/
@[noinline] def exprHash (e : Expr) : UInt64 := e.hash

/-- A JSON natural number. -/
def natJ (n : Nat) : Json := toJson n

/-- Intern a name. -/
partial def encName (e : Encoder) (n : Name) : Encoder × Nat :=
  match n with
  | .anonymous => (e, 0)
  | .str p s => match e.names.find? nameHash nameEq n with
    | some i => (e, i)
    | none =>
      let (e, pi) := encName e p
      let (t, i) := e.names.add nameHash n (Json.arr #[natJ pi, Json.str s])
      ({ e with names := t }, i)
  | .num p k => match e.names.find? nameHash nameEq n with
    | some i => (e, i)
    | none =>
      let (e, pi) := encName e p
      let (t, i) := e.names.add nameHash n (Json.arr #[natJ pi, natJ k])
      ({ e with names := t }, i)

/-- Intern several names. -/
def encNames (e : Encoder) (ns : List Name) (acc : Array Json := #[]) : Encoder × Array Json :=
  match ns with
  | [] => (e, acc)
  | n :: ns => let (e, i) := encName e n; encNames e ns (acc.push (natJ i))

/-- Intern a universe level. -/
partial def encLevel (e : Encoder) (l : Level) : Encoder × Nat :=
  match l with
  | .zero => (e, 0)
  | _ => match e.levels.find? levelHash levelEq l with
    | some i => (e, i)
    | none =>
      let (e, entry) : Encoder × Json := match l with
        | .succ a => let (e, a) := encLevel e a; (e, Json.arr #["s", natJ a])
        | .max a b => let (e, a) := encLevel e a; let (e, b) := encLevel e b; (e, Json.arr #["m", natJ a, natJ b])
        | .imax a b => let (e, a) := encLevel e a; let (e, b) := encLevel e b; (e, Json.arr #["i", natJ a, natJ b])
        | .param n => let (e, n) := encName e n; (e, Json.arr #["p", natJ n])
        | _ => (e, Json.arr #["?"])
      let (t, i) := e.levels.add levelHash l entry
      ({ e with levels := t }, i)

/-- Intern several levels. -/
def encLevels (e : Encoder) (ls : List Level) (acc : Array Json := #[]) : Encoder × Array Json :=
  match ls with
  | [] => (e, acc)
  | l :: ls => let (e, i) := encLevel e l; encLevels e ls (acc.push (natJ i))

/-- The code of a binder annotation. -/
def binderCode : BinderInfo → Nat
  | .default => 0 | .implicit => 1 | .strictImplicit => 2 | .instImplicit => 3

/-- Intern an expression (metadata dropped). -/
partial def encExpr (e : Encoder) (x : Expr) : Encoder × Nat :=
  match x with
  | .mdata _ b => encExpr e b
  | _ => match e.exprs.find? exprHash exprEq x with
    | some i => (e, i)
    | none =>
      let (e, entry) : Encoder × Json := match x with
        | .bvar i => (e, Json.arr #["b", natJ i])
        | .sort l => let (e, l) := encLevel e l; (e, Json.arr #["s", natJ l])
        | .const n ls =>
          let (e, n) := encName e n
          let (e, ls) := encLevels e ls
          (e, Json.arr #["c", natJ n, Json.arr ls])
        | .app f a => let (e, f) := encExpr e f; let (e, a) := encExpr e a; (e, Json.arr #["a", natJ f, natJ a])
        | .lam n t b bi =>
          let (e, n) := encName e n; let (e, t) := encExpr e t; let (e, b) := encExpr e b
          (e, Json.arr #["l", natJ n, natJ t, natJ b, natJ (binderCode bi)])
        | .forallE n t b bi =>
          let (e, n) := encName e n; let (e, t) := encExpr e t; let (e, b) := encExpr e b
          (e, Json.arr #["f", natJ n, natJ t, natJ b, natJ (binderCode bi)])
        | .letE n t v b nd =>
          let (e, n) := encName e n; let (e, t) := encExpr e t; let (e, v) := encExpr e v
          let (e, b) := encExpr e b
          (e, Json.arr #["z", natJ n, natJ t, natJ v, natJ b, Json.bool nd])
        | .lit (.natVal k) => (e, Json.arr #["n", Json.str (Nat.repr k)])
        | .lit (.strVal s) => (e, Json.arr #["t", Json.str s])
        | .proj s i b => let (e, s) := encName e s; let (e, b) := encExpr e b; (e, Json.arr #["p", natJ s, natJ i, natJ b])
        | .fvar _ => (e, Json.arr #["F"])
        | _ => (e, Json.arr #["M"])
      let (t, i) := e.exprs.add exprHash x entry
      ({ e with exprs := t }, i)

/-- Code of a definition's reducibility hints. -/
def hintsJson : ReducibilityHints → Json
  | .opaque => "o" | .abbrev => "a" | .regular h => natJ h.toNat

/-- Code of a definition's safety. -/
def safetyStr : DefinitionSafety → String
  | .safe => "safe" | .unsafe => "unsafe" | .partial => "partial"

/-- Encode one constant (recursors and the quotient are left out: the kernel makes those). -/
def encConstant (e : Encoder) (ci : ConstantInfo) : Encoder × Option Json :=
  let (e, n) := encName e ci.name
  let (e, us) := encNames e ci.levelParams
  let (e, t) := encExpr e ci.type
  let base := [("n", natJ n), ("u", Json.arr us), ("t", natJ t)]
  let withValue (e : Encoder) (k : String) (v : Expr) (more : List (String × Json)) : Encoder × Option Json :=
    let (e, v) := encExpr e v
    (e, some (Json.mkObj (("k", Json.str k) :: ("v", natJ v) :: listAppend base more)))
  match ci with
  | .thmInfo v => withValue e "thm" v.value []
  | .defnInfo v => withValue e "def" v.value [("h", hintsJson v.hints), ("safety", Json.str (safetyStr v.safety))]
  | .opaqueInfo v => withValue e "opaque" v.value [("unsafe", Json.bool v.isUnsafe)]
  | .axiomInfo v => (e, some (Json.mkObj (("k", "ax") :: ("unsafe", Json.bool v.isUnsafe) :: base)))
  | .inductInfo v =>
    let (e, all) := encNames e v.all
    let (e, ctors) := encNames e v.ctors
    (e, some (Json.mkObj (listAppend [("k", "ind"), ("np", natJ v.numParams), ("all", Json.arr all),
      ("ctors", Json.arr ctors), ("unsafe", Json.bool v.isUnsafe)] base)))
  | .ctorInfo v =>
    let (e, ind) := encName e v.induct
    (e, some (Json.mkObj (("k", "ctor") :: ("ind", natJ ind) :: base)))
  | _ => (e, none)

/-- Encode constants, in order. -/
def encConstants (e : Encoder) (cis : List ConstantInfo) (acc : Array Json := #[]) : Encoder × Array Json :=
  match cis with
  | [] => (e, acc)
  | ci :: rest =>
    let (e, j) := encConstant e ci
    encConstants e rest (match j with | some j => acc.push j | none => acc)

/-- The export's JSON: its tables and `fields` (which refer to them). -/
def Encoder.toJson (e : Encoder) (fields : List (String × Json)) : Json :=
  Json.mkObj (listAppend [("names", Json.arr e.names.out), ("levels", Json.arr e.levels.out),
    ("exprs", Json.arr e.exprs.out)] fields)

/-- Constants as data: `{names, levels, exprs, constants}`. -/
def exportConstantInfos (cis : Array ConstantInfo) : Json :=
  let (e, cs) := encConstants {} (arrayToList cis)
  e.toJson [("constants", Json.arr cs)]

/-- The constants of `env` named in `names`, as data: `{names, levels, exprs, constants}`. -/
def exportConstants (env : Environment) (names : List Name) : Json :=
  let (e, cs) := encConstants {} (found names [])
  e.toJson [("constants", Json.arr cs)]
where
  found : List Name → List ConstantInfo → List ConstantInfo
    | [], acc => listRev acc
    | n :: ns, acc => found ns (match env.find? n with | some ci => ci :: acc | none => acc)

end LeanEnv
