/**
 * Server configuration: one zod-validated object fed, in increasing priority, from
 * defaults, an optional JSON config file (`--config FILE` or LEANENV_CONFIG), environment
 * variables and command-line flags. Flags and environment names are derived from the field
 * names (`sources.ts`): `fooBarMs` is `--foo-bar-ms` and `LEANENV_FOO_BAR_MS`. To add a
 * setting, add one field (with a doc comment and a default) to `ConfigSchema`; nothing else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_CACHE_DIR } from '../provision/paths.js';
import { describeIssues } from '../../protocol/issues.js';
import { valuesFromArgs, valuesFromEnv } from './sources.js';

/**
 * An embedded-Lean worker's memory budget for the defaults: 1.5-1.7 GB when it starts, up to ~2.7 GB when its wasm
 * heap reaches the recycle limit (`wasmHeapRecycleMb`, docs/memory.md; 3.5-4 GB before the memory cuts).
 */
const WORKER_BUDGET_BYTES = 3 * 2 ** 30;

/** One worker per core, at most one per 3 GiB (see {@link WORKER_BUDGET_BYTES}). */
function defaultWorkers(): number {
  return Math.max(1, Math.min(os.availableParallelism(), Math.floor(os.totalmem() / WORKER_BUDGET_BYTES)));
}

/**
 * Spares kept by default: one when the machine's memory holds one more worker (3 GiB each)
 * beyond `workers`, else none.
 */
export function defaultSpareWorkers(workers: number, totalMemBytes = os.totalmem()): number {
  return totalMemBytes >= (workers + 1) * WORKER_BUDGET_BYTES ? 1 : 0;
}

/**
 * Slots per worker by default: enough to give every core a request when memory caps `workers`
 * below the core count (a slot costs ~0.26 GB where a worker costs ~1.7 GB, docs/memory.md), at
 * most 4; one when there is a worker per core.
 */
export function defaultSlotsPerWorker(workers: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(4, Math.ceil(cores / Math.max(1, workers))));
}

/** The slots per worker under this configuration (the field, else {@link defaultSlotsPerWorker}). */
export function slotsPerWorkerFor(config: Config): number {
  return config.slotsPerWorker ?? defaultSlotsPerWorker(config.workers);
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
  /**
   * Host paths, `:`-separated, that a native worker's bubblewrap sandbox keeps visible
   * (read-only) although they lie under /tmp, which is private inside it: a toolchain or the
   * files a `lake` wrapper runs, placed there. The project and the REPL's build are kept anyway.
   */
  sandboxReadPaths: z.string().optional(),
  /** Lake project whose environment workers run in (native backend), e.g. a Mathlib project. */
  projectDir: z.string().optional(),
  /** Path of a native `lake` (default: from PATH). */
  lakePath: z.string().optional(),
  /** Header imported when a request gives none. */
  defaultHeader: z.string().default(''),
  /** Where set-up artifacts live. */
  cacheDir: z.string().default(DEFAULT_CACHE_DIR),
  /** Pthreads per wasm worker (the glue's pool). */
  wasmThreads: z.number().int().min(1).max(16).default(3),
  /**
   * Recycle an embedded worker after the request during which its wasm heap grew past this many
   * MB (the heap is 2048 MB at most and never shrinks); 0 = never.
   */
  wasmHeapRecycleMb: z.number().int().min(0).max(2048).default(1536),
  /**
   * Live wasm heap in MB past which the embedded Lean's kernel stops with Lean's memory error
   * (`lean -M`; *(kernel) excessive memory consumption detected*) instead of the heap running out
   * (2048 MB), which ends the worker; 0 = no limit.
   */
  wasmHeapLimitMb: z.number().int().min(0).max(2048).default(1536),
  /** How a wasm worker gets the REPL: `precompiled` loads the IR set-up compiled (`lean-boot.ts`);
   * `source` elaborates the bundled source at every start (15-20 s slower; the former default). */
  wasmRepl: z.enum(['precompiled', 'source']).default('precompiled'),
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
  /** Lean workers in the pool (default: one per core, at most one per 3 GiB of memory). */
  workers: z.number().int().min(1).max(256).default(defaultWorkers()),
  /**
   * Requests one embedded worker answers at once, each on its own Lean thread, sharing the
   * worker's imports and compiled code (docs/memory.md; default: see `defaultSlotsPerWorker`).
   * The native backend keeps one.
   */
  slotsPerWorker: z.number().int().min(1).max(8).optional(),
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
  /** Directory under which the Lean REPL front's `{"path": …}` commands may read files (unset: file mode off). */
  replFileRoot: z.string().optional(),
  /** Directory the Lean REPL front's `pickleTo` / `unpickleEnvFrom` / `unpickleProofStateFrom` files live in (paths are taken relative to it; unset: pickling off). Share it between the nodes of a cluster to unpickle on another node. */
  replPickleDir: z.string().optional(),
  /** Redis URL (e.g. redis://redis:6379): this node joins a cluster of nodes sharing batch checks; none = one node alone. */
  redis: z.string().url().optional(),
  /** Cluster mode: batch items waiting in the cluster queue beyond which a new batch gets `overloaded`. */
  clusterMaxQueue: z.number().int().min(1).default(100_000),
  /** Cluster mode: header affinity across nodes (hot headers get their own queue; a node takes first from the headers it ran). */
  clusterHeaderAffinity: z.boolean().default(true),
  /** Cluster mode: items of one header in a batch from which that header gets its own queue. */
  clusterAffinityMinItems: z.number().int().min(1).default(2),
  /** Address to listen on (environment: HOST). */
  host: z.string().default('127.0.0.1'),
  /** Bearer token for HTTP and WebSocket; required when `host` is not loopback. */
  authToken: z.string().min(16, 'an auth token needs at least 16 characters').optional(),
  /** Port to listen on; 0 picks a free one (environment: PORT). */
  port: z.number().int().min(0).max(65535).default(8765),
  /** Log level (environment: LOG_LEVEL). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** A complete, validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;
/** Configuration as given (every field optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Build the configuration from a config file, the environment and flags; throws a readable error. */
export function loadConfig(argv: string[] = [], env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): Config {
  const flags = valuesFromArgs(ConfigSchema.shape, argv);
  const file = flags.configFile ?? env.LEANENV_CONFIG;
  const fromFile = file ? (JSON.parse(fs.readFileSync(path.resolve(file), 'utf8')) as object) : {};
  const merged = { ...fromFile, ...valuesFromEnv(ConfigSchema.shape, env), ...flags.values, ...overrides };
  const r = ConfigSchema.safeParse(merged);
  if (!r.success) {
    const issues = describeIssues(r.error, '(root)').join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  return r.data;
}
