/** Errors as the CLI reports them: what went wrong and what to do, with the exit code of `commands.ts`. */
import { CliError } from './commands.js';

/** Network failure codes that mean "no server there". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);

/** The system error code of an error or of its causes (`fetch` wraps them). */
function errorCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const nested = (x as { errors?: unknown[] }).errors?.[0]; // AggregateError (IPv4 and IPv6 both refused)
    if (nested && typeof (nested as { code?: unknown }).code === 'string') return (nested as { code: string }).code;
  }
  return undefined;
}

/** Any error thrown by a command, as a {@link CliError} whose message says what to do. */
export function explain(e: unknown): CliError {
  if (e instanceof CliError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = errorCode(e);
  if (code === 'ENOENT' && (e as { path?: string }).path) return new CliError(`no such file: ${(e as { path: string }).path}`);
  if ((code && UNREACHABLE.has(code)) || message === 'fetch failed') {
    return new CliError(`could not reach the server (${code ?? message}): is it running? Start one with \`npm start\` (or \`leanenv serve\`), check the --server URL, or leave out --server to use a private server for this run`, 3);
  }
  if (/the local server exited/.test(message)) {
    return new CliError(`${message}\nThe private server could not start: run \`npm run setup\` to see whether the set-up works, or give --server URL of a running server`, 3);
  }
  return new CliError(message, 2);
}
