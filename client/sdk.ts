/**
 * Typed TypeScript client for the leanenv WebSocket API (`/v1/ws`): one method per API
 * method, params and results checked against the shared protocol schemas.
 */
import { ApiMethods, ProofTreeChanged, type ApiMethod, type ApiParams, type ApiResult } from '../protocol/api.js';
import { RpcTransport, type SocketLike } from './rpc-transport.js';
import type { TacticMeta } from '../protocol/traces.js';

export { RpcError } from './rpc-transport.js';

/** The WebSocket URL of a server from its base URL (`http://host:port` or `ws://…/v1/ws`). */
export function webSocketUrl(url: string): URL {
  const u = new URL(url);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/ws';
  return u;
}

/** The WebSocket subprotocols that carry a token where no header can be set (a browser): `leanenv` and `leanenv.bearer.<base64url>`. */
export function tokenSubprotocols(token: string): string[] {
  const bytes = new TextEncoder().encode(token);
  const b64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return ['leanenv', `leanenv.bearer.${b64}`];
}

/** Open a WebSocket: the platform's in a browser (token as a subprotocol), npm `ws` in Node (token as a header). */
async function openSocket(url: URL, token?: string): Promise<SocketLike> {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const Native = (globalThis as { WebSocket?: new (u: string, protocols?: string[]) => SocketLike }).WebSocket;
  const socket: SocketLike & { addEventListener(t: 'open' | 'error', l: (e: unknown) => void): void } =
    typeof (globalThis as { window?: unknown }).window !== 'undefined' && Native
      ? (new Native(url.toString(), token ? tokenSubprotocols(token) : undefined) as never)
      : (new (await import('ws')).default(url, { headers }) as never);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', (e) => {
      const cause = (e as { error?: unknown }).error;
      reject(cause instanceof Error ? cause : new Error(`cannot connect to ${url}`));
    });
  });
  return socket;
}

/** A request's method, round-trip milliseconds and whether it succeeded. */
export type ResponseListener = (method: ApiMethod, ms: number, ok: boolean) => void;

/** A connection to a leanenv server. */
export class LeanEnvClient {
  private constructor(
    private readonly socket: SocketLike,
    private readonly rpc: RpcTransport,
  ) {}

  /** Connect to `ws://host:port/v1/ws` (an `http://` base URL is accepted too). */
  static async connect(url: string, o: { token?: string; onResponse?: ResponseListener } = {}): Promise<LeanEnvClient> {
    const socket = await openSocket(webSocketUrl(url), o.token);
    const client = new LeanEnvClient(socket, new RpcTransport(socket));
    client.onResponse = o.onResponse;
    return client;
  }

  /** Called after every request with its method, round-trip time and outcome (latency tracing). */
  onResponse: ResponseListener | undefined;

  /** Send one request; the result is validated against the protocol schema. */
  async request<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    const t0 = performance.now();
    let ok = false;
    try {
      const raw = await this.rpc.request(method, params);
      const r = ApiMethods[method].result.parse(raw) as ApiResult<M>;
      ok = true;
      return r;
    } finally {
      this.onResponse?.(method, performance.now() - t0, ok);
    }
  }

  /** Open a session with a header (imports, `open`, `set_option`, notation). */
  openSession(header?: string) {
    return this.request('session.open', header === undefined ? {} : { header });
  }
  /** Reattach to a session after a reconnect. */
  resumeSession(sessionId: string) {
    return this.request('session.resume', { sessionId });
  }
  /** Close a session and forget its proofs. */
  closeSession(sessionId: string) {
    return this.request('session.close', { sessionId });
  }
  /** Start a proof from a statement or a dataset item id. */
  start(sessionId: string, from: { statement: string } | { datasetId: string }) {
    return this.request('proof.start', { sessionId, ...from });
  }
  /** Apply one tactic to a state; `meta` (any JSON object, e.g. a log-probability) is kept in the proof's traces. */
  apply(stateId: string, tactic: string, meta?: TacticMeta) {
    return this.request('proof.apply', { stateId, tactic, ...(meta ? { meta } : {}) });
  }
  /** Apply several tactics to one state; `meta`: one annotation (or null) per tactic, kept in the traces. */
  expand(stateId: string, tactics: string[], meta?: (TacticMeta | null)[]) {
    return this.request('proof.expand', { stateId, tactics, ...(meta ? { meta } : {}) });
  }
  /** Training records (one per edge and failed attempt) of a proof, or of every proof of a session. */
  traces(of: { proofId: string } | { sessionId: string }) {
    return this.request('proof.traces', of);
  }
  /** The explored tree of a proof. */
  tree(proofId: string) {
    return this.request('proof.tree', { proofId });
  }
  /** Sound verdict for a solved state, with the whole proof text. */
  verify(stateId: string, o: { allowedAxioms?: string[] } = {}) {
    return this.request('proof.verify', { stateId, ...o });
  }

  /** One state with its structured goals (also for a watched session's states). */
  state(stateId: string) {
    return this.request('proof.state', { stateId });
  }
  /** Watch another connection's session read-only: its proofs now; `onTreeChanged` gets what they gain. */
  watch(sessionId: string) {
    return this.request('session.watch', { sessionId });
  }
  /** Stop watching a session. */
  unwatch(sessionId: string) {
    return this.request('session.unwatch', { sessionId });
  }
  /** Benchmark items whose id contains `query`, with benchmark, split and statement. */
  searchDatasets(query = '', limit = 50) {
    return this.request('dataset.search', { query, limit });
  }
  /** The tactic names the server's Lean has (for completion). */
  tactics() {
    return this.request('lean.tactics', {});
  }

  /** Handle `proof.treeChanged` notifications (of watched sessions); a malformed one is ignored. */
  onTreeChanged(handler: (change: ProofTreeChanged) => void): void {
    this.rpc.onNotification('proof.treeChanged', (params) => {
      const r = ProofTreeChanged.safeParse(params);
      if (r.success) handler(r.data);
    });
  }
  /** Call `listener` when the connection closes (for a status line). */
  onClose(listener: () => void): void {
    this.socket.addEventListener('close', listener);
  }

  /** Send raw text over the socket (for protocol tests); the next text frame received is returned. */
  sendRaw(text: string): Promise<unknown> {
    return this.rpc.sendRaw(text);
  }

  /** Close the connection (sessions stay resumable for their TTL). */
  async close(): Promise<void> {
    if (this.socket.readyState === 3) return;
    await new Promise<void>((resolve) => {
      this.socket.addEventListener('close', () => resolve());
      this.socket.close();
    });
  }
}
