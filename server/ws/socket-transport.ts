/**
 * vscode-jsonrpc message reader and writer over a WebSocket (one JSON-RPC message per
 * text frame). Messages that arrive before `listen()` are buffered; text that is not
 * JSON, JSON that is not a JSON-RPC 2.0 message, a message over the size limit and a
 * request over the connection's rate limit are answered with an error here (vscode-jsonrpc
 * would drop them silently), and the connection stays usable.
 */
import type { WebSocket } from 'ws';
import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc';
import { ApiErrors } from '../../protocol/api.js';
import { TokenBucket, type RateLimit } from './token-bucket.js';

/** Whether a parsed value has the shape of a JSON-RPC 2.0 request, notification or response. */
function isJsonRpcMessage(v: unknown): v is Message {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return false;
  if (typeof m.method === 'string') return m.id === undefined || typeof m.id === 'string' || typeof m.id === 'number';
  return 'id' in m && ('result' in m || 'error' in m);
}

/** Send a JSON-RPC error response straight over the socket. */
function sendError(socket: WebSocket, id: unknown, spec: { rpcCode: number; message: string; code: string }, detail: string, data: Record<string, unknown> = {}): void {
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: { code: spec.rpcCode, message: `${spec.message}: ${detail}`, data: { code: spec.code, ...data } } }));
}

/** The request id of a message too large to parse, if it appears near its start (`"id": 7`). */
function leadingId(data: Buffer): string | number | null {
  const m = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")/.exec(data.subarray(0, 4096).toString('utf8'));
  if (!m) return null;
  try {
    return JSON.parse(m[1]!) as string | number;
  } catch {
    return null;
  }
}

/** Reads JSON-RPC messages from a WebSocket. */
export class WebSocketMessageReader extends AbstractMessageReader {
  private callback: DataCallback | undefined;
  private readonly queue: Message[] = [];

  /** `rateLimit`: requests per second (and burst) this connection may send; none when absent. */
  constructor(socket: WebSocket, maxMessageBytes: number, rateLimit?: RateLimit) {
    super();
    const bucket = rateLimit && new TokenBucket(rateLimit);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return sendError(socket, null, ApiErrors.InvalidRequest, 'binary frames are not accepted');
      if (data.length > maxMessageBytes) {
        const detail = `${data.length} bytes is over the limit of ${maxMessageBytes}`;
        return sendError(socket, leadingId(data), ApiErrors.MessageTooLarge, detail, { maxMessageBytes });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString('utf8'));
      } catch (e) {
        return sendError(socket, null, ApiErrors.ParseError, (e as Error).message);
      }
      if (!isJsonRpcMessage(parsed)) {
        const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : null;
        return sendError(socket, id, ApiErrors.InvalidRequest, 'expected {"jsonrpc":"2.0","method":...}');
      }
      const retryAfterMs = bucket && 'method' in parsed ? bucket.take() : 0;
      if (retryAfterMs > 0) {
        // A request gets an error it can act on; a notification over the limit is dropped.
        if ('id' in parsed && parsed.id !== undefined) {
          const detail = `more than ${rateLimit!.perSecond} requests a second (burst ${rateLimit!.burst}); retry in ${retryAfterMs} ms`;
          sendError(socket, parsed.id, ApiErrors.RateLimited, detail, { retryAfterMs });
        }
        return;
      }
      if (this.callback) this.callback(parsed);
      else this.queue.push(parsed);
    });
    socket.on('error', (e) => this.fireError(e));
    socket.on('close', () => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const m of this.queue.splice(0)) callback(m);
    return { dispose: () => (this.callback = undefined) };
  }
}

/** Writes JSON-RPC messages to a WebSocket. */
export class WebSocketMessageWriter extends AbstractMessageWriter {
  constructor(private readonly socket: WebSocket) {
    super();
  }

  async write(msg: Message): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return;
    await new Promise<void>((resolve, reject) => this.socket.send(JSON.stringify(msg), (e) => (e ? reject(e) : resolve())));
  }

  end(): void {}
}
