/**
 * Sandbox construction without Lean: the Node permission flags, the bubblewrap arguments, one
 * launch per worker start with its own scratch directory, and — where bwrap is installed and
 * works — a real run under those bubblewrap arguments.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config/config.js';
import { bubblewrapArgs, nodePermissionArgs, prepareLaunch, probeBubblewrap } from '../../server/lean/sandbox.js';
import type { WorkerSpawn } from '../../server/lean/worker.js';

const base: WorkerSpawn = {
  backend: 'wasm',
  command: '/opt/node24',
  args: ['glue.cjs', '--run', 'Repl.lean'],
  cwd: '/srv/cache',
  env: { LEAN_PATH: '/srv/cache/wasm/lib' },
  sandbox: { kind: 'node-permission', detail: 'test' },
};

describe('configuration', () => {
  test('sandbox is auto by default; off and require from flags or environment', () => {
    expect(loadConfig([], {}).sandbox).toBe('auto');
    expect(loadConfig(['--sandbox', 'off'], {}).sandbox).toBe('off');
    expect(loadConfig([], { LEANENV_SANDBOX: 'require' }).sandbox).toBe('require');
    expect(() => loadConfig(['--sandbox', 'maybe'], {})).toThrow(/sandbox/);
  });
});

describe('Node permission flags', () => {
  test('one flag per path, worker threads allowed, no child processes, no addons', () => {
    const a = nodePermissionArgs(['/lib,with,commas', '/glue'], ['/scratch']);
    expect(a).toEqual(['--permission', '--allow-worker', '--allow-fs-read=/lib,with,commas', '--allow-fs-read=/glue', '--allow-fs-write=/scratch']);
    expect(a.join(' ')).not.toMatch(/child-process|addons|wasi|inspector/);
  });

  test('each launch gets its own scratch directory: readable, writable, the working directory and removed by cleanup', () => {
    const spec: WorkerSpawn = { ...base, confine: { kind: 'node-permission', readPaths: ['/srv/cache/wasm'], mounts: ['/srv/cache/wasm'] } };
    const a = prepareLaunch(spec);
    const b = prepareLaunch(spec);
    try {
      expect(a.scratchDir).toBeDefined();
      expect(a.scratchDir).not.toBe(b.scratchDir);
      expect(path.dirname(a.scratchDir!)).toBe(os.tmpdir());
      expect(fs.statSync(a.scratchDir!).isDirectory()).toBe(true);
      expect(a.command).toBe('/opt/node24');
      expect(a.args).toEqual([
        '--permission',
        '--allow-worker',
        '--allow-fs-read=/srv/cache/wasm',
        `--allow-fs-read=${a.scratchDir}`,
        `--allow-fs-write=${a.scratchDir}`,
        'glue.cjs',
        '--run',
        'Repl.lean',
      ]);
      expect(a.cwd).toBe(a.scratchDir);
      expect(a.env).toMatchObject({ LEAN_PATH: '/srv/cache/wasm/lib', LEANENV_WASM_MOUNTS: '/srv/cache/wasm', TMPDIR: a.scratchDir });
    } finally {
      a.cleanup();
      b.cleanup();
    }
    expect(fs.existsSync(a.scratchDir!)).toBe(false);
    a.cleanup();
  });

  test('the glue compile cache made at set-up reaches each start as a private copy; the shared one is never writable', () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-test-cache-'));
    fs.mkdirSync(path.join(shared, 'v24-x64'));
    fs.writeFileSync(path.join(shared, 'v24-x64', 'entry'), 'cache bytes');
    fs.writeFileSync(path.join(shared, 'stamp'), 'key');
    const spec: WorkerSpawn = { ...base, env: { ...base.env, NODE_COMPILE_CACHE: '/srv/cache/shared' }, confine: { kind: 'node-permission', readPaths: ['/srv/cache/wasm'], mounts: ['/srv/cache/wasm'], compileCache: shared } };
    const a = prepareLaunch(spec);
    try {
      const copy = a.env.NODE_COMPILE_CACHE!;
      expect(path.dirname(copy)).toBe(a.scratchDir);
      expect(fs.readFileSync(path.join(copy, 'v24-x64', 'entry'), 'utf8')).toBe('cache bytes');
      expect(fs.existsSync(path.join(copy, 'stamp'))).toBe(false);
      expect(a.args.filter((x) => x.startsWith('--allow-fs-write'))).toEqual([`--allow-fs-write=${a.scratchDir}`]);
      fs.writeFileSync(path.join(copy, 'v24-x64', 'entry'), 'poisoned');
      expect(fs.readFileSync(path.join(shared, 'v24-x64', 'entry'), 'utf8')).toBe('cache bytes');
    } finally {
      a.cleanup();
      fs.rmSync(shared, { recursive: true, force: true });
    }
  });

  test('without a confinement the spawn runs as described, with no scratch directory', () => {
    const l = prepareLaunch({ ...base, sandbox: { kind: 'none', detail: 'off' } });
    expect(l).toMatchObject({ command: base.command, args: base.args, cwd: base.cwd, env: base.env });
    expect(l.scratchDir).toBeUndefined();
  });
});

describe('bubblewrap arguments', () => {
  const args = bubblewrapArgs({ scratchDir: '/tmp/leanenv-worker-x', cwd: '/proj', command: 'lake', args: ['env', '/repl'] });
  const pairs = (flag: string) => args.flatMap((a, i) => (a === flag ? [args.slice(i + 1, i + 3)] : []));

  test('read-only root, fresh /dev and /proc, private /tmp, writable scratch, no network, dies with the parent', () => {
    expect(pairs('--ro-bind')).toEqual([['/', '/']]);
    expect(pairs('--bind')).toEqual([['/tmp/leanenv-worker-x', '/tmp/leanenv-worker-x']]);
    expect(args).toEqual(expect.arrayContaining(['--unshare-net', '--unshare-pid', '--unshare-ipc', '--die-with-parent']));
    expect(args.slice(args.indexOf('--tmpfs'), args.indexOf('--tmpfs') + 2)).toEqual(['--tmpfs', '/tmp']);
    // The scratch bind must come after the /tmp tmpfs, or the tmpfs would hide it.
    expect(args.indexOf('--bind')).toBeGreaterThan(args.indexOf('--tmpfs'));
    expect(args.slice(args.indexOf('--chdir'), args.indexOf('--chdir') + 2)).toEqual(['--chdir', '/proj']);
    expect(args.slice(args.indexOf('--unsetenv'), args.indexOf('--unsetenv') + 2)).toEqual(['--unsetenv', 'LEANENV_AUTH_TOKEN']);
  });

  test('the command comes last, after --', () => {
    expect(args.slice(args.indexOf('--'))).toEqual(['--', 'lake', 'env', '/repl']);
  });

  test('a project or program under /tmp is bound again read-only after the private /tmp; others are not', () => {
    const a = bubblewrapArgs({ scratchDir: '/tmp/s', cwd: '/tmp/proj', keep: ['/tmp/proj', '/opt/lean/bin', '/tmp/tools/bin'], command: 'lake', args: [] });
    const binds = a.flatMap((x, i) => (x === '--ro-bind' ? [[a[i + 1], i]] : []));
    expect(binds.map(([p]) => p)).toEqual(['/', '/tmp/proj', '/tmp/tools/bin']);
    for (const [p, i] of binds) if (p !== '/') expect(i).toBeGreaterThan(a.indexOf('--tmpfs'));
  });
});

describe('a real process under bubblewrap', async () => {
  const probe = await probeBubblewrap();
  let server: net.Server;
  let port = 0;
  const hostFile = path.join(os.tmpdir(), `leanenv-host-${process.pid}`);
  beforeAll(async () => {
    fs.writeFileSync(hostFile, 'host');
    server = net.createServer((s) => s.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    server?.close();
    fs.rmSync(hostFile, { force: true });
  });

  // bwrap needs user namespaces (or setuid); CI installs it when it can (.ci/run).
  test.skipIf(!probe.bwrap)(`no network, read-only /, private /tmp, writable scratch${probe.bwrap ? '' : ` (skipped: ${probe.reason})`}`, async () => {
    const script = `
      const fs = require('fs'), net = require('net');
      const out = {};
      try { fs.writeFileSync('/etc/leanenv-sandbox-probe', 'x'); out.root = 'written'; } catch (e) { out.root = e.code; }
      out.hostTmp = fs.existsSync(${JSON.stringify(hostFile)});
      fs.writeFileSync(process.env.TMPDIR + '/ok', 'scratch'); out.scratch = 'written';
      const s = net.connect(${port}, '127.0.0.1');
      s.on('data', () => { out.net = 'connected'; done(); });
      s.on('error', (e) => { out.net = e.code; done(); });
      function done() { console.log(JSON.stringify(out)); process.exit(0); }
    `;
    const launch = prepareLaunch({ ...base, command: process.execPath, args: ['-e', script], cwd: '/', confine: { kind: 'bubblewrap', bwrap: probe.bwrap! } });
    try {
      const r = await execa(launch.command, launch.args, { cwd: launch.cwd, reject: false, timeout: 30_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ root: 'EROFS', hostTmp: false, scratch: 'written', net: 'ECONNREFUSED' });
      expect(fs.readFileSync(path.join(launch.scratchDir!, 'ok'), 'utf8')).toBe('scratch');
      expect(fs.existsSync('/etc/leanenv-sandbox-probe')).toBe(false);
    } finally {
      launch.cleanup();
    }
  });

  test('the host server is reachable outside the sandbox (the check above is meaningful)', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('data', (d) => resolve(d.toString()));
      s.on('error', reject);
    });
    expect(got).toBe('hello');
  });
});
