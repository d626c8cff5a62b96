/**
 * `npm start`: provision the configured Lean backend (embedded by default here),
 * start a worker and serve HTTP + WebSocket on HOST:PORT (127.0.0.1:8765 by default).
 */
import path from 'node:path';
import { pino } from 'pino';
import { build } from './app.js';
import { loadConfig } from './config/config.js';
import { resolveBackend, workerOptions } from './lean/backend.js';
import { RestartingWorker } from './lean/worker-handle.js';
import { DatasetIndex } from './sessions/datasets.js';
import { PROJECT_ROOT } from './provision/paths.js';
import { assertSafeBinding } from './http/auth.js';

const config = loadConfig(process.argv.slice(2));
assertSafeBinding(config.host, config.authToken);
const log = pino({ level: config.logLevel });
const spec = await resolveBackend(config, (l) => log.info(`setup: ${l}`));
const workers = new RestartingWorker(spec, workerOptions(config, log));
workers.acquire().catch((e: unknown) => log.error({ err: e }, 'Lean worker failed to start'));
const benchmarks = path.resolve(PROJECT_ROOT, '../shared/benchmarks');
const datasets = new DatasetIndex(['core-subset', 'minif2f-lean4', 'putnambench-lean4'].map((n) => path.join(benchmarks, `${n}.jsonl`)));
const app = await build({
  workers,
  datasets,
  defaultHeader: config.defaultHeader,
  sessionTtlMs: config.sessionTtlMs,
  maxMessageBytes: config.maxMessageBytes,
  wsRateLimit: { perSecond: config.wsRatePerSecond, burst: config.wsRateBurst },
  httpRateLimit: { max: config.httpRateLimitMax, windowMs: config.httpRateLimitWindowMs },
  authToken: config.authToken,
  logLevel: config.logLevel,
});
await app.listen({ host: config.host, port: config.port });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  });
}
