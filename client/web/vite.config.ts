/**
 * Build of the tactic debugger page: `client/web/` → `client/web/dist/` (git-ignored), served
 * by the server at `/`. Run by the set-up (`server/provision/web.ts`), not by hand.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: path.join(root, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
