/** A token bucket: `perSecond` tokens a second, holding at most `burst`; for per-connection request rates. */

/** Rate and burst of a bucket; `perSecond: 0` turns the limit off. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** One client's bucket. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  /** Take one token: 0 when granted, else the milliseconds until one will be there. */
  take(): number {
    if (this.limit.perSecond <= 0) return 0;
    const t = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((t - this.last) / 1000) * this.limit.perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
  }
}
