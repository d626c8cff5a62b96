/**
 * `npm start`: provision the configured Lean backend (embedded by default here),
 * start a worker and serve HTTP on HOST:PORT (127.0.0.1:8765 by default).
 */
import { pino } from 'pino';
import { build } from './app.js';
import { loadConfig } from './config/config.js';
import { resolveBackend } from './lean/backend.js';
import { LeanWorker } from './lean/worker.js';

const config = loadConfig(process.argv.slice(2));
const log = pino({ level: config.logLevel });
const worker = resolveBackend(config, (l) => log.info(`setup: ${l}`)).then((spec) =>
  LeanWorker.start(spec, {
    requestTimeoutMs: config.requestTimeoutMs,
    startupTimeoutMs: config.startupTimeoutMs,
    maxHeartbeats: config.maxHeartbeats,
    logger: log,
  }),
);
worker.catch((e: unknown) => log.error({ err: e }, 'Lean worker failed to start'));
const app = build({ worker, logLevel: config.logLevel });
await app.listen({ host: config.host, port: config.port });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  });
}
