/**
 * The REPL's own HMAC-SHA256 (lean-project/LeanEnv/Hmac.lean, for the native backend's planned
 * private channel), run on the embedded Lean through the REPL's `--hmac-test` flag and compared
 * with Node's crypto: short and long (hashed) keys, messages around the padding boundaries
 * (55, 56, 63, 64 bytes), several blocks, and non-ASCII text. One REPL process.
 */
import { createHmac } from 'node:crypto';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend } from '../../server/lean/backend.js';
import { prepareLaunch } from '../../server/lean/sandbox.js';

const spec = await resolveBackend(loadConfig([]));

describe.skipIf(spec.backend !== 'wasm')('HMAC-SHA256 in Lean', () => {
  test('matches Node crypto', async () => {
    const vectors: [string, string][] = [
      ['key', 'The quick brown fox jumps over the lazy dog'],
      ['k'.repeat(100), 'a long key is hashed first'],
      ['0123456789abcdef'.repeat(4), 'x'.repeat(55)],
      ['secret', 'x'.repeat(56)],
      ['secret', 'y'.repeat(63)],
      ['secret', 'z'.repeat(64)],
      ['secret', `${'0\n1\n2\n'}${'{"jsonrpc":"2.0","id":7,"result":{"goals":["∀ x : ℕ, x = x"]}}'.repeat(9)}`],
    ];
    const launch = prepareLaunch(spec);
    try {
      const r = await execa(launch.command, [...launch.args, '--hmac-test', ...vectors.flat()], {
        cwd: launch.cwd,
        // Without the private channel: Lean's stdout is the process's.
        env: { ...launch.env, LEANENV_WASM_CHANNEL: '0' },
        reject: false,
        timeout: 300_000,
      });
      const got = r.stdout.split('\n').flatMap((l) => (l.startsWith('hmac: ') ? [l.slice(6)] : []));
      expect(got).toEqual(vectors.map(([k, m]) => createHmac('sha256', Buffer.from(k)).update(Buffer.from(m)).digest('hex')));
    } finally {
      launch.cleanup();
    }
  });
});
