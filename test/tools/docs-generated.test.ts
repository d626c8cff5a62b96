/** The generated pages: docs/configuration.md from the config schema, docs/benchmarks.md's figures from `.bench/latest.json`. */
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConfigSchema } from '../../server/config/config.js';
import { configFields, configHelp } from '../../server/config/describe.js';
import { BENCHMARKS_DOC, LATEST_MARKER, renderBenchmarks, renderLatest } from '../../tools/docs/benchmarks.js';
import { CONFIGURATION_DOC, renderConfiguration } from '../../tools/docs/configuration.js';

describe('docs/configuration.md', () => {
  test('the committed page is up to date (else: npm run docs)', () => {
    expect(fs.readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(renderConfiguration());
  });

  test('every field of the schema has a row with its doc comment, and --help lists it', () => {
    const fields = configFields();
    expect(fields.map((f) => f.field)).toEqual(Object.keys(ConfigSchema.shape));
    for (const f of fields) expect(f.doc, f.field).not.toBe('');
    const help = configHelp();
    for (const f of fields) expect(help).toContain(`${f.flag} VALUE   (${f.env}; default:`);
    expect(fields.find((f) => f.field === 'port')).toMatchObject({ flag: '--port', env: 'PORT', default: '`8765`' });
  });
});

describe('docs/benchmarks.md', () => {
  const run = {
    date: '2026-12-04T09:00:00.000Z',
    quick: true,
    backend: 'wasm',
    lean: '4.28.0',
    machine: { hostname: 'h', cpus: 2, cpuModel: 'Test CPU', memGB: 24, loadStart: 3.1, loadEnd: 4 },
    coldStartMs: 43_200,
    stepRpcMs: { p50: 11, p95: 28.7 },
    pool: { workers: 2, speedup: 1.6, bound: 2, itemsPerSecOneWorker: 14.7, itemsPerSecAllWorkers: 24, checks: 30 },
    searchDate: '2026-12-05T09:00:00.000Z',
    search: { statements: 10, proved: 5, baselineProved: 3, expansionsPerSecPerWorker: 1.2, timeToProofMs: { p50: 288, p95: 1730 }, apiShare: 0.023 },
  };

  test('every figure carries its date and machine (the search its own date)', () => {
    const rows = renderLatest(run).split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) expect(row).toMatch(/\| 2026-12-0[45], 2 cores \(Test CPU\), 24 GB, load 3\.1→4 \|$/);
    expect(rows.find((r) => r.includes('worker cold start'))).toContain('43.2 s');
    expect(rows.find((r) => r.startsWith('| search: proved'))).toContain('2026-12-05');
  });

  test('without a run the committed figures stay; with one they replace what follows the marker', () => {
    const committed = fs.readFileSync(BENCHMARKS_DOC, 'utf8');
    expect(committed).toContain(LATEST_MARKER);
    expect(renderBenchmarks(committed, undefined)).toBe(committed);
    const page = renderBenchmarks(committed, run);
    expect(page.startsWith(committed.slice(0, committed.indexOf(LATEST_MARKER)))).toBe(true);
    expect(page).toContain('| worker cold start (spawn to ready) | 43.2 s |');
  });
});
