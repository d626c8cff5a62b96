/**
 * A STAND-IN for a Lean worker (no Lean): for tests of the pool's pure scheduling logic
 * (routing, queueing, slots, retries, replacement, recycling). The same behaviours with real Lean
 * workers are tested in test/pool/worker-pool.test.ts and test/lean/slots.test.ts.
 */
import { WorkerPool, type PoolWorker } from '../../server/pool/worker-pool.js';

/** A stand-in worker: remembers headers, can be "killed", reports a settable RSS. */
export class FakeWorker implements PoolWorker {
  static next = 1;
  readonly pid = FakeWorker.next++;
  alive = true;
  rss = 0;
  retireReason?: string;
  readonly headers = new Set<string>();
  readonly headerCounts = { imports: 0, evictions: 0 };
  private readonly exits: ((r: string) => void)[] = [];
  hasHeader(h: string): boolean {
    return this.headers.has(h);
  }
  import(h: string): void {
    if (!this.headers.has(h)) this.headerCounts.imports++;
    this.headers.add(h);
  }
  rssBytes(): number {
    return this.rss;
  }
  onExitOnce(cb: (r: string) => void): void {
    this.exits.push(cb);
  }
  crash(): void {
    this.alive = false;
    for (const cb of this.exits.splice(0)) cb('killed');
  }
  async dispose(): Promise<void> {
    this.alive = false;
  }
}

export function fakePool(size: number, o: { slotsPerWorker?: number; isWorkerLoss?: (e: unknown) => boolean; maxQueue?: number; maxPerTenant?: number; maxRssBytes?: number; recycleAfterRequests?: number; spares?: number; startGate?: () => Promise<void> } = {}) {
  const spawned: FakeWorker[] = [];
  const pool = new WorkerPool<FakeWorker>({
    size,
    slotsPerWorker: o.slotsPerWorker,
    isWorkerLoss: o.isWorkerLoss,
    spares: o.spares,
    spawn: async (signal) => {
      await o.startGate?.();
      signal.throwIfAborted();
      const w = new FakeWorker();
      spawned.push(w);
      return w;
    },
    maxQueue: o.maxQueue ?? 100,
    maxQueuePerTenant: o.maxPerTenant ?? 100,
    maxRssBytes: o.maxRssBytes,
    recycleAfterRequests: o.recycleAfterRequests,
  });
  return { pool, spawned };
}

/** A promise with its resolver, to hold a job on a worker. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
