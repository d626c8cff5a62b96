/**
 * The lake shim's REPL process (test/support/lake-shim; for test/lean/native-shim.test.ts only).
 * The patched embedded Lean never reads its stdin (requests come on the glue's private channel,
 * README *Sandbox*), so this adapter runs it on that channel (`LEANENV_WASM_CHANNEL=1`, a fresh
 * key sent first on its fd 0, the REPL started with `--rpc-in`/`--rpc-out` on the devices) and
 * serves it on plain stdio, the way a native REPL does: requests from its own stdin, replies
 * re-framed with `Content-Length` only on its stdout, Lean's own output (fd 3) on stderr.
 *
 * Usage: `node repl-adapter.mjs <command> <args…>` (the embedded Lean's REPL command line).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, [...args, '--rpc-in', '/dev/leanenv-rpc-in', '--rpc-out', '/dev/leanenv-rpc-out'], {
  stdio: ['pipe', 'pipe', 'inherit', 'pipe'],
  env: { ...process.env, LEANENV_WASM_CHANNEL: '1' },
});
child.stdin.write(`${randomBytes(32).toString('hex')}\n`);
process.stdin.pipe(child.stdin);
child.stdio[3].pipe(process.stderr);

let pending = Buffer.alloc(0);
child.stdout.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    const end = pending.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = /^Content-Length: *(\d+)\r?$/im.exec(pending.subarray(0, end).toString('latin1'));
    if (!length) {
      process.stderr.write('lake shim adapter: a reply without Content-Length\n');
      process.exit(1);
    }
    const total = end + 4 + Number(length[1]);
    if (pending.length < total) return;
    const body = pending.subarray(end + 4, total);
    process.stdout.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]));
    pending = pending.subarray(total);
  }
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
process.stdin.on('end', () => child.stdin.end());
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => child.kill(s));
