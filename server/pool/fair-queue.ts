/**
 * A bounded queue that is fair between tenants (sessions, batch requests): jobs of one
 * tenant keep their order, and tenants are served round-robin, so one tenant flooding the
 * queue delays only itself.
 */

/** Why a job was not queued. */
export type QueueRefusal = 'queue_full' | 'tenant_full';

/** Limits of the queue. */
export interface FairQueueLimits {
  /** Jobs waiting in all. */
  maxTotal: number;
  /** Jobs waiting per tenant. */
  maxPerTenant: number;
}

/** Round-robin queue of jobs keyed by tenant. */
export class FairQueue<J extends { tenant: string }> {
  /** Tenants in service order (a Map keeps insertion order; served tenants move to the end). */
  private readonly byTenant = new Map<string, J[]>();
  private total = 0;

  constructor(private readonly limits: FairQueueLimits) {}

  /** Jobs waiting. */
  get size(): number {
    return this.total;
  }

  /** Jobs of one tenant waiting. */
  sizeOf(tenant: string): number {
    return this.byTenant.get(tenant)?.length ?? 0;
  }

  /** Append a job; refuses (without queueing) when a limit would be passed. */
  push(job: J): QueueRefusal | undefined {
    if (this.total >= this.limits.maxTotal) return 'queue_full';
    const jobs = this.byTenant.get(job.tenant);
    if ((jobs?.length ?? 0) >= this.limits.maxPerTenant) return 'tenant_full';
    if (jobs) jobs.push(job);
    else this.byTenant.set(job.tenant, [job]);
    this.total += 1;
    return undefined;
  }

  /**
   * Take the next job that `runnable` accepts: tenants in round-robin order, and within a
   * tenant its first runnable job. The served tenant moves to the back of the order.
   */
  take(runnable: (job: J) => boolean): J | undefined {
    for (const [tenant, jobs] of this.byTenant) {
      const i = jobs.findIndex(runnable);
      if (i < 0) continue;
      const [job] = jobs.splice(i, 1);
      this.byTenant.delete(tenant);
      if (jobs.length) this.byTenant.set(tenant, jobs);
      this.total -= 1;
      return job;
    }
    return undefined;
  }

  /** Remove every job (for shutdown); returns them in queue order. */
  clear(): J[] {
    const all = [...this.byTenant.values()].flat();
    this.byTenant.clear();
    this.total = 0;
    return all;
  }
}
