/** Running the `leanenv` CLI as a real process in tests. */
import path from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../../server/provision/paths.js';

/** Run `leanenv ARGS…` (client/cli/main.ts through tsx) in `cwd`; never rejects. */
export function runCli(cwd: string, ...args: string[]) {
  return execa(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [path.join(PROJECT_ROOT, 'client/cli/main.ts'), ...args], { reject: false, cwd });
}
