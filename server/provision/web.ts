/**
 * Build the tactic debugger page (`client/web/` → `client/web/dist/`, git-ignored) with Vite,
 * skipped when nothing it is built from has changed (content hash in `dist/.build-hash`).
 * Run by `npm run setup`, `npm start` and the tests' global set-up.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

/** Sources of the page. */
export const WEB_ROOT = path.join(PROJECT_ROOT, 'client/web');
/** Where the built page goes (served at `/`). */
export const WEB_DIST = path.join(WEB_ROOT, 'dist');
const HASH_FILE = path.join(WEB_DIST, '.build-hash');

/** Every file the page is built from, sorted. */
function inputs(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== WEB_DIST) walk(p);
      } else files.push(p);
    }
  };
  walk(WEB_ROOT);
  walk(path.join(PROJECT_ROOT, 'protocol'));
  files.push(path.join(PROJECT_ROOT, 'client/sdk.ts'), path.join(PROJECT_ROOT, 'client/rpc-transport.ts'), path.join(PROJECT_ROOT, 'package-lock.json'));
  return files.sort();
}

/** Content hash of the page's sources. */
export function webSourceHash(): string {
  const h = crypto.createHash('sha256');
  for (const f of inputs()) h.update(path.relative(PROJECT_ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** Build the page unless the built one is current; returns whether it built. */
export async function ensureWebPage(log: (l: string) => void = () => {}): Promise<boolean> {
  const hash = webSourceHash();
  if (fs.existsSync(HASH_FILE) && fs.readFileSync(HASH_FILE, 'utf8') === hash && fs.existsSync(path.join(WEB_DIST, 'index.html'))) return false;
  log('building the tactic debugger page (client/web → client/web/dist)');
  const t0 = Date.now();
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(HASH_FILE, hash);
  log(`debugger page built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}
