/**
 * A real `redis-server` for cluster tests: started on a free port with a temporary data dir
 * (append-only file, fsync on every write: what the cluster needs to lose nothing accepted),
 * stoppable and restartable on the same port and data, removed after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

/** A running test Redis. */
export class TestRedis {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /** redis://127.0.0.1:port */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start a Redis on a free port with a fresh data dir. */
  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-redis-')));
    await r.up();
    return r;
  }

  /** Start (again) on the same port and data dir; resolves when it answers PING. */
  async up(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      try {
        await c.connect();
        if ((await c.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        c.disconnect();
      }
    }
  }

  /** Kill the server (SIGKILL: no shutdown save; the append-only file must hold everything). */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
  }

  /** A client connection (the caller disconnects it). */
  client(): Redis {
    const c = new Redis(this.url, { maxRetriesPerRequest: 3 });
    c.on('error', () => undefined);
    return c;
  }

  /** Kill the server and remove its data. */
  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
