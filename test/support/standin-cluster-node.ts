/**
 * A cluster node with STAND-IN workers (no Lean), for the cluster's fault tests (node killed,
 * Redis restarted, re-submission, admission): the real app, pool, routes and cluster code,
 * but each "check" sleeps `STANDIN_ITEM_MS` and gives a verdict from the body's text
 * (`sorry` → incomplete, `fail` → failed, else proved). A stand-in worker keeps the last
 * `maxHeaderEnvs` headers it "imported" (an import sleeps `STANDIN_IMPORT_MS`), so the pool's
 * header routing and the cluster's header affinity act as on real workers and `/health`
 * counts the imports (`workers.headerImports`). Run as its own process:
 * `REDIS_URL=… PORT=… LEANENV_WORKERS=2 tsx test/support/standin-cluster-node.ts`.
 * Prints `listening <port>` when ready.
 */
import { pino } from 'pino';
import { build } from '../../server/app.js';
import { ClusterNode } from '../../server/cluster/cluster.js';
import type { ItemRunner } from '../../server/cluster/jobs.js';
import { loadConfig } from '../../server/config/config.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { WorkerPool, type PoolWorker } from '../../server/pool/worker-pool.js';
import { idleJudge } from './judge.js';

/** A stand-in worker: always alive; remembers the headers it "imported" (least recently used dropped). */
class StandInWorker implements PoolWorker {
  readonly alive = true;
  readonly pid = process.pid;
  readonly headerCounts = { imports: 0, evictions: 0 };
  readonly spawnSpec = { backend: 'stand-in', sandbox: { kind: 'none', detail: 'stand-in worker (no Lean)' } };
  readonly info = { version: 'stand-in' };
  private readonly headers: string[] = [];
  constructor(private readonly maxHeaders: number) {}
  hasHeader(header: string): boolean {
    return this.headers.includes(header);
  }
  /** Make `header` the most recent one, "importing" it (a sleep) if it is not held. */
  async useHeader(header: string, importMs: number): Promise<void> {
    const at = this.headers.indexOf(header);
    if (at >= 0) this.headers.splice(at, 1);
    else {
      await new Promise((r) => setTimeout(r, importMs));
      this.headerCounts.imports += 1;
      if (this.headers.length >= this.maxHeaders) {
        this.headers.shift();
        this.headerCounts.evictions += 1;
      }
    }
    this.headers.push(header);
  }
  rssBytes(): number | undefined {
    return undefined;
  }
  onExitOnce(): void {}
  async dispose(): Promise<void> {}
}

const config = loadConfig(process.argv.slice(2));
const log = pino({ level: config.logLevel });
const itemMs = Number(process.env.STANDIN_ITEM_MS ?? 200);
const importMs = Number(process.env.STANDIN_IMPORT_MS ?? 0);
const pool = new WorkerPool<StandInWorker>({ size: config.workers, spawn: async () => new StandInWorker(config.maxHeaderEnvs), maxQueue: config.maxQueue, maxQueuePerTenant: config.maxQueuePerSession, logger: log });
await pool.start();
const runItem: ItemRunner = (item, header) =>
  pool.run({ tenant: 'cluster', header }, async ({ worker }) => {
    const t0 = Date.now();
    await worker.useHeader(header, importMs);
    await new Promise((r) => setTimeout(r, itemMs));
    const text = 'code' in item ? item.code : item.body;
    const verdict = text.includes('sorry') ? 'incomplete' : text.includes('fail') ? 'failed' : 'proved';
    return { id: item.id, verdict, messages: [], axioms: [], elapsedMs: Date.now() - t0 };
  });
const cluster = new ClusterNode(pool, runItem, { url: config.redis!, maxQueue: config.clusterMaxQueue, affinity: config.clusterHeaderAffinity, affinityMinItems: config.clusterAffinityMinItems, logger: log, lockDurationMs: 4000, stalledIntervalMs: 2000 });
cluster.start(pool.ready());
const realPool = pool as unknown as WorkerPool<LeanWorker>;
const app = await build({ pool: realPool, judge: idleJudge(), cluster, logLevel: config.logLevel, httpRateLimit: { max: 0, windowMs: 60_000 } });
await app.listen({ host: '127.0.0.1', port: config.port });
process.stdout.write(`listening ${config.port} ${cluster.nodeId}\n`);
process.once('SIGTERM', () => void cluster.close(config.shutdownGraceMs).then(() => app.close()).then(() => process.exit(0)));
