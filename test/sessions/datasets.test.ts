/** DatasetIndex: items by id from JSONL files; malformed lines are skipped and counted. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DatasetIndex } from '../../server/sessions/datasets.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-datasets-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('DatasetIndex', () => {
  test('loads items by id; skips and counts lines that are not JSON or not items; earlier files win', () => {
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    const item = (id: string, body: string) => JSON.stringify({ id, header: '', body });
    fs.writeFileSync(a, [item('x', 'theorem x : True := by sorry'), '{not json', '', JSON.stringify({ id: 'no-body' }), item('y', 'theorem y : True := by sorry')].join('\n'));
    fs.writeFileSync(b, [item('x', 'theorem other : True := by sorry'), 'null'].join('\n'));
    const index = new DatasetIndex([a, b, path.join(dir, 'missing.jsonl')]);
    expect(index.size).toBe(2);
    expect(index.skipped).toBe(3);
    expect(index.get('x')?.body).toBe('theorem x : True := by sorry');
    expect(index.get('no-body')).toBeUndefined();
  });
});
