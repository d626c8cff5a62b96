/** Benchmark items (miniF2F / PutnamBench JSONL records) addressable by id. */
import fs from 'node:fs';
import { z } from 'zod';

/** One record: an id, the header it elaborates under, and the statement (`... := by sorry`). */
export const DatasetItem = z.object({ id: z.string(), header: z.string(), body: z.string() });
export type DatasetItem = z.infer<typeof DatasetItem>;

/** Items of JSONL files, by id (later files do not override earlier ids). */
export class DatasetIndex {
  private readonly items = new Map<string, DatasetItem>();

  /** Load every readable file; malformed lines are skipped and counted. */
  constructor(files: readonly string[]) {
    for (const file of files) {
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const r = DatasetItem.safeParse(JSON.parse(line));
        if (r.success && !this.items.has(r.data.id)) this.items.set(r.data.id, r.data);
      }
    }
  }

  /** The item with this id, if loaded. */
  get(id: string): DatasetItem | undefined {
    return this.items.get(id);
  }

  get size(): number {
    return this.items.size;
  }
}
