/** Running the `leanenv` CLI as a real process in tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { startTestServer, type TestServer } from './server.js';

/** Run `leanenv ARGS…` (client/cli/main.ts through tsx) in `cwd`; never rejects. */
export function runCli(cwd: string, ...args: string[]) {
  return execa(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [path.join(PROJECT_ROOT, 'client/cli/main.ts'), ...args], { reject: false, cwd });
}

/** A CLI test file's fixture: a temporary directory and one real server shared by the file's tests. */
export interface CliFixture {
  /** The temporary directory the CLI runs in (removed after the file). */
  dir: string;
  /** The shared server (set once `beforeAll` has run). */
  server: () => TestServer;
  /** Run `leanenv ARGS…` in `dir`. */
  cli: (...args: string[]) => ReturnType<typeof runCli>;
}

/** Register a file-wide server and temporary directory (`prefix` names the directory) for CLI tests. */
export function useCliFixture(prefix: string): CliFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, server: () => server!, cli: (...args) => runCli(dir, ...args) };
}
