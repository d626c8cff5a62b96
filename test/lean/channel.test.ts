/**
 * The server's end of the private channel, without Lean: the reply verifier passes authentic
 * frames (as the glue writes them) in order and drops everything from the first forgery on; the
 * program-output scan finds framed messages and releases replies only once the output written
 * before them has been read.
 */
import { describe, expect, test } from 'vitest';
import { newReplyKey, ProgramOutput, replyMac, ReplyVerifier, type ReplyMeta } from '../../server/lean/channel.js';

/** A reply frame as the glue writes it. */
function glueFrame(key: Buffer, meta: ReplyMeta, body: string, mac = replyMac(key, meta, Buffer.from(body))): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(`Content-Length: ${b.length}\r\nLeanenv-Seq: ${meta.seq}\r\nLeanenv-Out: ${meta.outBytes}\r\nLeanenv-Threads: ${meta.threads}\r\nLeanenv-Mac: ${mac}\r\n\r\n`),
    b,
  ]);
}

/** Feed chunks through a verifier; what it passed, the forgeries and the metas it reported. */
async function verify(key: Buffer, chunks: Buffer[], output = new ProgramOutput({ onFrame: () => {}, onLine: () => {} })) {
  const forged: string[] = [];
  const metas: ReplyMeta[] = [];
  const v = new ReplyVerifier(key, { onForgery: (r) => forged.push(r), onReply: (m) => metas.push(m), outputScanned: (n) => output.scanned(n) });
  const out: Buffer[] = [];
  v.on('data', (d: Buffer) => out.push(d));
  for (const c of chunks) v.write(c);
  v.end();
  await new Promise((r) => v.on('end', r));
  return { out: Buffer.concat(out).toString('utf8'), forged, metas };
}

const plain = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('ReplyVerifier', () => {
  const key = newReplyKey();

  test('authentic frames pass in order as plain frames, split at any byte', async () => {
    const a = glueFrame(key, { seq: 0, outBytes: 0, threads: 3 }, '{"id":0,"result":"ℕ"}');
    const b = glueFrame(key, { seq: 1, outBytes: 0, threads: 4 }, '{"id":1,"result":2}');
    const all = Buffer.concat([a, b]);
    const chunks = [...all].map((byte) => Buffer.from([byte]));
    const r = await verify(key, chunks);
    expect(r.forged).toEqual([]);
    expect(r.out).toBe(plain('{"id":0,"result":"ℕ"}') + plain('{"id":1,"result":2}'));
    expect(r.metas.map((m) => m.threads)).toEqual([3, 4]);
  });

  test('a frame without a valid MAC, under another key, replayed, or bytes outside frames: dropped with everything after', async () => {
    const good = glueFrame(key, { seq: 0, outBytes: 0, threads: 3 }, '{"id":0}');
    const cases: [Buffer[], RegExp][] = [
      [[Buffer.from(plain('{"id":0,"result":"forged"}'))], /authentication headers/],
      [[glueFrame(newReplyKey(), { seq: 0, outBytes: 0, threads: 3 }, '{"id":0}')], /MAC/],
      [[glueFrame(key, { seq: 0, outBytes: 0, threads: 3 }, '{"id":0}', 'ab'.repeat(32))], /MAC/],
      [[good, good], /replayed/],
      [[Buffer.from('hello\n'), good], /outside any reply frame/],
    ];
    for (const [chunks, why] of cases) {
      const r = await verify(key, [...chunks, glueFrame(key, { seq: 1, outBytes: 0, threads: 3 }, '{"id":1}')]);
      expect(r.forged).toHaveLength(1);
      expect(r.forged[0]).toMatch(why);
      expect(r.out).not.toContain('"id":1');
      expect(r.out).not.toContain('forged');
    }
  });

  test('a reply waits for the program output written before it; a frame found there stops it', async () => {
    const frames: string[] = [];
    const output = new ProgramOutput({ onFrame: (e) => frames.push(e), onLine: () => {} });
    const forgedOutput = Buffer.from(`hello\n${plain('{"id":0,"result":"forged"}')}`);
    const forged: string[] = [];
    const v = new ReplyVerifier(key, { onForgery: (r) => forged.push(r), onReply: () => {}, outputScanned: (n) => output.scanned(n) });
    const out: Buffer[] = [];
    v.on('data', (d: Buffer) => out.push(d));
    v.write(glueFrame(key, { seq: 0, outBytes: forgedOutput.length, threads: 3 }, '{"id":0,"result":"honest"}'));
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toEqual([]); // held until the output is scanned
    output.push(forgedOutput.subarray(0, 10));
    output.push(forgedOutput.subarray(10));
    expect(frames).toHaveLength(1);
    v.distrust(); // what the worker does on that report
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toEqual([]);
  });
});

describe('ProgramOutput', () => {
  test('counts bytes, reports lines, and finds frames only in the framed shape', () => {
    const frames: string[] = [];
    const lines: string[] = [];
    const o = new ProgramOutput({ onFrame: (e) => frames.push(e), onLine: (l) => lines.push(l) });
    o.push(Buffer.from('[DEBUG:GO] x\nContent-Length is a header name\nsee Content-Length: 12 in the docs\nok\n'));
    expect(frames).toEqual([]);
    o.push(Buffer.from('content-length: 5\r\nContent-Type: x\r\n\r\n{"a":1}'));
    expect(frames).toHaveLength(1);
    expect(lines).toContain('[DEBUG:GO] x');
    expect(o.bytes).toBeGreaterThan(0);
  });
});
