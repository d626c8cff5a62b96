/**
 * The worker sandbox against the real (embedded) Lean: Lean code that reaches outside the
 * allowed paths, starts processes or opens sockets fails (or leaves no trace on the host), the
 * worker keeps serving, and what the REPL needs (the library, its scratch directory) still works.
 * One sandboxed worker for the file.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend } from '../../server/lean/backend.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { startTestWorker } from '../support/lean.js';

const config = loadConfig([]);
const spec = await resolveBackend(config);
const tag = `leanenv-sandbox-test-${process.pid}`;
/** Host files Lean must not see: one in the host's /tmp, one in the set-up cache (the unsandboxed worker's cwd). */
const hostTmpFile = path.join('/tmp', `${tag}-secret`);
const cacheFile = path.join(path.resolve(config.cacheDir), `${tag}-secret`);
const libDir = spec.env.LEAN_PATH!;
const SECRET = 'TOP-SECRET-CONTENT';

let worker: LeanWorker;
let env: number;
let server: net.Server;
let port = 0;
let connections = 0;

/** Run Lean commands; returns whether Lean reported errors and its messages joined. */
async function lean(code: string): Promise<{ hasErrors: boolean; text: string }> {
  const r = await worker.runCommand(env, code);
  return { hasErrors: r.hasErrors, text: r.messages.map((m) => m.data).join('\n') };
}
const str = (s: string) => JSON.stringify(s);

const skip = spec.backend !== 'wasm' || spec.sandbox.kind === 'none';
describe.skipIf(skip)(`sandbox (${spec.backend}: ${spec.sandbox.kind}${skip ? '; these tests are for the sandboxed embedded Lean' : ''})`, () => {
  beforeAll(async () => {
    fs.writeFileSync(hostTmpFile, SECRET);
    fs.writeFileSync(cacheFile, SECRET);
    server = net.createServer((s) => {
      connections++;
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    worker = await startTestWorker();
    env = (await worker.importHeader('')).env;
  });
  afterAll(async () => {
    await worker?.dispose();
    server?.close();
    for (const f of [hostTmpFile, cacheFile, path.join(libDir, `${tag}.txt`), path.join('/tmp', `${tag}-written`)]) fs.rmSync(f, { force: true });
  });

  test('the worker runs under the permission model in its own scratch directory', async () => {
    expect(worker.spawnSpec.sandbox.kind).toBe('node-permission');
    expect(worker.scratchDir).toMatch(/leanenv-worker-/);
    expect(fs.statSync(worker.scratchDir!).isDirectory()).toBe(true);
    const r = await lean('#eval IO.currentDir');
    expect(r.text).toContain(worker.scratchDir!);
  });

  test('host files outside the allowed paths are invisible', async () => {
    for (const file of ['/etc/hostname', hostTmpFile, cacheFile, path.resolve('package.json')]) {
      const r = await lean(`#eval IO.FS.readFile ${str(file)}`);
      expect(r.hasErrors, `${file}: ${r.text}`).toBe(true);
      expect(r.text).toMatch(/no such file|permission denied/);
      expect(r.text).not.toContain(SECRET);
    }
  });

  test('writes outside the scratch directory fail or stay in memory: nothing reaches the host', async () => {
    // The library is mounted (readable) but not writable: Node refuses, Lean sees EACCES.
    const lib = await lean(`#eval IO.FS.writeFile ${str(path.join(libDir, `${tag}.txt`))} "x"`);
    expect(lib.hasErrors).toBe(true);
    expect(lib.text).toMatch(/permission denied/);
    // Unmounted paths live in the glue's in-memory file system, which dies with the process.
    await lean(`#eval IO.FS.writeFile ${str(path.join('/tmp', `${tag}-written`))} "x"`);
    for (const f of [path.join(libDir, `${tag}.txt`), path.join('/tmp', `${tag}-written`)]) expect(fs.existsSync(f), f).toBe(false);
  });

  test('starting a process fails', async () => {
    for (const code of ['#eval IO.Process.output {cmd := "ls"}', '#eval IO.Process.run {cmd := "/bin/sh", args := #["-c", "touch /tmp/x"]}']) {
      const r = await lean(code);
      expect(r.hasErrors, r.text).toBe(true);
      expect(r.text).toMatch(/unsupported operation|not implemented|permission denied/);
    }
  });

  test('what the REPL needs still works: the library is readable, the scratch directory is writable', async () => {
    const olean = await lean(`#eval (·.size) <$> IO.FS.readBinFile ${str(path.join(libDir, 'Init.olean'))}`);
    expect(olean.hasErrors, olean.text).toBe(false);
    expect(Number(olean.text)).toBe(fs.statSync(path.join(libDir, 'Init.olean')).size);
    const file = path.join(worker.scratchDir!, 'probe.txt');
    const w = await lean(`#eval IO.FS.writeFile ${str(file)} "written by Lean"`);
    expect(w.hasErrors, w.text).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('written by Lean');
    const r = await lean(`#eval IO.FS.readFile ${str(file)}`);
    expect(r.text).toContain('written by Lean');
  });

  test('after all that the worker still proves, imports and verifies', async () => {
    expect(worker.alive).toBe(true);
    const header = await worker.importHeader('import Std.Data.HashMap');
    expect(header.hasErrors).toBe(false);
    const r = await worker.runCommand(header.env, 'example : [1, 2, 3].length = 3 := by decide');
    expect(r.hasErrors, JSON.stringify(r.messages)).toBe(false);
    const start = await worker.startProof(env, { statement: 'theorem sbx (x : Nat) (h : x = 4) : x * 3 = 12' });
    const step = await worker.applyTactic(start.proofState, 'subst h; decide');
    expect(step.status).toBe('solved');
    const v = await worker.verifyProof((step as { proofState: number }).proofState);
    expect(v.judgement.proved, JSON.stringify(v)).toBe(true);
  });

  // Std's sockets are libuv's; this Lean build has no libuv: the call aborts the whole process
  // ("Please build a version of Lean4 with libuv") before any socket exists. Last, as it may end
  // the worker; the glue would also refuse WebSocket-backed sockets under the sandbox.
  test('a TCP connection from Lean (Std.Internal.UV.TCP) does not reach the host', async () => {
    const header = await worker.importHeader('import Std.Internal.UV.TCP');
    expect(header.hasErrors, JSON.stringify(header.messages)).toBe(false);
    const outcome = await worker
      .runCommand(
        header.env,
        `#eval show IO Unit from do
  let s ← Std.Internal.UV.TCP.Socket.new
  let _ ← s.connect (Std.Net.SocketAddress.v4 ⟨Std.Net.IPv4Addr.ofParts 127 0 0 1, ${port}⟩)
  IO.println "connect returned"
  IO.sleep 1500`,
      )
      .then(
        (r) => ({ failed: r.hasErrors, text: r.messages.map((m) => m.data).join('\n') }),
        (e: unknown) => ({ failed: true, text: String(e) }),
      );
    await new Promise((r) => setTimeout(r, 500));
    expect(outcome.failed, outcome.text).toBe(true);
    expect(outcome.text).not.toContain('connect returned');
    expect(connections).toBe(0);
  });

  test('the scratch directory is removed when the worker exits', async () => {
    const dir = worker.scratchDir!;
    await worker.dispose();
    await new Promise<void>((resolve) => worker.onExitOnce(() => resolve()));
    expect(fs.existsSync(dir)).toBe(false);
  });
});
