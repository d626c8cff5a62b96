import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Util

/-!
JSON-RPC 2.0 over stdio with LSP base-protocol framing (`Content-Length` headers),
written by hand so that malformed input yields an error reply instead of a crash.
-/

namespace LeanEnv
open Lean

/-- A JSON-RPC error: code, message and optional data. -/
structure RpcError where
  code : Int
  message : String
  data : Json := Json.null

/-- Invalid params (-32602). -/
def invalidParams (msg : String) : RpcError := { code := -32602, message := msg }

/-- An error of our own range with a stable string code in `data.code`. -/
def replError (code : Int) (tag : String) (msg : String) (extra : List (String × Json) := []) : RpcError :=
  { code, message := msg, data := Json.mkObj (("code", Json.str tag) :: extra) }

/-- Handler monad: errors are JSON-RPC errors. -/
abbrev RpcM := ExceptT RpcError IO

/-- A required parameter. -/
def param [FromJson α] (p : Json) (k : String) : RpcM α :=
  match p.getObjVal? k with
  | .error _ => throw (invalidParams s!"missing parameter '{k}'")
  | .ok v => match fromJson? v with
    | .ok a => pure a
    | .error e => throw (invalidParams s!"parameter '{k}': {e}")

/-- An optional parameter with a default. -/
def paramD [FromJson α] (p : Json) (k : String) (d : α) : RpcM α :=
  match p.getObjVal? k with
  | .error _ => pure d
  | .ok Json.null => pure d
  | .ok _ => param p k

/-- Value of the decimal digits in `cs`. -/
def digitsValue : List Char → Nat → Option Nat
  | [], n => some n
  | c :: cs, n => if c.isDigit then digitsValue cs (n * 10 + (c.toNat - '0'.toNat)) else none

/-- The digit characters of a list, in order. -/
def digitsOf : List Char → List Char
  | [] => []
  | c :: cs => if c.isDigit then c :: digitsOf cs else digitsOf cs

/-- A JSON array of naturals as a list, if it is one. -/
def natList? (j : Json) : Option (List Nat) := do
  let arr ← j.getArr?.toOption
  go arr 0 []
where
  go (arr : Array Json) (i : Nat) (acc : List Nat) : Option (List Nat) :=
    if h : i < arr.size then
      match arr[i].getNat? with
      | .ok n => go arr (i + 1) (n :: acc)
      | .error _ => none
    else some acc
  termination_by arr.size - i

/-- An optional parameter holding a list of naturals (missing: empty). -/
def natListParam (p : Json) (k : String) : RpcM (List Nat) :=
  match p.getObjVal? k with
  | .error _ => pure []
  | .ok Json.null => pure []
  | .ok v => match natList? v with
    | some xs => pure xs
    | none => throw (invalidParams s!"parameter '{k}': expected an array of natural numbers")

/-- A required parameter holding an array of strings. -/
def strArrayParam (p : Json) (k : String) : RpcM (Array String) := do
  let some arr := (p.getObjVal? k >>= Json.getArr?).toOption
    | throw (invalidParams s!"parameter '{k}': expected an array of strings")
  go arr 0 #[]
where
  go (arr : Array Json) (i : Nat) (acc : Array String) : RpcM (Array String) :=
    if h : i < arr.size then
      match arr[i].getStr? with
      | .ok t => go arr (i + 1) (acc.push t)
      | .error _ => throw (invalidParams s!"parameter '{k}': expected an array of strings")
    else pure acc
  termination_by arr.size - i

/-- Whether a header line is blank. -/
def isBlankLine (l : String) : Bool := l == "\r\n" || l == "\n"

/-- Read header lines up to the blank line; `none` at end of input. Lines before the
first header (noise) are skipped. -/
partial def readHeaders (h : IO.FS.Stream) (len : Option Nat) (started : Bool) :
    IO (Option (Option Nat)) := do
  let line ← h.getLine
  if line.isEmpty then return none
  if isBlankLine line then
    if started then return some len else readHeaders h len started
  else if line.startsWith "Content-Length:" then
    readHeaders h (digitsValue (digitsOf line.toList) 0) true
  else readHeaders h len true

/-- Read exactly `n` bytes (fewer only at end of input). -/
partial def readExact (h : IO.FS.Stream) (n : Nat) (acc : ByteArray) : IO ByteArray := do
  if acc.size >= n then return acc
  let chunk ← h.read (n - acc.size).toUSize
  if chunk.size == 0 then return acc
  readExact h n (acc ++ chunk)

/-- One framed message's body as text: `none` at end of input, `some (.error _)` when the frame
or its text is bad. -/
def readFrame (h : IO.FS.Stream) : IO (Option (Except String String)) := do
  match ← readHeaders h none false with
  | none => return none
  | some none => return some (.error "missing or invalid Content-Length header")
  | some (some n) =>
    let bytes ← readExact h n .empty
    match String.fromUTF8? bytes with
    | none => return some (.error "message body is not valid UTF-8")
    | some s => return some (.ok s)

/-- One framed message: `none` at end of input, `some (.error _)` when it is not JSON. -/
def readMessage (h : IO.FS.Stream) : IO (Option (Except String Json)) := do
  match ← readFrame h with
  | none => return none
  | some (.error e) => return some (.error e)
  | some (.ok s) => return some (Json.parse s)

/-- Write one framed message and flush. -/
def writeMessage (h : IO.FS.Stream) (j : Json) : IO Unit := do
  let body := j.compress
  h.putStr ("Content-Length: " ++ Nat.repr body.utf8ByteSize ++ "\r\n\r\n" ++ body)
  h.flush

/-- A success response. -/
def responseJson (id : Json) (result : Json) : Json :=
  Json.mkObj [("jsonrpc", "2.0"), ("id", id), ("result", result)]

/-- An error response. -/
def errorJson (id : Json) (e : RpcError) : Json :=
  Json.mkObj [("jsonrpc", "2.0"), ("id", id),
    ("error", Json.mkObj [("code", e.code), ("message", e.message), ("data", e.data)])]

end LeanEnv
