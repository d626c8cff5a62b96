/**
 * Typed TypeScript client for the leanenv WebSocket API (`/v1/ws`): one method per API
 * method, params and results checked against the shared protocol schemas.
 */
import WebSocket from 'ws';
import { createMessageConnection, type MessageConnection } from 'vscode-jsonrpc';
import { ApiMethods, type ApiMethod, type ApiParams, type ApiResult } from '../server/protocol/api.js';
import { WebSocketMessageReader, WebSocketMessageWriter } from '../server/ws/socket-transport.js';

/** A connection to a leanenv server. */
export class LeanEnvClient {
  private constructor(
    private readonly socket: WebSocket,
    private readonly conn: MessageConnection,
  ) {}

  /** Connect to `ws://host:port/v1/ws` (an `http://` base URL is accepted too). */
  static async connect(url: string, o: { token?: string } = {}): Promise<LeanEnvClient> {
    const wsUrl = new URL(url);
    if (wsUrl.protocol === 'http:') wsUrl.protocol = 'ws:';
    if (wsUrl.protocol === 'https:') wsUrl.protocol = 'wss:';
    if (wsUrl.pathname === '/' || wsUrl.pathname === '') wsUrl.pathname = '/v1/ws';
    const socket = new WebSocket(wsUrl, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {} });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const conn = createMessageConnection(new WebSocketMessageReader(socket, 64 << 20), new WebSocketMessageWriter(socket));
    conn.listen();
    return new LeanEnvClient(socket, conn);
  }

  /** Send one request; the result is validated against the protocol schema. */
  async request<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    const raw = await this.conn.sendRequest(method, params);
    return ApiMethods[method].result.parse(raw) as ApiResult<M>;
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
  /** Apply one tactic to a state. */
  apply(stateId: string, tactic: string) {
    return this.request('proof.apply', { stateId, tactic });
  }
  /** Apply several tactics to one state. */
  expand(stateId: string, tactics: string[]) {
    return this.request('proof.expand', { stateId, tactics });
  }
  /** The explored tree of a proof. */
  tree(proofId: string) {
    return this.request('proof.tree', { proofId });
  }
  /** Sound verdict for a solved state, with the whole proof text. */
  verify(stateId: string, o: { allowedAxioms?: string[] } = {}) {
    return this.request('proof.verify', { stateId, ...o });
  }

  /** Send raw text over the socket (for protocol tests); the next text frame received is returned. */
  sendRaw(text: string): Promise<unknown> {
    return new Promise((resolve) => {
      this.socket.once('message', (d: Buffer) => resolve(JSON.parse(d.toString('utf8'))));
      this.socket.send(text);
    });
  }

  /** Close the connection (sessions stay resumable for their TTL). */
  async close(): Promise<void> {
    this.conn.dispose();
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
