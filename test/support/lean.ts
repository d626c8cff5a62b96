/** Shared helpers for tests that run a real Lean worker. */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig, type ConfigInput } from '../../server/config/config.js';
import { resolveBackend, workerOptions } from '../../server/lean/backend.js';
import { LeanWorker } from '../../server/lean/worker.js';
import { withSlots } from '../../server/pool/create.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';

/** One benchmark record (`../shared/benchmarks/*.jsonl`). */
export interface BenchmarkItem {
  id: string;
  header: string;
  body: string;
}

/** The core-subset records by id. */
export function coreSubset(): Map<string, BenchmarkItem> {
  const file = path.resolve(PROJECT_ROOT, '../shared/benchmarks/core-subset.jsonl');
  const items = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as BenchmarkItem);
  return new Map(items.map((i) => [i.id, i]));
}

/** Start a real worker on the configured backend (the embedded Lean here), with optional config overrides (one slot unless `slotsPerWorker` says otherwise). */
export async function startTestWorker(overrides: ConfigInput = {}): Promise<LeanWorker> {
  const config = loadConfig([], process.env, overrides);
  const spec = await resolveBackend(config);
  const slotted = spec.backend === 'wasm' ? withSlots(spec, config.slotsPerWorker ?? 1, config.wasmThreads) : spec;
  return LeanWorker.start(slotted, workerOptions(config, pino({ level: process.env.LOG_LEVEL ?? 'warn' })));
}
