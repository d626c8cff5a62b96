/**
 * `npm start`: provision the configured Lean backend (embedded by default here), start the
 * worker pool and serve HTTP + WebSocket on HOST:PORT (127.0.0.1:8765 by default). SIGTERM
 * and SIGINT drain in-flight requests (up to `shutdownGraceMs`) before exiting.
 */
import path from 'node:path';
import { pino } from 'pino';
import { build } from './app.js';
import { loadConfig, type Config } from './config/config.js';
import { resolveBackend } from './lean/backend.js';
import { DatasetIndex } from './sessions/datasets.js';
import { PROJECT_ROOT } from './provision/paths.js';
import { assertSafeBinding } from './http/auth.js';
import { createPool } from './pool/create.js';
import { createJudge } from './judge/create.js';
import { shutdown } from './lifecycle.js';
import { ClusterNode, poolItemRunner } from './cluster/cluster.js';
import { ensureWebPage } from './provision/web.js';
import { configHelp } from './config/describe.js';

/** The configuration, or exit 2 with a one-line reason (bad flag, value or binding). */
function configOrExit(): Config {
  try {
    const c = loadConfig(process.argv.slice(2));
    assertSafeBinding(c.host, c.authToken);
    return c;
  } catch (e) {
    console.error(`leanenv: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
}

if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  console.log(configHelp());
  process.exit(0);
}
const config = configOrExit();
const log = pino({ level: config.logLevel });
// A backend that cannot be provisioned (no sandbox under `require`, a toolchain the native REPL
// refuses or does not build with) ends the server here, before any worker or the judge starts.
const spec = await resolveBackend(config, (l) => log.info(`setup: ${l}`)).catch((e: unknown) => {
  log.error({ err: e }, 'the Lean backend could not be provisioned; no worker was started');
  console.error(`leanenv: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
// The API works without the page: a failed page build is logged, `/` then says so.
await ensureWebPage((l) => log.info(`setup: ${l}`)).catch((e: unknown) => log.error({ err: e }, 'the debugger page could not be built'));
const pool = createPool(spec, config, log);
void pool.start();
// The judge decides every `proved`; it never runs submission code (server/judge/judge.ts).
const judge = createJudge(spec, config, log);
void judge.start().catch((e: unknown) => log.error({ err: e }, 'the judge could not start (checks will say error until it does)'));
const cluster = config.redis ? new ClusterNode(pool, poolItemRunner(pool, judge), { url: config.redis, maxQueue: config.clusterMaxQueue, affinity: config.clusterHeaderAffinity, affinityMinItems: config.clusterAffinityMinItems, sessionTtlMs: config.sessionTtlMs, logger: log }) : undefined;
cluster?.start(pool.ready());
const benchmarks = path.resolve(PROJECT_ROOT, '../shared/benchmarks');
const datasets = new DatasetIndex(['core-subset', 'minif2f-lean4', 'putnambench-lean4'].map((n) => path.join(benchmarks, `${n}.jsonl`)));
const app = await build({
  pool,
  judge,
  datasets,
  defaultHeader: config.defaultHeader,
  sessionTtlMs: config.sessionTtlMs,
  maxMessageBytes: config.maxMessageBytes,
  maxBodyBytes: config.maxBodyBytes,
  wsRateLimit: { perSecond: config.wsRatePerSecond, burst: config.wsRateBurst },
  httpRateLimit: { max: config.httpRateLimitMax, windowMs: config.httpRateLimitWindowMs },
  authToken: config.authToken,
  shutdownGraceMs: config.shutdownGraceMs,
  logLevel: config.logLevel,
  replFileRoot: config.replFileRoot,
  replPickleDir: config.replPickleDir,
  cluster,
});
await app.listen({ host: config.host, port: config.port });
const bound = app.server.address();
// A parent that started us with an IPC channel (`leanenv check` without --server) learns the URL.
if (process.send && bound && typeof bound === 'object') process.send({ listening: `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}` });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'signal received');
    // A cluster node first stops taking batch items and finishes (or hands back) its running ones.
    void (cluster?.close(config.shutdownGraceMs) ?? Promise.resolve()).then(() => shutdown(app, pool, config.shutdownGraceMs)).then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
