/**
 * The page's connection to the server through the SDK: token kept for the tab
 * (sessionStorage), request latency for the status line, server errors as readable text.
 */
import { LeanEnvClient, RpcError } from '../../sdk.js';

const TOKEN_KEY = 'leanenv.token';

/** The token this tab was given, if any. */
export function storedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}
/** Keep (or forget, with undefined) the token for this tab. */
export function storeToken(token: string | undefined): void {
  if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** Why connecting failed: the server wants a (right) token, or it is unreachable. */
export class ConnectError extends Error {
  constructor(
    readonly needsToken: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** Connect to the server that served the page; a refused token is told apart from an unreachable server. */
export async function connect(token?: string): Promise<LeanEnvClient> {
  try {
    return await LeanEnvClient.connect(location.origin, { token });
  } catch {
    const health = await fetch('/health', { headers: token ? { authorization: `Bearer ${token}` } : {} }).catch(() => undefined);
    if (health?.status === 401) throw new ConnectError(true, token ? 'the server refused this token' : 'this server needs an access token');
    throw new ConnectError(false, 'cannot reach the server');
  }
}

/** The server's error codes as a person should read them. */
export function describeError(e: unknown): string {
  if (!(e instanceof RpcError)) return e instanceof Error ? e.message : String(e);
  const code = e.data?.code;
  const retry = typeof e.data?.retryAfterMs === 'number' ? ` — retry in ${Math.ceil(e.data.retryAfterMs / 1000)} s` : '';
  switch (code) {
    case 'overloaded':
      return `Server overloaded: ${e.message}${retry}`;
    case 'rate_limited':
      return `Too many requests${retry}`;
    case 'worker_timeout':
      return `Lean worker timed out and was restarted (the session is kept): ${e.message}`;
    case 'worker_unavailable':
      return `Lean worker restarted or unavailable (the session is kept): ${e.message}`;
    case 'worker_tampered':
      return `Code under check forged a reply of its Lean worker; the worker was replaced (the session is kept): ${e.message}`;
    case 'unknown_session':
      return `Session expired or unknown: ${e.message}`;
    case 'shutting_down':
      return 'The server is shutting down';
    case 'statement_error':
    case 'header_error': {
      const msgs = (e.data?.lean as { messages?: { data: string }[] } | undefined)?.messages ?? (e.data?.messages as { data: string }[] | undefined) ?? [];
      return [e.message, ...msgs.map((m) => m.data)].join('\n');
    }
    default:
      return e.message;
  }
}

/** Wraps a call to time it: `onLatency` gets the round trip in ms. */
export function timed<T>(onLatency: (ms: number) => void, call: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  return call().finally(() => onLatency(Math.round(performance.now() - t0)));
}

/** The worker state for the status line, from `GET /health`. */
export async function workerState(token?: string): Promise<string> {
  try {
    const r = await fetch('/health', { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (r.status === 401) return 'token needed';
    const h = (await r.json()) as { status: string; workers?: { ready: number; busy: number; starting: number; queued: number; restarts: number } };
    if (!h.workers) return h.status;
    const w = h.workers;
    return `${w.ready} ready, ${w.busy} busy, ${w.starting} starting, ${w.queued} queued, ${w.restarts} restarts`;
  } catch {
    return 'unknown';
  }
}
