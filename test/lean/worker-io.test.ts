/**
 * The wiring of a worker's streams when its input is gone (a process killed while a request was
 * being written): the write failure ends the worker through `onWriteError` and never surfaces as
 * an unhandled rejection (vscode-jsonrpc rethrows it from an async Promise executor). Pure stream
 * logic: plain Node streams stand in for the process's pipes.
 */
import { PassThrough, Writable } from 'node:stream';
import { afterEach, expect, test } from 'vitest';
import { wireWorker, type WorkerIo } from '../../server/lean/worker-io.js';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** A stdin whose every write fails as a destroyed pipe's does. */
function deadInput(): Writable {
  const w = new Writable({ write: (_c, _e, cb) => cb() });
  w.on('error', () => undefined);
  w.destroy();
  return w;
}

/** Wiring over a dead input whose write errors are collected; like LeanWorker, it ends (disposes the connection) at the first. */
function wire(errors: Error[]): WorkerIo {
  const io: WorkerIo = wireWorker({ stdin: deadInput(), stdout: new PassThrough(), stderr: new PassThrough() }, undefined, {
    pid: () => undefined,
    onForgery: () => undefined,
    onReply: () => undefined,
    onLeanError: () => undefined,
    onHeapNotice: () => undefined,
    disposing: () => false,
    onWriteError: (err) => {
      errors.push(err);
      io.conn.dispose();
    },
  });
  return io;
}

test('a request written to a closed input reports the write error and leaves no unhandled rejection', async () => {
  const errors: Error[] = [];
  const io = wire(errors);
  io.conn.listen();
  await expect(io.conn.sendRequest('initialize', {})).rejects.toThrow(/disposed/);
  await new Promise((r) => setTimeout(r, 50));
  expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/destroyed/)]);
  expect(unhandled).toEqual([]);
});
