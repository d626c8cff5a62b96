/**
 * The server's end of a worker's private channel (see `server/provision/glue-channel.ts` for the
 * glue's end): a fresh key per worker process, verification of every reply frame on the
 * worker's fd 1 (`Leanenv-Mac`: HMAC-SHA256 under the key, with the reply counter, the program
 * output written so far and the live pthread count), and the scan of the untrusted program
 * output on fd 3, where a `Content-Length` frame can only come from code under check.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { z } from 'zod';

/** A new reply key (32 random bytes) for one worker process. */
export function newReplyKey(): Buffer {
  return randomBytes(32);
}

/** What the server writes first on the worker's fd 0: the key as 64 hex digits and a newline. */
export function keyLine(key: Buffer): string {
  return `${key.toString('hex')}\n`;
}

/** The trusted facts the glue attaches to a reply. */
export interface ReplyMeta {
  /** Reply counter of the process, from 0. */
  seq: number;
  /** Bytes of program output (fd 3) written before this reply left. */
  outBytes: number;
  /** Live pthreads of the process when the reply left. */
  threads: number;
}

/** Hex HMAC-SHA256 of a reply under `key` (what the glue computes: `seq \n out \n threads \n body`). */
export function replyMac(key: Buffer, meta: ReplyMeta, body: Buffer): string {
  return createHmac('sha256', key).update(`${meta.seq}\n${meta.outBytes}\n${meta.threads}\n`).update(body).digest('hex');
}

const digits = z.string().regex(/^\d{1,15}$/).transform(Number);
/** The headers of a reply frame on fd 1 (lower-cased names). */
const ReplyHeaders = z.object({
  'content-length': digits,
  'leanenv-seq': digits,
  'leanenv-out': digits,
  'leanenv-threads': digits,
  'leanenv-mac': z.string().regex(/^[0-9a-f]{64}$/),
});

const HEADER = Buffer.from('Content-Length:');
const HEADER_END = Buffer.from('\r\n\r\n');
/** Headers longer than this are not ours. */
const MAX_HEADER_BYTES = 1024;

/** What a {@link ReplyVerifier} reports to its worker. */
export interface VerifierHooks {
  /** A frame that is not an authentic reply: it is dropped, and nothing after it is passed on. */
  onForgery(reason: string): void;
  /** An authentic reply is about to be passed on. */
  onReply(meta: ReplyMeta): void;
  /** Resolves once the program output up to `bytes` has been scanned (forgeries there reported first). */
  outputScanned(bytes: number): Promise<void>;
}

/**
 * Verifies the frames on a worker's fd 1 and passes the authentic ones on as plain
 * `Content-Length` frames (for vscode-jsonrpc), each only once the program output written
 * before it has been scanned. The first frame that fails (bytes outside a frame, missing or
 * malformed headers, a counter out of order, a MAC that does not match) ends the stream's
 * trust: it and everything after it are dropped.
 */
export class ReplyVerifier extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private seq = 0;
  private broken = false;

  constructor(
    private readonly key: Buffer,
    private readonly hooks: VerifierHooks,
  ) {
    super();
  }

  /** Stop passing anything on (the worker was found tampered with elsewhere). */
  distrust(): void {
    this.broken = true;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.broken) return done();
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.drain().then(() => done(), done);
  }

  private async drain(): Promise<void> {
    while (!this.broken) {
      const prefix = this.buf.subarray(0, Math.min(this.buf.length, HEADER.length));
      if (!HEADER.subarray(0, prefix.length).equals(prefix)) return this.forged(`bytes outside any reply frame on the reply pipe (${JSON.stringify(this.buf.subarray(0, 60).toString('utf8'))})`);
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buf.length > MAX_HEADER_BYTES) this.forged('a frame header longer than any reply\'s');
        return;
      }
      const headers = parseHeaders(this.buf.subarray(0, end).toString('latin1'));
      const parsed = headers && ReplyHeaders.safeParse(headers);
      if (!parsed?.success) return this.forged('a frame without the glue\'s authentication headers');
      const h = parsed.data;
      const total = end + HEADER_END.length + h['content-length'];
      if (this.buf.length < total) return;
      const body = this.buf.subarray(end + HEADER_END.length, total);
      this.buf = this.buf.subarray(total);
      const meta: ReplyMeta = { seq: h['leanenv-seq'], outBytes: h['leanenv-out'], threads: h['leanenv-threads'] };
      const mac = Buffer.from(h['leanenv-mac'], 'hex');
      if (!timingSafeEqual(mac, Buffer.from(replyMac(this.key, meta, body), 'hex'))) return this.forged('a reply frame whose MAC does not match');
      if (meta.seq !== this.seq) return this.forged(`a replayed or reordered reply (counter ${meta.seq}, expected ${this.seq})`);
      this.seq += 1;
      await this.hooks.outputScanned(meta.outBytes);
      if (this.broken) return;
      this.hooks.onReply(meta);
      this.push(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]));
    }
  }

  private forged(reason: string): void {
    this.broken = true;
    this.buf = Buffer.alloc(0);
    this.hooks.onForgery(reason);
  }
}

/** `Name: value` lines as a map with lower-cased names; undefined if a line is not a header. */
function parseHeaders(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const m = /^([A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) return undefined;
    out[m[1]!.toLowerCase()] = m[2]!;
  }
  return out;
}

/** What a {@link ProgramOutput} reports. */
export interface ProgramOutputHooks {
  /** A `Content-Length` frame in the program output: only code under check writes there. */
  onFrame(excerpt: string): void;
  /** One line of program output (Lean's stdout and stderr: echoes, debug lines, `#eval` output). */
  onLine(line: string): void;
}

/** Longest partial line kept while waiting for its end. */
const MAX_LINE = 64 * 1024;

/**
 * The scan of a worker's program output (fd 3): counts its bytes (for the verifier's ordering),
 * splits it into lines and reports any `Content-Length: N` header line followed (after other
 * header lines, if any) by an empty line: the shape of a framed message.
 */
export class ProgramOutput {
  /** Bytes scanned so far. */
  bytes = 0;
  private rest = '';
  private inHeader = false;
  private headerExcerpt = '';
  private ended = false;
  private readonly waiters: { bytes: number; resolve: () => void }[] = [];

  constructor(private readonly hooks: ProgramOutputHooks) {}

  /** Scan a chunk of output. */
  push(chunk: Buffer): void {
    const lines = (this.rest + chunk.toString('latin1')).split('\n');
    this.rest = lines.pop() ?? '';
    if (this.rest.length > MAX_LINE) {
      lines.push(this.rest);
      this.rest = '';
    }
    for (const raw of lines) this.line(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    this.bytes += chunk.length;
    this.release();
  }

  /** The output ended (the process exited): every waiter is released. */
  end(): void {
    this.ended = true;
    this.release();
  }

  /** Resolves once `bytes` bytes have been scanned (or the output ended). */
  scanned(bytes: number): Promise<void> {
    if (this.ended || this.bytes >= bytes) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ bytes, resolve }));
  }

  private line(line: string): void {
    if (/content-length[ \t]*:[ \t]*\d+[ \t]*$/i.test(line)) {
      this.inHeader = true;
      this.headerExcerpt = line.slice(-200);
    } else if (this.inHeader && line === '') {
      this.inHeader = false;
      this.hooks.onFrame(this.headerExcerpt);
    } else if (this.inHeader && !/^[A-Za-z-]+:/.test(line)) {
      this.inHeader = false;
    }
    if (line.trim()) this.hooks.onLine(Buffer.from(line, 'latin1').toString('utf8'));
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.ended || this.bytes >= w.bytes) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
