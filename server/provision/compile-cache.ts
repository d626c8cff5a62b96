/**
 * V8's compile cache for the embedded Lean's glue (0.7 MB after glue-slim.ts, 89 MB as shipped), produced once at set-up by a trusted
 * process (ours, running no Lean code) and handed to sandboxed workers read-only: each worker
 * start gets its own copy in its scratch directory (Node's compile cache needs write access to
 * its directory, which the shared one never gets), so no worker can poison it for the next.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

/** What {@link ensureGlueCompileCache} needs. */
export interface GlueCacheOptions {
  /** The Node 24 binary workers run. */
  node: string;
  /** The patched glue. */
  leanJs: string;
  /** V8 flags workers run with (part of the cache's key: V8 refuses a cache made under other flags). */
  v8Args: string[];
  /** Directory to fill (created). */
  dir: string;
  log?: (line: string) => void;
}

/**
 * Fill `dir` with Node's compile cache of the glue, unless a stamp says it is already there for
 * this glue, Node and flags. The producer loads the glue (which parses and compiles it and
 * starts reading the wasm), flushes the cache and exits before any Lean code runs. Returns the
 * directory, or undefined (logged) when no cache could be made: workers then start without one.
 */
export async function ensureGlueCompileCache(o: GlueCacheOptions): Promise<string | undefined> {
  const st = fs.statSync(o.leanJs);
  const key = createHash('sha256').update(JSON.stringify([o.node, fs.statSync(o.node).size, o.leanJs, st.size, st.mtimeMs, o.v8Args])).digest('hex').slice(0, 16);
  const stamp = path.join(o.dir, 'stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return o.dir;
  fs.rmSync(o.dir, { recursive: true, force: true });
  fs.mkdirSync(o.dir, { recursive: true });
  o.log?.('producing the V8 compile cache of the wasm glue');
  const script = `const m=require('node:module');m.enableCompileCache(${JSON.stringify(o.dir)});require(${JSON.stringify(o.leanJs)});m.flushCompileCache();process.exit(0)`;
  const r = await execa(o.node, [...o.v8Args, '-e', script, '--', '--version'], { reject: false, all: true, timeout: 120_000, env: { LEANENV_WASM_THREADS: '1' } });
  const produced = listFiles(o.dir).length > 0;
  if (r.exitCode !== 0 || !produced) {
    o.log?.(`no compile cache for the glue (exit ${r.exitCode}, ${produced ? 'files written' : 'nothing written'}): ${(r.all ?? '').slice(-300)}`);
    return undefined;
  }
  fs.writeFileSync(stamp, key);
  return o.dir;
}

/** Copy a compile cache (without its stamp) into `target`, a directory the worker may write. */
export function copyCompileCache(from: string, target: string): void {
  fs.cpSync(from, target, { recursive: true, filter: (src) => path.basename(src) !== 'stamp' });
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
}
