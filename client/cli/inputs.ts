/** Reading check inputs: Lean files (one item each) and JSONL files (one item per record). */
import fs from 'node:fs';
import path from 'node:path';
import { CheckItem } from '../../protocol/check.js';
import { describeIssues } from '../../protocol/issues.js';

/**
 * Items from files. A `.lean` file is one item (id: its path, code: its text). A `.jsonl`
 * file has one record per line: `{id, code}`, `{id, header, body}` (benchmark records such as
 * `../shared/benchmarks/*.jsonl` are of this form), with an optional `reference`.
 */
export function readItems(files: string[]): CheckItem[] {
  const items: CheckItem[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.lean')) {
      items.push({ id: path.relative(process.cwd(), file), code: text });
      continue;
    }
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const raw = JSON.parse(line) as Record<string, unknown>;
      const rec = { id: raw.id, ...('code' in raw ? { code: raw.code } : { header: raw.header ?? '', body: raw.body }), ...(raw.reference ? { reference: raw.reference } : {}) };
      const r = CheckItem.safeParse(rec);
      if (!r.success) throw new Error(`${file}:${i + 1}: not a check item (${describeIssues(r.error, 'record').join('; ')})`);
      items.push(r.data);
    });
  }
  return items;
}
