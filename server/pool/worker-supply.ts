/**
 * Where a pool's workers come from: worker starts in progress (each can be cancelled), the
 * ready spares (started, not serving), and the back-off after a failed start. The pool
 * decides how many to start and when to take a spare; this only keeps track.
 */
import type { Logger } from 'pino';
import type { PoolWorker } from './types.js';

/** What the supply needs from its pool. */
export interface SupplyOptions<W> {
  /** Starts a worker; must stop the process and reject once `signal` is aborted. */
  spawn: (signal: AbortSignal) => Promise<W>;
  /** A start finished: the worker is ready. */
  onReady: (w: W) => void;
  /** A start failed (after cancellation this is not called); `startsInFlight` is what is still starting. */
  onFailure: (e: unknown, startsInFlight: number) => void;
  /** The back-off after a failed start is over: starts may be asked for again. */
  onRetry: () => void;
  logger?: Logger;
}

/** Worker starts in progress and ready spares, with cancellation and back-off. */
export class WorkerSupply<W extends PoolWorker> {
  /** Ready workers not serving, oldest first. */
  private readonly ready: W[] = [];
  private readonly starts = new Map<AbortController, Promise<void>>();
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: SupplyOptions<W>) {}

  /** Worker starts in progress. */
  get starting(): number {
    return this.starts.size;
  }

  /** Live spares. */
  get spares(): readonly W[] {
    return this.ready.filter((w) => w.alive);
  }

  /** Whether starts are held back after a failure. */
  get backingOff(): boolean {
    return this.retryTimer !== undefined;
  }

  /** Start `n` workers (none while backing off after a failure, or once closed). */
  launch(n: number): void {
    if (this.closed || this.backingOff) return;
    for (let i = 0; i < n; i++) this.launchOne();
  }

  /** Keep a ready worker as a spare. */
  keep(w: W): void {
    this.ready.push(w);
  }

  /** Take the oldest live spare out of the supply, if any. */
  take(): W | undefined {
    for (let w = this.ready.shift(); w; w = this.ready.shift()) if (w.alive) return w;
    return undefined;
  }

  /** Forget a spare (it died); true if it was one. */
  remove(w: W): boolean {
    const i = this.ready.indexOf(w);
    if (i < 0) return false;
    this.ready.splice(i, 1);
    return true;
  }

  /** Cancel every start in progress (their processes are killed) and stop the spares; resolves when all are gone. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const starts = [...this.starts];
    for (const [c] of starts) c.abort(new Error('the pool is closing'));
    const spares = this.ready.splice(0);
    await Promise.all([...starts.map(([, p]) => p), ...spares.map((w) => w.dispose())]);
  }

  private launchOne(): void {
    const controller = new AbortController();
    const started = Promise.resolve()
      .then(() => this.opts.spawn(controller.signal))
      .then(
        async (w) => {
          this.starts.delete(controller);
          if (this.closed || controller.signal.aborted) return void (await w.dispose());
          this.failures = 0;
          this.opts.onReady(w);
        },
        (e: unknown) => {
          this.starts.delete(controller);
          if (this.closed || controller.signal.aborted) return;
          this.failures += 1;
          const delay = Math.min(30_000, 1000 * 2 ** this.failures);
          this.opts.logger?.error({ err: e, retryInMs: delay }, 'Lean worker failed to start');
          if (!this.retryTimer) {
            this.retryTimer = setTimeout(() => {
              this.retryTimer = undefined;
              this.opts.onRetry();
            }, delay);
            this.retryTimer.unref();
          }
          this.opts.onFailure(e, this.starts.size);
        },
      );
    this.starts.set(controller, started);
  }
}
