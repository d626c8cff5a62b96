/**
 * The `leanenv` commands described once: flags with their defaults, examples and exit codes.
 * `--help` output, the parse of each command's arguments (Node's `parseArgs`, with messages
 * that say what to do), and docs/cli.md's tables all come from these specs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One flag of a command. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  /** The value's placeholder in help (`URL`, `N`, `FILE`). */
  value?: string;
  multiple?: boolean;
  /** The default, as shown in help (also given to `parseArgs` for booleans and fixed strings). */
  default?: string | boolean;
  /** What a default means when it is not a fixed value (`a private server`). */
  defaultText?: string;
  help: string;
}

/** One subcommand. */
export interface CommandSpec {
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** The positional arguments as shown in usage (`FILES...`). */
  args?: string;
  /** A few lines after the usage. */
  details: string;
  flags: FlagSpec[];
  examples: string[];
  /** Exit codes this command uses, beyond those of every command. */
  exitCodes: [number, string][];
}

/** Exit codes shared by every command. */
export const COMMON_EXIT_CODES: [number, string][] = [
  [2, 'bad usage or input: an unknown flag, a missing file, a malformed record (the message says which)'],
  [3, 'the server could not be reached (`--server URL`) or the private server could not start'],
  [130, 'interrupted (Ctrl-C); a private server and its Lean workers are stopped first'],
];

/** An error the CLI reports as `leanenv: MESSAGE` with this exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** `--flag VALUE` (or `--flag`) as shown in usage and help. */
const flagText = (f: FlagSpec) => `--${f.name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;

/** The usage line of a command. */
export function usageLine(c: CommandSpec): string {
  return `leanenv ${c.name}${c.args ? ` ${c.args}` : ''} [flags]`;
}

/** The `--help` text of one command. */
export function commandHelp(c: CommandSpec): string {
  const width = Math.max(...c.flags.map((f) => flagText(f).length), '--help'.length) + 2;
  const lines = [`usage: ${usageLine(c)}`, '', c.summary, '', ...c.details.split('\n'), '', 'flags:'];
  for (const f of c.flags) {
    const dflt = f.defaultText ?? (f.default !== undefined && f.default !== false ? String(f.default) : undefined);
    lines.push(`  ${flagText(f).padEnd(width)}${f.help}${f.multiple ? ' (repeatable)' : ''}${dflt ? ` [default: ${dflt}]` : ''}`);
  }
  lines.push(`  ${'--help'.padEnd(width)}show this help`, '', 'examples:', ...c.examples.map((e) => `  ${e}`), '', 'exit codes:');
  for (const [code, what] of [...c.exitCodes, ...COMMON_EXIT_CODES]) lines.push(`  ${String(code).padEnd(4)}${what}`);
  return lines.join('\n');
}

/** The top-level `leanenv --help`. */
export function mainHelp(commands: CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: leanenv <command> [flags]',
    '',
    'The command line of leanenv, a Lean 4 theorem-proving environment server.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `leanenv <command> --help` for its flags, defaults, examples and exit codes.',
    '',
    'examples:',
    '  leanenv serve --port 8765',
    '  leanenv check proofs.jsonl --server http://127.0.0.1:8765',
  ].join('\n');
}

/** Levenshtein distance (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** Parsed arguments of a command, or `help` when `--help`/`-h` was given. */
export type Parsed = { help: true } | { help: false; values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

/** Parse a command's arguments; an unknown flag or a missing value is a {@link CliError} that names the fix. */
export function parseCommand(c: CommandSpec, argv: string[]): Parsed {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const options = Object.fromEntries(
    c.flags.map((f) => [f.name, { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.default !== undefined ? { default: f.default } : {}) }]),
  ) as ParseArgsConfig['options'];
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { help: false, values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec((e as Error).message)?.[1] ?? '';
    const see = `(see \`leanenv ${c.name} --help\`)`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = c.flags.find((f) => editDistance(flag.replace(/^-+/, ''), f.name) <= 2);
      throw new CliError(`unknown flag ${flag} for \`leanenv ${c.name}\`${near ? `; did you mean --${near.name}?` : ''} ${see}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new CliError(`${flag} needs a value ${see}`);
    throw new CliError(`${(e as Error).message} ${see}`);
  }
}
