/** Provision the Lean backend once before any test file starts a worker. */
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend } from '../../server/lean/backend.js';
import { ensureWebPage } from '../../server/provision/web.js';

export default async function setup(): Promise<void> {
  await resolveBackend(loadConfig([]), (l) => console.log(`setup: ${l}`));
  await ensureWebPage((l) => console.log(`setup: ${l}`));
}
