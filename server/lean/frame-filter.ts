/**
 * Keeps only `Content-Length`-framed messages from a worker's stdout. The embedded
 * Lean writes other text on the same stream (an echo of the program's source, debug
 * lines when modules are imported), which vscode-jsonrpc's reader would choke on.
 */
import { Transform, type TransformCallback } from 'node:stream';

const HEADER = Buffer.from('Content-Length:');
const HEADER_END = Buffer.from('\r\n\r\n');

/** A transform that passes framed messages through whole and hands any other bytes to `onNoise`. */
export class FrameFilter extends Transform {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onNoise: (text: string) => void = () => {}) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const start = this.buf.indexOf(HEADER);
      if (start < 0) {
        // Keep a tail that may be the start of a header split across chunks.
        const keep = Math.min(this.buf.length, HEADER.length - 1);
        this.noise(this.buf.subarray(0, this.buf.length - keep));
        this.buf = this.buf.subarray(this.buf.length - keep);
        break;
      }
      if (start > 0) {
        this.noise(this.buf.subarray(0, start));
        this.buf = this.buf.subarray(start);
      }
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) break;
      const m = /^Content-Length:\s*(\d+)/.exec(this.buf.subarray(0, end).toString('latin1'));
      if (!m) {
        // Not a header after all: drop the marker and look again.
        this.noise(this.buf.subarray(0, HEADER.length));
        this.buf = this.buf.subarray(HEADER.length);
        continue;
      }
      const total = end + HEADER_END.length + Number(m[1]);
      if (this.buf.length < total) break;
      this.push(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
    }
    done();
  }

  private noise(bytes: Buffer): void {
    const text = bytes.toString('utf8').trim();
    if (text) this.onNoise(text);
  }
}
