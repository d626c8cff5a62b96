/**
 * `leanenv repl`: the Lean REPL's stdin/stdout protocol (JSON commands separated by blank
 * lines, each reply followed by a blank line), so a script that spawns `lake exe repl` can
 * spawn this instead. With `--server URL` the process is a session on that server
 * (`/v1/repl`, token from `--token` or LEANENV_AUTH_TOKEN); without, it starts a private server
 * (one Lean worker, files and pickles under the working directory unless told otherwise) as a child
 * process. Unlike the REPL, bad JSON gets `{"message": …}` and the stream goes on.
 */
import readline from 'node:readline';
import WebSocket from 'ws';
import { startLocalServer } from './server-process.js';
import { commandHelp, parseCommand } from './commands.js';
import { REPL } from './specs.js';

type Handle = (text: string) => Promise<unknown>;

/** Queries from stdin: lines up to a blank line; queries starting with `#` or `--` are skipped, as the REPL does. */
async function* queries(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  let buf: string[] = [];
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') {
      if (buf.length) yield buf.join('\n');
      buf = [];
    } else buf.push(line);
  }
  if (buf.length) yield buf.join('\n');
}

/** A session on a server's `/v1/repl`: replies come back in order. */
async function remote(url: string, token: string | undefined): Promise<{ handle: Handle; close: () => void }> {
  const ws = new WebSocket(url.replace(/^http/, 'ws').replace(/\/$/, '') + '/v1/repl', { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waiting: ((v: unknown) => void)[] = [];
  ws.on('message', (data) => waiting.shift()?.(JSON.parse(String(data))));
  ws.on('close', () => waiting.splice(0).forEach((w) => w({ message: 'the server closed the connection' })));
  return {
    handle: (text) => new Promise((resolve) => (waiting.push(resolve), ws.send(text))),
    close: () => ws.close(),
  };
}

/** A session on a private server with one Lean worker, started as a child process (no server code imported). */
async function local(fileRoot: string, pickleDir: string): Promise<{ handle: Handle; close: () => Promise<void> }> {
  const server = await startLocalServer(['--workers', '1', '--repl-file-root', fileRoot, '--repl-pickle-dir', pickleDir, '--shutdown-grace-ms', '0']);
  const r = await remote(server.url, undefined);
  return { handle: r.handle, close: async () => (r.close(), await server.stop()) };
}

/** Run the REPL loop; resolves with the exit code at the end of stdin. */
export async function repl(argv: string[]): Promise<number> {
  const parsed = parseCommand(REPL, argv);
  if (parsed.help) return (console.log(commandHelp(REPL)), 0);
  const values = parsed.values as { server?: string; token?: string; 'file-root'?: string; 'pickle-dir'?: string };
  const s = values.server
    ? await remote(values.server, values.token ?? process.env.LEANENV_AUTH_TOKEN)
    : await local(values['file-root'] ?? process.cwd(), values['pickle-dir'] ?? process.cwd());
  try {
    for await (const q of queries(process.stdin)) {
      if (q.startsWith('#') || q.startsWith('--')) continue;
      process.stdout.write(JSON.stringify(await s.handle(q)) + '\n\n');
    }
  } finally {
    await s.close();
  }
  return 0;
}
