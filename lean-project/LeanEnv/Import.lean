import Lean.Elab.Frontend
import LeanEnv.Util
import LeanEnv.Rpc
import LeanEnv.Export

/-!
Constants from data (the format of `LeanEnv.Export`), for the judge. Decoding is total: every
index must point at an earlier entry, every entry must have its shape, free and meta variables
are refused; bad data is an error, never a term.
-/

namespace LeanEnv
open Lean

/-- The decoded tables of an export. -/
structure Decoded where
  names : Array Name := #[]
  levels : Array Level := #[]
  exprs : Array Expr := #[]

/-- Element `k` of a JSON array, or null. -/
def jAt (a : Array Json) (k : Nat) : Json := if h : k < a.size then a[k] else Json.null

/-- A JSON array. -/
def jArr (what : String) : Json → Except String (Array Json)
  | .arr a => .ok a
  | _ => .error s!"bad export data: {what} is not an array"

/-- A natural number. -/
def jNat (what : String) (j : Json) : Except String Nat :=
  match j.getNat? with
  | .ok n => .ok n
  | .error _ => .error s!"bad export data: {what} is not a natural number"

/-- Entry `j` (an index) of an already decoded table. -/
def jRef [Inhabited β] (what : String) (table : Array β) (j : Json) : Except String β := do
  let i ← jNat what j
  if h : i < table.size then pure table[i] else throw s!"bad export data: {what} index {i} is out of range"

/-- The tag of a table entry (its first element). -/
def jTag (a : Array Json) : String := match jAt a 0 with | .str s => s | _ => ""

/-- Decode the name table. -/
partial def decodeNames (es : Array Json) (i : Nat) (acc : Array Name) : Except String (Array Name) :=
  if h : i < es.size then
    if i == 0 then decodeNames es 1 (acc.push .anonymous) else do
    let a ← jArr "a name" es[i]
    let p ← jRef "name parent" acc (jAt a 0)
    let n ← match jAt a 1 with
      | .str s => pure (Name.str p s)
      | j => do pure (Name.num p (← jNat "a name component" j))
    decodeNames es (i + 1) (acc.push n)
  else pure acc

/-- Decode the level table. -/
partial def decodeLevels (names : Array Name) (es : Array Json) (i : Nat) (acc : Array Level) : Except String (Array Level) :=
  if h : i < es.size then
    if i == 0 then decodeLevels names es 1 (acc.push levelZero) else do
    let a ← jArr "a level" es[i]
    let l ← match jTag a with
      | "s" => do pure (mkLevelSucc (← jRef "level" acc (jAt a 1)))
      | "m" => do pure (mkLevelMax (← jRef "level" acc (jAt a 1)) (← jRef "level" acc (jAt a 2)))
      | "i" => do pure (mkLevelIMax (← jRef "level" acc (jAt a 1)) (← jRef "level" acc (jAt a 2)))
      | "p" => do pure (mkLevelParam (← jRef "name" names (jAt a 1)))
      | t => throw s!"bad export data: level entry '{t}' (metavariables are refused)"
    decodeLevels names es (i + 1) (acc.push l)
  else pure acc

/-- A binder annotation from its code. -/
def binderOf : Nat → Except String BinderInfo
  | 0 => .ok .default | 1 => .ok .implicit | 2 => .ok .strictImplicit | 3 => .ok .instImplicit
  | k => .error s!"bad export data: binder code {k}"

/-- Levels named by a JSON array of indices. -/
def levelList (levels : Array Level) (j : Json) : Except String (List Level) := do
  let a ← jArr "a level list" j
  let mut out := #[]
  for x in arrayToList a do out := out.push (← jRef "level" levels x)
  return arrayToList out

/-- A natural number from its decimal digits. -/
def natOfDigits (s : String) : Except String Nat :=
  match s.toList with
  | [] => .error "bad export data: empty number"
  | cs => match digitsValue cs 0 with | some n => .ok n | none => .error "bad export data: not a number"

/-- Decode the expression table. -/
partial def decodeExprs (d : Decoded) (es : Array Json) (i : Nat) : Except String Decoded :=
  if h : i < es.size then do
    let a ← jArr "an expression" es[i]
    let x := d.exprs
    let e ← match jTag a with
      | "b" => do pure (mkBVar (← jNat "bvar" (jAt a 1)))
      | "s" => do pure (mkSort (← jRef "level" d.levels (jAt a 1)))
      | "c" => do pure (mkConst (← jRef "name" d.names (jAt a 1)) (← levelList d.levels (jAt a 2)))
      | "a" => do pure (mkApp (← jRef "expr" x (jAt a 1)) (← jRef "expr" x (jAt a 2)))
      | "l" => do pure (mkLambda (← jRef "name" d.names (jAt a 1)) (← binderOf (← jNat "binder" (jAt a 4)))
          (← jRef "expr" x (jAt a 2)) (← jRef "expr" x (jAt a 3)))
      | "f" => do pure (mkForall (← jRef "name" d.names (jAt a 1)) (← binderOf (← jNat "binder" (jAt a 4)))
          (← jRef "expr" x (jAt a 2)) (← jRef "expr" x (jAt a 3)))
      | "z" => do
        let nd ← match jAt a 5 with | .bool b => pure b | _ => throw "bad export data: let flag"
        pure (mkLet (← jRef "name" d.names (jAt a 1)) (← jRef "expr" x (jAt a 2)) (← jRef "expr" x (jAt a 3))
          (← jRef "expr" x (jAt a 4)) nd)
      | "n" => match jAt a 1 with
        | .str s => do pure (mkRawNatLit (← natOfDigits s))
        | _ => throw "bad export data: nat literal"
      | "t" => match jAt a 1 with
        | .str s => pure (mkStrLit s)
        | _ => throw "bad export data: string literal"
      | "p" => do pure (mkProj (← jRef "name" d.names (jAt a 1)) (← jNat "proj" (jAt a 2)) (← jRef "expr" x (jAt a 3)))
      | t => throw s!"bad export data: expression entry '{t}' (free and meta variables are refused)"
    decodeExprs { d with exprs := d.exprs.push e } es (i + 1)
  else pure d

/-- Decode the three tables of an export. -/
def decodeTables (j : Json) : Except String Decoded := do
  let field (k : String) : Except String (Array Json) := match j.getObjVal? k with
    | .ok v => jArr k v
    | .error _ => .error s!"bad export data: no '{k}'"
  let names ← decodeNames (← field "names") 0 #[]
  let levels ← decodeLevels names (← field "levels") 0 #[]
  decodeExprs { names, levels } (← field "exprs") 0

/-- One exported constant, decoded. -/
structure ConstRec where
  kind : String
  name : Name
  levelParams : List Name
  type : Expr
  value : Option Expr := none
  hints : ReducibilityHints := .opaque
  safety : DefinitionSafety := .safe
  isUnsafe : Bool := false
  numParams : Nat := 0
  all : List Name := []
  ctors : List Name := []
  induct : Name := .anonymous
deriving Inhabited

/-- Names listed by a JSON array of indices. -/
def nameList (d : Decoded) (j : Json) : Except String (List Name) := do
  let a ← jArr "a name list" j
  let mut out := #[]
  for x in arrayToList a do out := out.push (← jRef "name" d.names x)
  return arrayToList out

/-- Decode one constant record. -/
def decodeConst (d : Decoded) (j : Json) : Except String ConstRec := do
  let get (k : String) : Json := (j.getObjVal? k).toOption.getD Json.null
  let kind ← match get "k" with | .str s => pure s | _ => throw "bad export data: constant kind"
  let name ← jRef "name" d.names (get "n")
  let levelParams ← nameList d (get "u")
  let type ← jRef "expr" d.exprs (get "t")
  let value ← match get "v" with
    | .null => pure none
    | v => do pure (some (← jRef "expr" d.exprs v))
  let flag (k : String) : Bool := match get k with | .bool b => b | _ => false
  let hints ← match get "h" with
    | .str "a" => pure ReducibilityHints.abbrev
    | .null | .str "o" => pure ReducibilityHints.opaque
    | h => do pure (ReducibilityHints.regular (← jNat "hints" h).toUInt32)
  let safety := match get "safety" with
    | .str "unsafe" => DefinitionSafety.unsafe | .str "partial" => .partial | _ => .safe
  let numParams ← match get "np" with | .null => pure 0 | v => jNat "np" v
  let all ← match get "all" with | .null => pure [] | v => nameList d v
  let ctors ← match get "ctors" with | .null => pure [] | v => nameList d v
  let induct ← match get "ind" with | .null => pure Name.anonymous | v => jRef "name" d.names v
  let needsValue := kind == "thm" || kind == "def" || kind == "opaque"
  if needsValue && value.isNone then throw s!"bad export data: {nameStr name} has no value"
  unless listAny (· == kind) ["thm", "def", "opaque", "ax", "ind", "ctor"] do
    throw s!"bad export data: unknown constant kind '{kind}'"
  return { kind, name, levelParams, type, value, hints, safety, isUnsafe := flag "unsafe", numParams, all, ctors, induct }

/-- Decode the constant records of an export. -/
def decodeConsts (d : Decoded) (j : Json) : Except String (Array ConstRec) := do
  let cs ← match j.getObjVal? "constants" with
    | .ok v => jArr "constants" v
    | .error _ => pure #[]
  let mut out := #[]
  for c in arrayToList cs do out := out.push (← decodeConst d c)
  return out

/-- An expression without metadata, sharing kept (through the export format and back). -/
def dropMData (e : Expr) : Except String Expr := do
  let (enc, i) := encExpr {} e
  let d ← decodeTables (enc.toJson [])
  if h : i < d.exprs.size then pure d.exprs[i] else throw "dropMData: lost the expression"

end LeanEnv
