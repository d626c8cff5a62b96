/**
 * Server configuration: one zod-validated object fed, in increasing priority, from
 * defaults, an optional JSON config file, environment variables and command-line flags.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_CACHE_DIR } from '../provision/paths.js';
import { describeIssues } from '../../protocol/issues.js';

/** An embedded-Lean worker's memory budget for the defaults (it takes 3.7-4 GB). */
const WORKER_BUDGET_BYTES = 5 * 2 ** 30;

/** One worker per core, at most one per 5 GiB (an embedded-Lean worker takes about 4 GB). */
function defaultWorkers(): number {
  return Math.max(1, Math.min(os.availableParallelism(), Math.floor(os.totalmem() / WORKER_BUDGET_BYTES)));
}

/**
 * Spares kept by default: one when the machine's memory holds one more worker (5 GiB each)
 * beyond `workers`, else none.
 */
export function defaultSpareWorkers(workers: number, totalMemBytes = os.totalmem()): number {
  return totalMemBytes >= (workers + 1) * WORKER_BUDGET_BYTES ? 1 : 0;
}

/** The spares a pool keeps under this configuration (the field, else {@link defaultSpareWorkers}). */
export function spareWorkersFor(config: Config): number {
  return config.spareWorkers ?? defaultSpareWorkers(config.workers);
}

/** The configuration schema; every field has a default. */
export const ConfigSchema = z.object({
  /** Which Lean to run: native when `lake` is found (auto) or forced, or the embedded wasm Lean. */
  backend: z.enum(['auto', 'native', 'wasm']).default('auto'),
  /**
   * Worker containment: `auto` sandboxes workers when this machine can (wasm: Node's permission
   * model, always; native: bubblewrap when installed), warning when it cannot; `require` refuses
   * to start unsandboxed workers; `off` runs them unconfined.
   */
  sandbox: z.enum(['auto', 'require', 'off']).default('auto'),
  /** Lake project whose environment workers run in (native backend), e.g. a Mathlib project. */
  projectDir: z.string().optional(),
  /** Path of a native `lake` (default: from PATH). */
  lakePath: z.string().optional(),
  /** Header imported when a request gives none. */
  defaultHeader: z.string().default(''),
  /** Where set-up artifacts live. */
  cacheDir: z.string().default(DEFAULT_CACHE_DIR),
  /** Pthreads per wasm worker (the glue's pool). */
  wasmThreads: z.number().int().min(1).max(16).default(2),
  /** Default heartbeat limit per request, in thousands (Lean's `maxHeartbeats`); 0 = none. */
  maxHeartbeats: z.number().int().min(0).default(200000),
  /** Wall-clock limit per request; a worker that exceeds it is killed. */
  requestTimeoutMs: z.number().int().positive().default(120_000),
  /** Wall-clock limit for a worker to become ready. */
  startupTimeoutMs: z.number().int().positive().default(300_000),
  /** How long a session outlives its last connection (resume by id within it). */
  sessionTtlMs: z.number().int().positive().default(600_000),
  /** Largest WebSocket message accepted, in bytes. */
  maxMessageBytes: z.number().int().positive().default(1 << 20),
  /** Largest HTTP request body accepted (a `/v1/check` batch), in bytes. */
  maxBodyBytes: z.number().int().positive().default(64 << 20),
  /** Lean workers in the pool (default: one per core, at most one per 5 GiB of memory). */
  workers: z.number().int().min(1).max(256).default(defaultWorkers()),
  /** Ready workers kept besides `workers` to replace one at once (default: see `defaultSpareWorkers`). */
  spareWorkers: z.number().int().min(0).max(16).optional(),
  /** Requests waiting for a worker, in all; beyond it requests get the `overloaded` error. */
  maxQueue: z.number().int().min(1).default(1024),
  /** Requests waiting per session (or per batch); one tenant cannot fill the queue. */
  maxQueuePerSession: z.number().int().min(1).default(64),
  /** Imported header environments kept per worker (least recently used dropped beyond it). */
  maxHeaderEnvs: z.number().int().min(1).default(8),
  /** Recycle a worker once its resident memory passes this many MiB (0 = never). */
  maxWorkerRssMb: z.number().int().min(0).default(12_288),
  /** Recycle a worker after this many requests (0 = never). */
  recycleAfterRequests: z.number().int().min(0).default(0),
  /** On SIGTERM, how long in-flight and queued requests may run before workers are stopped. */
  shutdownGraceMs: z.number().int().min(0).default(30_000),
  /** WebSocket requests per second per connection (token bucket refill); 0 = no limit. */
  wsRatePerSecond: z.number().min(0).default(50),
  /** WebSocket requests a connection may send at once (token bucket size). */
  wsRateBurst: z.number().int().min(1).default(100),
  /** HTTP requests per client (bearer token, else address) per window; 0 = no limit. */
  httpRateLimitMax: z.number().int().min(0).default(600),
  /** The HTTP rate-limit window. */
  httpRateLimitWindowMs: z.number().int().positive().default(60_000),
  host: z.string().default('127.0.0.1'),
  /** Bearer token for HTTP and WebSocket; required when `host` is not loopback. */
  authToken: z.string().min(16, 'an auth token needs at least 16 characters').optional(),
  port: z.number().int().min(0).max(65535).default(8765),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** A complete, validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;
/** Configuration as given (every field optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;

const ENV_KEYS: Record<string, keyof Config> = {
  LEANENV_BACKEND: 'backend',
  LEANENV_SANDBOX: 'sandbox',
  LEANENV_PROJECT_DIR: 'projectDir',
  LEANENV_LAKE: 'lakePath',
  LEANENV_DEFAULT_HEADER: 'defaultHeader',
  LEANENV_CACHE_DIR: 'cacheDir',
  LEANENV_WASM_THREADS: 'wasmThreads',
  LEANENV_MAX_HEARTBEATS: 'maxHeartbeats',
  LEANENV_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  LEANENV_WORKERS: 'workers',
  LEANENV_SPARE_WORKERS: 'spareWorkers',
  LEANENV_MAX_QUEUE: 'maxQueue',
  LEANENV_MAX_QUEUE_PER_SESSION: 'maxQueuePerSession',
  LEANENV_MAX_HEADER_ENVS: 'maxHeaderEnvs',
  LEANENV_MAX_WORKER_RSS_MB: 'maxWorkerRssMb',
  LEANENV_RECYCLE_AFTER_REQUESTS: 'recycleAfterRequests',
  LEANENV_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  LEANENV_SESSION_TTL_MS: 'sessionTtlMs',
  LEANENV_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  LEANENV_MAX_BODY_BYTES: 'maxBodyBytes',
  LEANENV_AUTH_TOKEN: 'authToken',
  LEANENV_WS_RATE_PER_SECOND: 'wsRatePerSecond',
  LEANENV_WS_RATE_BURST: 'wsRateBurst',
  LEANENV_HTTP_RATE_LIMIT_MAX: 'httpRateLimitMax',
  LEANENV_HTTP_RATE_LIMIT_WINDOW_MS: 'httpRateLimitWindowMs',
  HOST: 'host',
  PORT: 'port',
  LOG_LEVEL: 'logLevel',
};

const NUMERIC = new Set<keyof Config>(['wasmThreads', 'maxHeartbeats', 'requestTimeoutMs', 'startupTimeoutMs', 'sessionTtlMs', 'maxMessageBytes', 'maxBodyBytes', 'workers', 'spareWorkers', 'port',
  'maxQueue', 'maxQueuePerSession', 'maxHeaderEnvs', 'maxWorkerRssMb', 'recycleAfterRequests', 'shutdownGraceMs', 'wsRatePerSecond', 'wsRateBurst', 'httpRateLimitMax', 'httpRateLimitWindowMs']);

function coerce(key: keyof Config, value: string): unknown {
  return NUMERIC.has(key) && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

/** Configuration values from environment variables (names in `ENV_KEYS`). */
export function configFromEnv(env: NodeJS.ProcessEnv): Partial<Record<keyof Config, unknown>> {
  const out: Partial<Record<keyof Config, unknown>> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== '') out[key] = coerce(key, v);
  }
  return out;
}

/** Configuration values from `--kebab-case value` / `--key=value` flags. */
export function configFromArgs(argv: string[]): Partial<Record<keyof Config, unknown>> {
  const keys = Object.keys(ConfigSchema.shape) as (keyof Config)[];
  const byFlag = new Map(keys.map((k) => [k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), k]));
  const out: Partial<Record<keyof Config, unknown>> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m || m[1] === 'config') {
      if (m && m[2] === undefined) i++;
      continue;
    }
    const key = byFlag.get(m[1]!);
    if (!key) throw new Error(`unknown option --${m[1]}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`option --${m[1]} needs a value`);
    out[key] = coerce(key, value);
  }
  return out;
}

/** Path given with `--config FILE`, or `LEANENV_CONFIG`. */
function configFilePath(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const m = /^--config(?:=(.*))?$/.exec(argv[i]!);
    if (m) return m[1] ?? argv[i + 1];
  }
  return env.LEANENV_CONFIG;
}

/** Build the configuration from a config file, the environment and flags; throws a readable error. */
export function loadConfig(argv: string[] = [], env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): Config {
  const file = configFilePath(argv, env);
  const fromFile = file ? (JSON.parse(fs.readFileSync(path.resolve(file), 'utf8')) as object) : {};
  const merged = { ...fromFile, ...configFromEnv(env), ...configFromArgs(argv), ...overrides };
  const r = ConfigSchema.safeParse(merged);
  if (!r.success) {
    const issues = describeIssues(r.error, '(root)').join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  return r.data;
}
