/**
 * The streams of one worker process, wired for vscode-jsonrpc. With the private channel (the
 * embedded backend): the key goes first on fd 0, replies on fd 1 pass through a
 * {@link ReplyVerifier}, fd 3 (Lean's own stdout and stderr) is scanned as untrusted program
 * output and fd 2 carries the glue's notices. Without it (the native backend): replies are the
 * framed messages among the REPL's stdout ({@link FrameFilter}) and stderr is Lean's.
 * Requests in flight are tracked (id and method) so that a security event can name them.
 */
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Message,
  type MessageConnection,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc/node.js';
import { keyLine, ProgramOutput, ReplyVerifier, type ReplyMeta } from './channel.js';
import { FrameFilter } from './frame-filter.js';

/** A request sent and not yet answered. */
export interface InFlight {
  id: number | string;
  method: string;
}

/** What the wiring reports to its worker. */
export interface WorkerIoHooks {
  logger?: Logger;
  pid: () => number | undefined;
  /** A forged reply: on the reply pipe (not authentic) or in the program output (a frame). */
  onForgery(reason: string): void;
  /** An authentic reply with the glue's facts (channel only). */
  onReply(meta: ReplyMeta): void;
  /** A line that looks like Lean's own error report (named in the exit reason). */
  onLeanError(line: string): void;
  /** The glue's notice that the wasm heap grew past the recycle limit. */
  onHeapNotice(text: string): void;
  /** Whether the worker was asked to exit (its exit-time wasm fault is then expected). */
  disposing(): boolean;
  /** A message could not be written (the process's input is gone): the worker must end. */
  onWriteError(err: Error): void;
}

/** The wired connection. */
export interface WorkerIo {
  conn: MessageConnection;
  /** Requests in flight, oldest first. */
  inFlight(): InFlight[];
  /** Pass no more replies on (after a forgery). */
  distrust(): void;
}

/** How the patched glue announces that the wasm heap grew past `LEANENV_WASM_HEAP_RECYCLE_MB`. */
const HEAP_NOTICE = 'leanenv-wasm-heap:';
/** Lean's own error reports (uncaught exceptions, file errors). */
const LEAN_ERROR = /^uncaught exception:|: error/;

/** Wire a spawned worker's stdio (and fd 3 with a channel `key`) to a JSON-RPC connection. */
export function wireWorker(stdio: { stdin: Writable; stdout: Readable; stderr: Readable; output?: Readable }, key: Buffer | undefined, hooks: WorkerIoHooks): WorkerIo {
  const log = hooks.logger;
  stdio.stdin.on('error', () => undefined); // a write to a process that just died: reported through its exit
  let replies: Readable;
  let distrust = () => {};
  if (key && stdio.output) {
    const output = new ProgramOutput({
      onFrame: (excerpt) => hooks.onForgery(`a framed message in the program output (${JSON.stringify(excerpt.slice(0, 80))})`),
      onLine: (line) => {
        if (LEAN_ERROR.test(line)) hooks.onLeanError(line.slice(0, 500));
        if (!line.startsWith('[DEBUG:')) log?.debug({ pid: hooks.pid() }, `lean output: ${line.slice(0, 2000)}`);
      },
    });
    stdio.output.on('data', (d: Buffer) => output.push(d));
    stdio.output.on('close', () => output.end());
    const verifier = new ReplyVerifier(key, { onForgery: (r) => hooks.onForgery(r), onReply: (m) => hooks.onReply(m), outputScanned: (n) => output.scanned(n) });
    stdio.stdin.write(keyLine(key));
    stdio.stdout.pipe(verifier);
    replies = verifier;
    distrust = () => verifier.distrust();
  } else {
    const filter = new FrameFilter((noise) => log?.trace({ noise: noise.slice(0, 200) }, 'worker stdout noise'));
    stdio.stdout.pipe(filter);
    replies = filter;
  }
  forwardStderr(stdio.stderr, hooks);
  const inFlight = new Map<number | string, string>();
  const reader = tapReader(new StreamMessageReader(replies), (m) => {
    if ('id' in m && !('method' in m) && (typeof m.id === 'number' || typeof m.id === 'string')) inFlight.delete(m.id);
  });
  const writer = tapWriter(
    new StreamMessageWriter(stdio.stdin),
    (m) => {
      if ('id' in m && 'method' in m && (typeof m.id === 'number' || typeof m.id === 'string')) inFlight.set(m.id, String(m.method));
    },
    hooks.onWriteError,
  );
  return {
    conn: createMessageConnection(reader, writer),
    inFlight: () => [...inFlight].map(([id, method]) => ({ id, method })),
    distrust,
  };
}

/** A reader that shows every message to `see` before the connection gets it. */
function tapReader(r: MessageReader, see: (m: Message) => void): MessageReader {
  return {
    onError: r.onError,
    onClose: r.onClose,
    onPartialMessage: r.onPartialMessage,
    listen: (cb) =>
      r.listen((m) => {
        see(m);
        cb(m);
      }),
    dispose: () => r.dispose(),
  };
}

/**
 * A writer that shows every message to `see` as it is written. A failed write never rejects:
 * vscode-jsonrpc's `sendRequest` rethrows it from an async Promise executor, where nobody can
 * catch it (an unhandled rejection). It goes to `failed` instead, which ends the worker; the
 * worker's exit then fails every request in flight.
 */
function tapWriter(w: MessageWriter, see: (m: Message) => void, failed: (err: Error) => void): MessageWriter {
  return {
    onError: w.onError,
    onClose: w.onClose,
    write: (m) => {
      see(m);
      return w.write(m).catch((err: unknown) => failed(err instanceof Error ? err : new Error(String(err))));
    },
    end: () => w.end(),
    dispose: () => w.dispose(),
  };
}

/** Log the worker's stderr: the glue's notices (and, without the channel, Lean's own errors). */
function forwardStderr(stderr: Readable, hooks: WorkerIoHooks): void {
  const log = hooks.logger;
  let rest = '';
  stderr.on('data', (d: Buffer) => {
    const lines = (rest + d.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim() || line.startsWith('[DEBUG:')) continue;
      if (LEAN_ERROR.test(line)) hooks.onLeanError(line.slice(0, 500));
      if (line.startsWith(HEAP_NOTICE)) {
        hooks.onHeapNotice(line.slice(HEAP_NOTICE.length).trim());
        log?.warn({ pid: hooks.pid() }, line);
        continue;
      }
      // The embedded Lean always ends with a wasm fault during exit: expected once we asked it to exit.
      // A pthread's fatal error (e.g. its V8 stack overflowing) reaches stderr through Node, not the glue.
      if ((line.startsWith('leanenv-wasm-fatal:') || line.startsWith('worker sent an error!')) && !hooks.disposing()) log?.error({ pid: hooks.pid() }, line);
      else log?.debug({ pid: hooks.pid() }, `lean: ${line.slice(0, 2000)}`);
    }
  });
}
