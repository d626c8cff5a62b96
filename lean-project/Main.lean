import LeanEnv.Server

/-- The REPL executable: JSON-RPC 2.0 on stdio. -/
def main (args : List String) : IO Unit := LeanEnv.serve args
