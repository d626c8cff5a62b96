/**
 * `npm run setup`: provision the configured Lean backend and build the debugger page (idempotent; cached by content hash).
 */
import { loadConfig } from '../config/config.js';
import { resolveBackend } from '../lean/backend.js';
import { ensureWebPage } from './web.js';

const config = loadConfig(process.argv.slice(3));
const t0 = Date.now();
const spec = await resolveBackend(config, (l) => console.log(`setup: ${l}`));
await ensureWebPage((l) => console.log(`setup: ${l}`));
console.log(`setup: ${spec.backend} Lean ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
