import Lean.Elab.Frontend
import Lean.Elab.Tactic.Basic
import Lean.Util.CollectAxioms
import Lean.Util.FoldConsts
import Lean.Meta.PPGoal
import LeanEnv.Rpc
import LeanEnv.Handlers
import LeanEnv.JudgeHandlers
import LeanEnv.Hmac
import LeanEnv.Dispatch

/-!
The REPL's entry point: arguments, search path, the request channel, then the serve loop
(`Dispatch.lean`).
-/

namespace LeanEnv
open Lean

/-- Run `act` (the whole serve loop) on a new dedicated Lean thread and wait for it. Lean's frontend elaborates on
task threads too: their stack is Lean's thread stack size (`lean --tstack`, default 8 MB, in the
wasm heap on the embedded build), where the embedded build's main thread has a fixed 64 KB wasm
stack that deep elaboration overflows (a crash, not an error). Heartbeats are counted per thread,
relative to each request's start. With `onMain` (`--elab-on-main-thread`, kept
only to measure the difference) `act` runs on the calling thread. -/
def onElabThread (onMain : Bool) (act : IO α) : IO α := do
  if onMain then act else
  let t ← IO.asTask (prio := .dedicated) act
  match ← IO.wait t with
  | .ok a => pure a
  | .error e => throw e

private unsafe def enableInitializersUnsafe : IO Unit := enableInitializersExecution

/-- Allow `initialize` declarations of imported modules to run (needed for Mathlib). -/
@[implemented_by enableInitializersUnsafe] opaque enableInitializers : IO Unit

/-- The argument after `flag`, if `flag` is among `args` and has one. -/
def argAfter (flag : String) : List String → Option String
  | a :: v :: rest => if a == flag then some v else argAfter flag (v :: rest)
  | _ => none

/-- The arguments after `flag`, if `flag` is among `args`. -/
def argsAfter (flag : String) : List String → Option (List String)
  | [] => none
  | a :: rest => if a == flag then some rest else argsAfter flag rest

/-- `--hmac-test K1 M1 K2 M2 …`: print `hmac: <hex>` for each message under its key (both as
UTF-8), a check of `Hmac.lean` against another implementation; the REPL then stops. -/
partial def hmacTest : List String → IO Unit
  | k :: m :: rest => do
    IO.println s!"hmac: {Hmac.hex (Hmac.hmac k.toUTF8 m.toUTF8)}"
    hmacTest rest
  | _ => pure ()

/-- The request and reply streams: the files given by `--rpc-in PATH --rpc-out PATH` (the
embedded backend's private channel devices, the native backend's FIFOs), opened now, before any
request, else stdin and stdout. -/
def rpcStreams (args : List String) : IO (IO.FS.Stream × IO.FS.Stream) := do
  match argAfter "--rpc-in" args, argAfter "--rpc-out" args with
  | some i, some o =>
    let hin ← IO.FS.Handle.mk i .read
    let hout ← IO.FS.Handle.mk o .write
    return (IO.FS.Stream.ofHandle hin, IO.FS.Stream.ofHandle hout)
  | _, _ => return (← IO.getStdin, ← IO.getStdout)

/-- Entry point: set the search path (from `LEAN_PATH` alone with `--search-path-from-env`,
as on the embedded build; the toolchain's otherwise) and serve the request channel. -/
def serve (args : List String) : IO Unit := do
  if let some vectors := argsAfter "--hmac-test" args then return ← hmacTest vectors
  if listAny (· == "--search-path-from-env") args then
    searchPathRef.set (← addSearchPathFromEnv {})
  else
    enableInitializers
    initSearchPath (← findSysroot)
  let ref ← IO.mkRef ({} : ReplState)
  let onMain := listAny (· == "--elab-on-main-thread") args
  let (stdin, stdout) ← rpcStreams args
  -- One dedicated Lean thread, created once, serves every request: a thread per request made
  -- the embedded build start a new pthread (a new wasm instance) again and again.
  -- A judge (`--judge`) never elaborates a submission: it serves only `judgeMethods`.
  let judge := listAny (· == "--judge") args
  let slots := (argAfter "--slots" args >>= String.toNat?).getD 1
  if slots > 1 && !judge then
    serveSlots slots ref stdin stdout
  else
    onElabThread onMain (serveLoop ref stdin stdout judge)

end LeanEnv
