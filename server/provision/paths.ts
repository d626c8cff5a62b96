/** Where the project lives and where set-up writes its artifacts. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository (holds package.json, lean-project/, lakefile.lean). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The REPL's Lean sources. */
export const LEAN_SOURCES = path.join(PROJECT_ROOT, 'lean-project');

/** Default directory for set-up artifacts (git-ignored). */
export const DEFAULT_CACHE_DIR = path.join(PROJECT_ROOT, '.leanenv');
