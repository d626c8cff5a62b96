/**
 * The server as a child process of the CLI: `leanenv serve` runs it in the foreground, and
 * `leanenv check` without `--server` starts a private one on a free loopback port and talks
 * to it over HTTP like to any other server. The CLI finds the server's entry point by path
 * and never imports server code (only `protocol/` is shared).
 */
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

/** The server's entry point (`npm start`), run through tsx. */
const SERVER_MAIN = fileURLToPath(new URL('../../server/main.ts', import.meta.url));

/** Node arguments that run the server's TypeScript entry point with `args`. */
function serverCommand(args: readonly string[]): string[] {
  return ['--import', import.meta.resolve('tsx'), SERVER_MAIN, ...args];
}

/** Run the server in the foreground with these flags (stdio shared); resolves to its exit code. */
export async function serveInForeground(args: readonly string[]): Promise<number> {
  const child = execa(process.execPath, serverCommand(args), { stdio: 'inherit', reject: false });
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward(signal));
  const r = await child;
  return r.exitCode ?? 1;
}

/** Private servers still running; an interrupted CLI stops them (and so their Lean workers) before it exits. */
const running = new Set<() => Promise<void>>();
let handlersInstalled = false;

/** On SIGINT/SIGTERM: stop every private server (it drains and stops its workers), then exit 130 / 143. */
function stopServersOnSignals(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      void Promise.allSettled([...running].map((stop) => stop())).then(() => process.exit(code));
    });
  }
}

/** A server started by the CLI: its base URL and how to stop it. */
export interface LocalServer {
  url: string;
  /** Stop the server (SIGTERM: it drains, then exits) and wait for it. */
  stop(): Promise<void>;
}

/**
 * Start a private server on a free loopback port with these extra flags; resolves once it
 * listens (it reports its URL over the IPC channel), rejects with its stderr if it exits first.
 */
export async function startLocalServer(flags: readonly string[]): Promise<LocalServer> {
  stopServersOnSignals(); // before the child exists, so an early Ctrl-C cannot orphan it
  const child: ResultPromise = execa(process.execPath, serverCommand(['--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', ...flags]), {
    ipc: true,
    serialization: 'json',
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    reject: false,
    // The server reads its configuration from the environment as well (LEANENV_*).
    extendEnv: true,
  });
  const early = async () => void (child.kill('SIGTERM'), await child);
  running.add(early); // an interrupt while it starts stops it too
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: unknown) => {
      const listening = (m as { listening?: unknown } | null)?.listening;
      if (typeof listening === 'string') resolve(listening);
    });
    void child.then((r) => reject(new Error(`the local server exited (code ${r.exitCode ?? r.signal}) before listening${stderr ? `:\n${stderr.trim()}` : ''}`)));
  });
  child.disconnect();
  running.delete(early);
  const stop = async () => {
    running.delete(stop);
    child.kill('SIGTERM');
    await child;
  };
  running.add(stop);
  stopServersOnSignals();
  return { url, stop };
}
