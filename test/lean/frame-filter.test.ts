import { describe, expect, test } from 'vitest';
import { FrameFilter } from '../../server/lean/frame-filter.js';

/** Feed chunks through a filter; returns what it passed and what it called noise. */
async function run(chunks: (string | Buffer)[]): Promise<{ out: string; noise: string[] }> {
  const noise: string[] = [];
  const f = new FrameFilter((t) => noise.push(t));
  const parts: Buffer[] = [];
  f.on('data', (d: Buffer) => parts.push(d));
  for (const c of chunks) f.write(typeof c === 'string' ? Buffer.from(c) : c);
  f.end();
  await new Promise((r) => f.on('end', r));
  return { out: Buffer.concat(parts).toString('utf8'), noise };
}

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('FrameFilter', () => {
  test('passes framed messages and drops text around and between them', async () => {
    const a = frame('{"id":1,"result":"ℕ → ℤ"}');
    const b = frame('{"id":2}');
    const { out, noise } = await run([`import Lean\n[DEBUG:GO] x\n${a}\n[DEBUG:FIND] y\n${b}\n`]);
    expect(out).toBe(a + b);
    expect(noise.join('\n')).toContain('[DEBUG:GO] x');
    expect(noise.join('\n')).toContain('[DEBUG:FIND] y');
  });

  test('reassembles a message split at any byte, inside a multi-byte character too', async () => {
    const msg = frame('{"goal":"∀ x : ℕ, x = x"}');
    const bytes = Buffer.from(`noise\n${msg}`);
    for (let cut = 1; cut < bytes.length; cut += 3) {
      const { out } = await run([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(out).toBe(msg);
    }
  });

  test('skips a marker that is not a valid header', async () => {
    const msg = frame('{}');
    const { out } = await run([`Content-Length: abc\r\n\r\n${msg}`]);
    expect(out).toBe(msg);
  });
});
