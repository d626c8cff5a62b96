import LeanEnv.Util

/-!
HMAC-SHA256 in plain Lean, for a REPL that authenticates its own replies (the native backend's
planned private channel, where no glue sits between the REPL and the server). Written with
monomorphic operations and hand-written recursion only (see Util.lean on the embedded build).
Checked against Node's crypto through `--hmac-test` (test/lean/hmac.test.ts).
-/

namespace LeanEnv.Hmac

/-- SHA-256 round constants. -/
def kTable : Array UInt32 := #[0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]

/-- Rotate right by `n` (0 < n < 32). -/
@[inline] def rotr (x n : UInt32) : UInt32 := (x >>> n) ||| (x <<< (32 - n))

/-- Big-endian 32-bit word at byte offset `i`. -/
def wordAt (b : ByteArray) (i : Nat) : UInt32 :=
  ((b.get! i).toUInt32 <<< 24) ||| ((b.get! (i + 1)).toUInt32 <<< 16) |||
    ((b.get! (i + 2)).toUInt32 <<< 8) ||| (b.get! (i + 3)).toUInt32

/-- The 64-word message schedule of the block at `off`. -/
partial def schedule (b : ByteArray) (off : Nat) (w : Array UInt32) (t : Nat) : Array UInt32 :=
  if t < 16 then schedule b off (w.push (wordAt b (off + 4 * t))) (t + 1)
  else if t < 64 then
    let w15 := w[t - 15]!
    let w2 := w[t - 2]!
    let s0 := rotr w15 7 ^^^ rotr w15 18 ^^^ (w15 >>> 3)
    let s1 := rotr w2 17 ^^^ rotr w2 19 ^^^ (w2 >>> 10)
    schedule b off (w.push (w[t - 16]! + s0 + w[t - 7]! + s1)) (t + 1)
  else w

/-- The working variables a..h. -/
structure Vars where
  a : UInt32
  b : UInt32
  c : UInt32
  d : UInt32
  e : UInt32
  f : UInt32
  g : UInt32
  h : UInt32

/-- Rounds `t`..63 of the compression function. -/
partial def rounds (w : Array UInt32) (t : Nat) (v : Vars) : Vars :=
  if t < 64 then
    let s1 := rotr v.e 6 ^^^ rotr v.e 11 ^^^ rotr v.e 25
    let ch := (v.e &&& v.f) ^^^ ((~~~ v.e) &&& v.g)
    let t1 := v.h + s1 + ch + kTable[t]! + w[t]!
    let s0 := rotr v.a 2 ^^^ rotr v.a 13 ^^^ rotr v.a 22
    let maj := (v.a &&& v.b) ^^^ (v.a &&& v.c) ^^^ (v.b &&& v.c)
    let t2 := s0 + maj
    rounds w (t + 1) { a := t1 + t2, b := v.a, c := v.b, d := v.c, e := v.d + t1, f := v.e, g := v.f, h := v.g }
  else v

/-- Hash every 64-byte block of a padded message from `off` on into the state `s`. -/
partial def blocks (s : Vars) (b : ByteArray) (off : Nat) : Vars :=
  if off + 64 ≤ b.size then
    let v := rounds (schedule b off #[] 0) 0 s
    blocks { a := s.a + v.a, b := s.b + v.b, c := s.c + v.c, d := s.d + v.d,
             e := s.e + v.e, f := s.f + v.f, g := s.g + v.g, h := s.h + v.h } b (off + 64)
  else s

/-- `b` with zero bytes appended until its size is `56` modulo 64. -/
partial def zeroPad (b : ByteArray) : ByteArray :=
  if b.size % 64 == 56 then b else zeroPad (b.push 0)

/-- The 8 big-endian bytes of `n`, appended to `b` (most significant first). -/
partial def pushBE (b : ByteArray) (n : Nat) (k : Nat) : ByteArray :=
  if k == 0 then b else pushBE (b.push (UInt8.ofNat ((n >>> (8 * (k - 1))) % 256))) n (k - 1)

/-- A word's 4 big-endian bytes, appended. -/
def pushWord (b : ByteArray) (x : UInt32) : ByteArray := pushBE b x.toNat 4

/-- SHA-256 of a byte string. -/
def sha256 (msg : ByteArray) : ByteArray :=
  let padded := pushBE (zeroPad (msg.push 0x80)) (8 * msg.size) 8
  let s := blocks { a := 0x6a09e667, b := 0xbb67ae85, c := 0x3c6ef372, d := 0xa54ff53a,
                    e := 0x510e527f, f := 0x9b05688c, g := 0x1f83d9ab, h := 0x5be0cd19 } padded 0
  let out := pushWord (pushWord (pushWord (pushWord ByteArray.empty s.a) s.b) s.c) s.d
  pushWord (pushWord (pushWord (pushWord out s.e) s.f) s.g) s.h

/-- Each byte of `k` (padded with zeros to 64 bytes) xor `pad`. -/
partial def xorPad (k : ByteArray) (pad : UInt8) (i : Nat) (acc : ByteArray) : ByteArray :=
  if i < 64 then xorPad k pad (i + 1) (acc.push ((if i < k.size then k.get! i else 0) ^^^ pad)) else acc

/-- HMAC-SHA256 of `msg` under `key`. -/
def hmac (key msg : ByteArray) : ByteArray :=
  let k := if key.size > 64 then sha256 key else key
  sha256 (xorPad k 0x5c 0 .empty ++ sha256 (xorPad k 0x36 0 .empty ++ msg))

/-- Lower-case hex digits of a byte string. -/
partial def hex (b : ByteArray) (i : Nat := 0) (acc : String := "") : String :=
  if i < b.size then
    let d (n : Nat) : Char := if n < 10 then Char.ofNat (48 + n) else Char.ofNat (87 + n)
    let x := (b.get! i).toNat
    hex b (i + 1) ((acc.push (d (x / 16))).push (d (x % 16)))
  else acc

end LeanEnv.Hmac
