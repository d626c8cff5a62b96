/** The fair queue: pure data structure, no Lean involved. */
import { describe, expect, test } from 'vitest';
import { FairQueue } from '../../server/pool/fair-queue.js';

const job = (tenant: string, n: number) => ({ tenant, n });

describe('FairQueue', () => {
  test('serves tenants round-robin and keeps each tenant in order', () => {
    const q = new FairQueue<{ tenant: string; n: number }>({ maxTotal: 100, maxPerTenant: 100 });
    for (let i = 0; i < 5; i++) q.push(job('flood', i));
    q.push(job('a', 0));
    q.push(job('b', 0));
    q.push(job('a', 1));
    const order: string[] = [];
    for (let j = q.take(() => true); j; j = q.take(() => true)) order.push(`${j.tenant}${j.n}`);
    expect(order).toEqual(['flood0', 'a0', 'b0', 'flood1', 'a1', 'flood2', 'flood3', 'flood4']);
    expect(q.size).toBe(0);
  });

  test('refuses beyond the total and the per-tenant limits', () => {
    const q = new FairQueue<{ tenant: string; n: number }>({ maxTotal: 3, maxPerTenant: 2 });
    expect(q.push(job('a', 0))).toBeUndefined();
    expect(q.push(job('a', 1))).toBeUndefined();
    expect(q.push(job('a', 2))).toBe('tenant_full');
    expect(q.push(job('b', 0))).toBeUndefined();
    expect(q.push(job('c', 0))).toBe('queue_full');
    expect(q.size).toBe(3);
    expect(q.sizeOf('a')).toBe(2);
  });

  test('takes the first runnable job of a tenant, skipping ones that must wait', () => {
    const q = new FairQueue<{ tenant: string; n: number }>({ maxTotal: 10, maxPerTenant: 10 });
    q.push(job('a', 0));
    q.push(job('a', 1));
    expect(q.take((j) => j.n === 1)?.n).toBe(1);
    expect(q.take((j) => j.n === 1)).toBeUndefined();
    expect(q.clear().map((j) => j.n)).toEqual([0]);
  });
});
