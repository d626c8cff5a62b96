import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal

/-!
Small helpers that avoid library functions whose compiled helpers are missing
from the embedded (wasm) Lean's exported oleans (see the notes on this build):
names are printed, persistent arrays walked and lists measured by hand.
-/

namespace LeanEnv
open Lean Meta

/-- Dotted text of a name (hand-written: `Name.toString` is not usable on the wasm build). -/
partial def nameStr : Name → String
  | .anonymous => "[anonymous]"
  | .str .anonymous s => s
  | .str p s => nameStr p ++ "." ++ s
  | .num .anonymous n => Nat.repr n
  | .num p n => nameStr p ++ "." ++ Nat.repr n

/-- Elements of an array from index `i` on, prepended to `acc` in reverse order. -/
partial def arrayRevAppend (xs : Array α) (i : Nat) (acc : List α) : List α :=
  if h : i < xs.size then arrayRevAppend xs (i + 1) (xs[i] :: acc) else acc

/-- Elements of a persistent-array node, in reverse order, prepended to `acc`. -/
partial def paNodeRev : PersistentArrayNode α → List α → List α
  | .leaf vs, acc => arrayRevAppend vs 0 acc
  | .node cs, acc => goNodes cs 0 acc
where
  goNodes (cs : Array (PersistentArrayNode α)) (i : Nat) (acc : List α) : List α :=
    if h : i < cs.size then goNodes cs (i + 1) (paNodeRev cs[i] acc) else acc

/-- Reverse a list (hand-written). -/
def listRev (xs : List α) : List α := go xs []
where
  go : List α → List α → List α
    | [], acc => acc
    | x :: xs, acc => go xs (x :: acc)

/-- Elements of an array as a list (hand-written). -/
def arrayToList (xs : Array α) : List α := listRev (arrayRevAppend xs 0 [])

/-- Elements of a persistent array, in order. -/
def paToList (a : PersistentArray α) : List α :=
  listRev (arrayRevAppend a.tail 0 (paNodeRev a.root []))

/-- A list as an array (hand-written). -/
def listToArray (xs : List α) : Array α := go xs #[]
where
  go : List α → Array α → Array α
    | [], acc => acc
    | x :: xs, acc => go xs (acc.push x)

/-- Number of elements of a list (hand-written). -/
def listLen (xs : List α) : Nat := (listToArray xs).size

/-- Map over a list (hand-written). -/
def listMap (f : α → β) : List α → List β
  | [] => []
  | x :: xs => f x :: listMap f xs

/-- Append two lists (hand-written). -/
def listAppend : List α → List α → List α
  | [], ys => ys
  | x :: xs, ys => x :: listAppend xs ys

/-- Whether some element satisfies `p` (hand-written). -/
def listAny (p : α → Bool) : List α → Bool
  | [] => false
  | x :: xs => p x || listAny p xs

/-- First element satisfying `p` (hand-written). -/
def listFind? (p : α → Bool) : List α → Option α
  | [] => none
  | x :: xs => if p x then some x else listFind? p xs

/-- Fold a list from the left (hand-written). -/
def listFold (f : β → α → β) (init : β) : List α → β
  | [] => init
  | x :: xs => listFold f (f init x) xs

/-- Fold an array from the left by index (hand-written). -/
def arrayFold (f : β → α → β) (init : β) (xs : Array α) : β := go 0 init
where
  go (i : Nat) (acc : β) : β :=
    if h : i < xs.size then go (i + 1) (f acc xs[i]) else acc
  termination_by xs.size - i

/-- A JSON array of strings. -/
def strArr (xs : List String) : Json := Json.arr (listToArray (listMap Json.str xs))

/-- Run `x` with the local context (and its instances) of a goal, in place of
`MVarId.withContext`, whose implementation is private on the wasm build. -/
def withGoalContext (g : MVarId) (x : MetaM α) : MetaM α := do
  let decl ← g.getDecl
  withReader (fun ctx => { ctx with lctx := decl.lctx, localInstances := decl.localInstances }) x

/-- Current time in milliseconds (monotonic). -/
def nowMs : IO Nat := IO.monoMsNow

end LeanEnv
