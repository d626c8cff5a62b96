/**
 * `GET /v1/repl`: the Lean REPL's JSON protocol over a WebSocket, one JSON object per text
 * message each way, answered in order. Each connection is one REPL session.
 */
import type { FastifyInstance } from 'fastify';
import type { LeanWorker } from '../lean/worker.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import { ReplSession } from './repl-session.js';

/** Options of the route. */
export interface ReplRouteOptions {
  pool: WorkerPool<LeanWorker>;
  /** Directory `{"path": …}` files must be under (file mode off without one). */
  fileRoot?: string;
  /** Directory of pickle files (pickling off without one). */
  pickleDir?: string;
}

/** Register the route (needs @fastify/websocket registered first, as the WebSocket API does). */
export async function replRoutes(app: FastifyInstance, o: ReplRouteOptions): Promise<void> {
  app.get('/v1/repl', { websocket: true }, (socket) => {
    const session = new ReplSession({ pool: o.pool, fileRoot: o.fileRoot, pickleDir: o.pickleDir });
    let queue = Promise.resolve();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString('utf8');
      queue = queue.then(async () => {
        const reply = isBinary ? { message: 'binary frames are not supported: send JSON text' } : await session.handle(text);
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
      });
    });
  });
}
