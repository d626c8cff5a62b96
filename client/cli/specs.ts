/** The `leanenv` subcommands: flags, defaults, examples and exit codes (rendered by `commands.ts`). */
import { DEFAULT_SEARCH } from '../search/best-first.js';
import type { CommandSpec } from './commands.js';

const SERVER_FLAG = { name: 'server', type: 'string', value: 'URL', defaultText: 'a private server started for this run (a child process with its own Lean workers)', help: 'use the server at URL (e.g. http://127.0.0.1:8765)' } as const;

/** `leanenv serve`: the server in the foreground; its flags are the server's settings. */
export const SERVE: CommandSpec = {
  name: 'serve',
  summary: 'start the server in the foreground (the same as `npm start`)',
  details: 'Every setting of docs/configuration.md is a flag: `leanenv serve --help` prints them with\ntheir environment variables and defaults.',
  flags: [],
  examples: ['leanenv serve --port 8765 --workers 2'],
  exitCodes: [[0, 'stopped cleanly (SIGINT/SIGTERM)'], [1, 'the shutdown failed']],
};

/** `leanenv check`: batch checking of Lean files and JSONL records. */
export const CHECK: CommandSpec = {
  name: 'check',
  summary: 'check proofs in .lean files and JSONL records, with a sound verdict for each',
  args: 'FILES...',
  details: [
    'A .lean file is one item (its path is the id). A .jsonl file has one item per line:',
    '{"id", "code"} or {"id", "header", "body"}, with an optional "reference" (the statement the',
    'proof must prove). Shows a progress bar and a table of verdicts (proved, failed, incomplete,',
    'timeout, error), or one JSON result per line with --json.',
  ].join('\n'),
  flags: [
    SERVER_FLAG,
    { name: 'json', type: 'boolean', default: false, help: 'one JSON result per line on stdout instead of the table' },
    { name: 'allow-axiom', type: 'string', value: 'NAME', multiple: true, defaultText: 'propext, Classical.choice, Quot.sound', help: 'an axiom proofs may use; replaces the default list' },
  ],
  examples: ['leanenv check proofs.jsonl More.lean', 'leanenv check proofs.jsonl --server http://127.0.0.1:8765 --json', 'leanenv check nd.lean --allow-axiom propext --allow-axiom Lean.ofReduceBool'],
  exitCodes: [[0, 'every item is proved'], [1, 'some item is not proved']],
};

/** `leanenv repl`: the Lean REPL's stdin/stdout protocol. */
export const REPL: CommandSpec = {
  name: 'repl',
  summary: "speak the Lean REPL's JSON protocol on stdin/stdout (in place of `lake exe repl`)",
  details: 'Commands are JSON objects separated by blank lines ({"cmd": …}, {"tactic": …, "proofState": N},\n{"path": …}, {"pickleTo": …}, …); each reply is followed by a blank line. Unlike the REPL, bad JSON gets\n{"message": …} and the stream goes on. See docs/compat.md.',
  flags: [
    { ...SERVER_FLAG, defaultText: 'a private server with one Lean worker' },
    { name: 'token', type: 'string', value: 'T', defaultText: '$LEANENV_AUTH_TOKEN', help: "the server's bearer token" },
    { name: 'file-root', type: 'string', value: 'DIR', defaultText: 'the working directory', help: 'directory {"path": …} commands may read (private server only)' },
    { name: 'pickle-dir', type: 'string', value: 'DIR', defaultText: 'the working directory', help: 'directory pickleTo / unpickle… files live in (private server only)' },
  ],
  examples: ["printf '%s\\n\\n' '{\"cmd\": \"theorem t : 1 + 1 = 2 := rfl\"}' | leanenv repl", 'leanenv repl --server http://127.0.0.1:8765 < commands.in'],
  exitCodes: [[0, 'the end of stdin was reached']],
};

/** `leanenv prove`: best-first proof search. */
export const PROVE: CommandSpec = {
  name: 'prove',
  summary: 'search for proofs (best-first, over the WebSocket API) and verify them',
  args: 'INPUTS...',
  details: [
    'INPUTS are .jsonl files ({"id", "header", "body"} with body `theorem … := by sorry`, or',
    '{"id", "header", "statement"}) and dataset ids (looked up in ../shared/benchmarks/*.jsonl).',
    'Shows a progress bar, then a table and each verified proof; --out writes the proofs as JSONL',
    'that `leanenv check` accepts. See docs/proof-search.md for the policies.',
  ].join('\n'),
  flags: [
    { name: 'budget', type: 'string', value: 'N', defaultText: String(DEFAULT_SEARCH.maxExpansions), help: 'expansions per statement' },
    { name: 'depth', type: 'string', value: 'N', defaultText: String(DEFAULT_SEARCH.maxDepth), help: 'deepest tactic path' },
    { name: 'time-limit', type: 'string', value: 'S', defaultText: String(DEFAULT_SEARCH.timeMs / 1000), help: 'seconds per statement' },
    { name: 'width', type: 'string', value: 'N', defaultText: String(DEFAULT_SEARCH.width), help: 'candidates sent per expansion (at most 64)' },
    { name: 'length-norm', type: 'string', value: 'A', defaultText: String(DEFAULT_SEARCH.lengthNormalization), help: 'divide scores by depth^A' },
    { name: 'concurrency', type: 'string', value: 'N', defaultText: '1', help: 'statements searched at once, each on its own connection' },
    { name: 'policy', type: 'string', value: 'SPEC', default: 'builtin', help: 'builtin | builtin:RULES.json | exec:COMMAND | openai:URL' },
    { name: 'openai-config', type: 'string', value: 'FILE', help: 'JSON settings of the openai: policy (model, prompt, n, …)' },
    { name: 'json', type: 'boolean', default: false, help: 'one JSON result per line instead of the table' },
    { name: 'out', type: 'string', value: 'FILE', help: 'write the proved statements as JSONL for `leanenv check`' },
    { name: 'traces', type: 'string', value: 'FILE', help: 'write every searched statement\'s trace records (one per edge and failed attempt; docs/traces.md) as JSONL, or Parquet for a FILE ending in .parquet' },
    { ...SERVER_FLAG, defaultText: 'a private server with up to --concurrency Lean workers' },
    { name: 'token', type: 'string', value: 'T', help: "the server's bearer token" },
  ],
  examples: [
    'leanenv prove ../shared/benchmarks/core-subset.jsonl --budget 32 --concurrency 2',
    'leanenv prove amc12b_2002_p2 --server http://127.0.0.1:8765 --json',
    "leanenv prove in.jsonl --policy 'exec:python3 my_policy.py' --out proofs.jsonl",
  ],
  exitCodes: [[0, 'every statement is proved'], [1, 'some statement is not proved']],
};

/** Every subcommand, in the order `leanenv --help` lists them. */
export const COMMANDS: CommandSpec[] = [SERVE, CHECK, PROVE, REPL];
