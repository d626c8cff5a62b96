/**
 * `GET /`: the tactic debugger page (static files built into `client/web/dist/` by the set-up;
 * nothing is loaded from elsewhere at run time). Without a build, `/` says how to make one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { WEB_DIST } from '../provision/web.js';

/** Serve the built page at `/` (its assets under `/assets/`). */
export async function webPageRoutes(app: FastifyInstance, dist = WEB_DIST): Promise<void> {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    app.get('/', async (_req, reply) => reply.code(503).type('text/plain').send('the debugger page is not built: run `npm run setup`\n'));
    return;
  }
  // Only the files present now get routes (no wildcard): other paths stay ordinary 404s.
  await app.register(fastifyStatic, { root: dist, prefix: '/', wildcard: false, index: 'index.html', allowedPath: (p) => !p.startsWith('/.') });
}
