import Std.Sync.Mutex
import LeanEnv.Rpc
import LeanEnv.Handlers
import LeanEnv.JudgeHandlers

/-!
The REPL's serve loops: read a framed request, dispatch it, write the reply. Bad input gets an
error reply; nothing but end of input or `exit` ends a loop.

Several slots: requests answered at once, each on a dedicated Lean thread of its own (its own
heartbeat count, which Lean keeps per thread). The main thread reads request frames into a
queue, `n` threads take them from it (and parse them, on their large stacks), and replies are
written whole, one at a time. The state tables are shared (their updates are atomic, see
`storeEnv`). On the embedded build the reader must be the main thread: every other thread's
file calls (the slots' replies, their imports) are run by the main thread, which the glue's
request device keeps serving while it waits for the next request.
-/

namespace LeanEnv
open Lean

/-- Answer one request (or run one notification) through `reply`; a judge routes only its own
methods. False for `exit`. -/
def answer (ref : StateRef) (reply : Json → IO Unit) (judge : Bool) (j : Json) : IO Bool := do
  let id? := (j.getObjVal? "id").toOption
  match j.getObjValAs? String "method" with
  | .error _ =>
    reply (errorJson (id?.getD Json.null)
      { code := -32600, message := "invalid request: no 'method' string" })
    return true
  | .ok "exit" => return false
  | .ok m =>
    let params := ((j.getObjVal? "params").toOption).getD (Json.mkObj [])
    let r ← try (route judge ref m params).run
      catch e => pure (.error { code := -32603, message := s!"internal error: {e}" })
    if let some id := id? then
      reply (match r with
        | .ok res => responseJson id res
        | .error e => errorJson id e)
    return true

/-- Serve requests one at a time until end of input or `exit` (as a judge with `judge`). -/
partial def serveLoop (ref : StateRef) (stdin stdout : IO.FS.Stream) (judge : Bool) : IO Unit := do
  match ← readMessage stdin with
  | none => return
  | some (.error e) =>
    writeMessage stdout (errorJson Json.null { code := -32700, message := s!"parse error: {e}" })
    serveLoop ref stdin stdout judge
  | some (.ok j) =>
    if ← answer ref (writeMessage stdout) judge j then serveLoop ref stdin stdout judge

/-- Requests read and not yet taken by a slot. -/
structure RequestQueue where
  lock : Std.BaseMutex
  ready : Std.Condvar
  /-- Request bodies (or why a frame was bad), oldest first (a list: the wasm build's compiler
  lacks some array code). -/
  items : IO.Ref (List (Except String String))
  closed : IO.Ref Bool
  /-- Slots whose thread runs. -/
  started : IO.Ref Nat

/-- An empty, open queue. -/
def RequestQueue.new : BaseIO RequestQueue :=
  return { lock := ← Std.BaseMutex.new, ready := ← Std.Condvar.new, items := ← IO.mkRef [], closed := ← IO.mkRef false, started := ← IO.mkRef 0 }

/-- Add a request; wakes one waiting slot. -/
def RequestQueue.push (q : RequestQueue) (j : Except String String) : BaseIO Unit := do
  q.lock.lock
  q.items.modify (listAppend · [j])
  q.lock.unlock
  q.ready.notifyOne

/-- No more requests: slots finish what is queued, then stop. -/
def RequestQueue.close (q : RequestQueue) : BaseIO Unit := do
  q.lock.lock
  q.closed.set true
  q.lock.unlock
  q.ready.notifyAll

/-- With the lock held: the oldest request, waiting for one; `none` once closed and empty. -/
partial def RequestQueue.popLocked (q : RequestQueue) : BaseIO (Option (Except String String)) := do
  match ← q.items.get with
  | j :: rest =>
    q.items.set rest
    return some j
  | [] =>
  if ← q.closed.get then return none
  q.ready.wait q.lock
  q.popLocked

/-- A slot's thread runs. -/
def RequestQueue.slotStarted (q : RequestQueue) : BaseIO Unit := do
  q.lock.lock
  q.started.modify (· + 1)
  q.lock.unlock
  q.ready.notifyAll

/-- With the lock held: wait until `n` slots run. -/
partial def RequestQueue.awaitStartedLocked (q : RequestQueue) (n : Nat) : BaseIO Unit := do
  if (← q.started.get) < n then
    q.ready.wait q.lock
    q.awaitStartedLocked n

/-- The oldest request, waiting for one; `none` once the queue is closed and empty. -/
def RequestQueue.pop (q : RequestQueue) : BaseIO (Option (Except String String)) := do
  q.lock.lock
  let r ← q.popLocked
  q.lock.unlock
  return r

/-- One slot: answer queued requests until the queue closes. -/
partial def slotLoop (ref : StateRef) (q : RequestQueue) (reply : Json → IO Unit) : IO Unit := do
  match ← q.pop with
  | none => return
  | some frame =>
    let go ← try
        match frame >>= Json.parse with
        | .error e =>
          reply (errorJson Json.null { code := -32700, message := s!"parse error: {e}" })
          pure true
        | .ok j => answer ref reply false j
      catch e => IO.eprintln s!"leanenv slot: {e}"; pure true
    -- `exit`: no more requests are taken; the others finish what is queued.
    if go then slotLoop ref q reply else q.close

/-- Read request frames into `q` until end of input or the queue closes (a slot took `exit`). -/
partial def readLoop (stdin : IO.FS.Stream) (q : RequestQueue) : IO Unit := do
  match ← readFrame stdin with
  | none => return
  | some frame =>
    q.push frame
    unless ← q.closed.get do readLoop stdin q

/-- Serve with `n` slots, reading on the calling thread (the main thread): the slots' threads
start before the first request is read (so that a worker's thread count when it answers
`initialize` includes them). -/
def serveSlots (n : Nat) (ref : StateRef) (stdin stdout : IO.FS.Stream) : IO Unit := do
  let q ← RequestQueue.new
  let out ← Std.BaseMutex.new
  let reply : Json → IO Unit := fun j => do
    out.lock
    try writeMessage stdout j finally out.unlock
  let slots ← spawnSlots n (do q.slotStarted; slotLoop ref q reply) []
  q.lock.lock
  q.awaitStartedLocked n
  q.lock.unlock
  try readLoop stdin q
  finally q.close
  waitAll slots
where
  spawnSlots : Nat → IO Unit → List (Task (Except IO.Error Unit)) → IO (List (Task (Except IO.Error Unit)))
    | 0, _, acc => pure acc
    | k + 1, act, acc => do spawnSlots k act ((← IO.asTask (prio := .dedicated) act) :: acc)
  waitAll : List (Task (Except IO.Error Unit)) → IO Unit
    | [] => pure ()
    | t :: ts => do discard <| IO.wait t; waitAll ts

end LeanEnv
