/**
 * A replaceable Lean worker: hands out the current worker, starts a new one when it
 * has died, and counts generations so that callers can tell that ids they hold from
 * an older process are gone (and rebuild their states by replay).
 */
import type { LeanWorker, WorkerOptions, WorkerSpawn } from './worker.js';
import { LeanWorker as Worker } from './worker.js';

/** Something that yields a live worker and its generation number. */
export interface WorkerSource {
  /** The current live worker (started or restarted as needed) and its generation. */
  acquire(): Promise<{ worker: LeanWorker; generation: number }>;
  /** The live worker and its generation, if one is running now; never starts one. */
  peekWithGeneration(): Promise<{ worker: LeanWorker; generation: number } | undefined>;
  /** Stop the worker for good. */
  dispose(): Promise<void>;
}

/** One worker, restarted on demand after it dies. */
export class RestartingWorker implements WorkerSource {
  private current: Promise<LeanWorker> | undefined;
  private generation = 0;
  /** Number of restarts after the first start. */
  restarts = 0;

  constructor(
    private readonly spec: WorkerSpawn,
    private readonly opts: WorkerOptions,
    first?: Promise<LeanWorker>,
  ) {
    if (first) {
      this.current = first;
      this.generation = 1;
    }
  }

  async acquire(): Promise<{ worker: LeanWorker; generation: number }> {
    if (this.current) {
      const w = await this.current.catch(() => undefined);
      if (w?.alive) return { worker: w, generation: this.generation };
      this.restarts += this.generation > 0 ? 1 : 0;
    }
    this.generation += 1;
    this.current = Worker.start(this.spec, this.opts);
    this.current.catch(() => (this.current = undefined));
    return { worker: await this.current, generation: this.generation };
  }

  /** The worker if it is running now (for health reports), without starting one. */
  async peek(): Promise<LeanWorker | undefined> {
    return (await this.peekWithGeneration())?.worker;
  }

  async peekWithGeneration(): Promise<{ worker: LeanWorker; generation: number } | undefined> {
    const generation = this.generation;
    const w = await this.current?.catch(() => undefined);
    return w?.alive ? { worker: w, generation } : undefined;
  }

  async dispose(): Promise<void> {
    const w = await this.current?.catch(() => undefined);
    this.current = undefined;
    await w?.dispose();
  }
}
