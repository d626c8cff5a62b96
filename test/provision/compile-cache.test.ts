/**
 * The glue's compile cache, on a small stand-in glue (the real one is made by set-up, which
 * every Lean test run goes through): produced once by a trusted Node, stamped, reused, and
 * accepted by a later Node run of the same file under the same V8 flags.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { ensureGlueCompileCache } from '../../server/provision/compile-cache.js';
import { node24Path } from '../../server/provision/wasm.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-cc-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('glue compile cache', () => {
  test('made once, stamped, reused; a later run of the glue accepts it', async () => {
    const glue = path.join(dir, 'glue.cjs');
    fs.writeFileSync(glue, `module.exports = function answer() { return ${'1 + '.repeat(2000)}1; };\n`);
    const cache = path.join(dir, 'cache');
    const o = { node: node24Path(), leanJs: glue, v8Args: ['--stack-size=6000'], dir: cache };
    expect(await ensureGlueCompileCache(o)).toBe(cache);
    const entries = fs.readdirSync(cache, { recursive: true }).map(String);
    expect(entries).toContain('stamp');
    expect(entries.length).toBeGreaterThan(2);
    const mtime = fs.statSync(path.join(cache, 'stamp')).mtimeMs;
    expect(await ensureGlueCompileCache(o)).toBe(cache);
    expect(fs.statSync(path.join(cache, 'stamp')).mtimeMs).toBe(mtime);
    const r = await execa(o.node, ['--stack-size=6000', '-e', `require(${JSON.stringify(glue)})`], { env: { NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, all: true });
    expect(r.all).toMatch(/glue\.cjs was accepted/);
  });
});
