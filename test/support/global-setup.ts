/** Provision the Lean backend once before any test file starts a worker. */
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend } from '../../server/lean/backend.js';

export default async function setup(): Promise<void> {
  await resolveBackend(loadConfig([]), (l) => console.log(`setup: ${l}`));
}
