/** Benchmark items (miniF2F / PutnamBench JSONL records) addressable by id. */
import fs from 'node:fs';
import { z } from 'zod';

/** One record: an id, the header it elaborates under, and the statement (`... := by sorry`). */
export const DatasetItem = z.object({
  id: z.string(),
  header: z.string(),
  body: z.string(),
  /** Which benchmark (`minif2f`, `putnambench`) and split (`test`, `valid`), when the file says. */
  benchmark: z.string().optional(),
  split: z.string().optional(),
});
export type DatasetItem = z.infer<typeof DatasetItem>;

/** A line's JSON value, or undefined when it is not JSON. */
function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** Items of JSONL files, by id (later files do not override earlier ids). */
export class DatasetIndex {
  private readonly items = new Map<string, DatasetItem>();
  private malformed = 0;

  /** Load every readable file; malformed lines are skipped and counted. */
  constructor(files: readonly string[]) {
    for (const file of files) {
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const r = DatasetItem.safeParse(parseJson(line));
        if (!r.success) this.malformed += 1;
        else if (!this.items.has(r.data.id)) this.items.set(r.data.id, r.data);
      }
    }
  }

  /** The item with this id, if loaded. */
  get(id: string): DatasetItem | undefined {
    return this.items.get(id);
  }

  /** Items whose id contains `query` (case-insensitive), in file order: the first `limit` and how many matched. */
  search(query: string, limit: number): { items: DatasetItem[]; total: number } {
    const q = query.trim().toLowerCase();
    const items: DatasetItem[] = [];
    let total = 0;
    for (const item of this.items.values()) {
      if (q && !item.id.toLowerCase().includes(q)) continue;
      total += 1;
      if (items.length < limit) items.push(item);
    }
    return { items, total };
  }

  /** Items loaded. */
  get size(): number {
    return this.items.size;
  }

  /** Lines skipped because they are not JSON or not a dataset item. */
  get skipped(): number {
    return this.malformed;
  }
}
