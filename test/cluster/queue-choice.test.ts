/** Header affinity's queue order (pure logic, no Redis). */
import { describe, expect, test } from 'vitest';
import { firstQueues, otherQueues } from '../../server/cluster/queue-choice.js';

describe('queue choice', () => {
  test("a node's own header queues come before the general one, except on the fairness turn", () => {
    expect(firstQueues({ held: ['h1', 'h2'], general: 'g', generalFirst: false })).toEqual(['h1', 'h2', 'g']);
    expect(firstQueues({ held: ['h1', 'h2'], general: 'g', generalFirst: true })).toEqual(['g', 'h1', 'h2']);
  });

  test('other header queues: empty ones skipped, ones nobody runs first, then the fullest', () => {
    const loads = [
      { queue: 'a', waiting: 9, active: 1 },
      { queue: 'b', waiting: 0, active: 0 },
      { queue: 'c', waiting: 2, active: 0 },
      { queue: 'd', waiting: 5, active: 0 },
    ];
    expect(otherQueues(loads, 'node-1')).toEqual(['d', 'c', 'a']);
  });

  test('between equal queues two nodes do not all pick the same one', () => {
    const loads = ['a', 'b', 'c', 'd', 'e', 'f'].map((queue) => ({ queue, waiting: 8, active: 0 }));
    const picks = new Set(Array.from({ length: 20 }, (_, i) => otherQueues(loads, `node-${i}`)[0]));
    expect(picks.size).toBeGreaterThan(1);
  });
});
