/**
 * The data of one batch-item job on the BullMQ queue, and the results written back. Job ids
 * are `<batchId>-<index>`: adding a batch again adds nothing that is still queued, and items
 * already answered are not added at all, so a re-submitted batch id never runs twice.
 */
import { z } from 'zod';
import { CheckItem, CheckResult } from '../../protocol/check.js';

/** One queued item: the item (its header replaced by the header's hash when it has one) and the batch's options. */
export const ItemJob = z.object({
  batchId: z.string().min(1),
  index: z.number().int().min(0),
  item: CheckItem,
  /** sha256 of the header text, stored once per batch under `keys.header`. */
  headerHash: z.string().optional(),
  allowedAxioms: z.array(z.string()).optional(),
  /** When the HTTP node accepted the batch (ms since the epoch), for the queue latency. */
  acceptedAt: z.number(),
});
export type ItemJob = z.infer<typeof ItemJob>;

/** The BullMQ job id of a batch item. */
export function jobId(batchId: string, index: number): string {
  return `${batchId}-${index}`;
}

/** One result as it comes back to the HTTP node: the item's index, its result, whether it ran more than once. */
export interface ItemResult {
  index: number;
  result: CheckResult;
  retried: boolean;
}

/** Parse a results-stream entry (`i`, `r`, `retried` fields). */
export function parseResultEntry(fields: string[]): ItemResult | undefined {
  const f = new Map<string, string>();
  for (let k = 0; k + 1 < fields.length; k += 2) f.set(fields[k]!, fields[k + 1]!);
  const parsed = CheckResult.safeParse(JSON.parse(f.get('r') ?? 'null'));
  const index = Number(f.get('i'));
  if (!parsed.success || !Number.isInteger(index)) return undefined;
  return { index, result: parsed.data, retried: f.get('retried') === '1' };
}

/** Runs one item on this node (the pool and the checker; fault tests use a stand-in). Rejects only on infrastructure failures. */
export type ItemRunner = (item: CheckItem, header: string, allowedAxioms: string[] | undefined) => Promise<CheckResult>;
