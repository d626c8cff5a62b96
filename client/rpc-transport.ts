/**
 * A small JSON-RPC 2.0 client over one WebSocket (one message per text frame), for Node (`ws`)
 * and browsers alike: requests matched to responses by id, notifications to a handler. It
 * answers nothing: a frame from the server that is not a response or notification is ignored.
 */

/** What the transport needs of a WebSocket: the browser's `WebSocket` and `ws`'s both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
}

/** A JSON-RPC error answer, as thrown to the caller: `code`, `message` and the registry's `data`. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: { code?: string; [k: string]: unknown },
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** JSON-RPC requests and notifications over a socket. */
export class RpcTransport {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: unknown) => void>();
  private readonly rawWaiters: Array<(v: unknown) => void> = [];

  constructor(private readonly socket: SocketLike) {
    socket.addEventListener('message', (ev) => this.receive(typeof ev.data === 'string' ? ev.data : String(ev.data)));
    socket.addEventListener('close', () => this.failAll(new RpcError(-32011, 'connection closed')));
  }

  /** Send a request; resolves with its result or rejects with an `RpcError`. */
  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      } catch (e) {
        this.pending.delete(id);
        reject(e as Error);
      }
    });
  }

  /** Handle notifications of one method (one handler per method; a new one replaces the old). */
  onNotification(method: string, handler: (params: unknown) => void): void {
    this.handlers.set(method, handler);
  }

  /** Send raw text; the next frame received is parsed and returned (for protocol tests). */
  sendRaw(text: string): Promise<unknown> {
    return new Promise((resolve) => {
      this.rawWaiters.push(resolve);
      this.socket.send(text);
    });
  }

  /** Reject every request still waiting. */
  failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private receive(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const raw = this.rawWaiters.shift();
    if (raw) return raw(msg);
    if (typeof msg.method === 'string' && msg.id === undefined) {
      this.handlers.get(msg.method)?.(msg.params);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    const err = msg.error as { code: number; message: string; data?: RpcError['data'] } | undefined;
    if (err) p.reject(new RpcError(err.code, err.message, err.data));
    else p.resolve(msg.result);
  }
}
