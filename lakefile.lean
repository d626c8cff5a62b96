import Lake
open Lake DSL

/-! Builds the Lean-side REPL with a native toolchain (`lake build leanenv-repl`).
The embedded (wasm) backend bundles the same sources instead (see server/provision). -/

package leanenv where
  srcDir := "lean-project"

lean_lib LeanEnv where
  srcDir := "lean-project"

@[default_target]
lean_exe «leanenv-repl» where
  srcDir := "lean-project"
  root := `Main
  supportInterpreter := true
