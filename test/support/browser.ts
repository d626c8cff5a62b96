/**
 * Debian's chromium for the page's browser tests (playwright-core): where it is, whether it is
 * here (CI must have it: `.ci/run` installs it), and a headless persistent context in a fresh
 * profile directory, closed with its directory removed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { PROJECT_ROOT } from '../../server/provision/paths.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of the browser tests (git-ignored). */
export const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts/web');
/** Whether chromium is installed; a developer machine without it skips the browser tests, CI fails. */
export const haveBrowser = fs.existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run should have installed it`);

/** A headless chromium context in a fresh profile; `close` ends it and removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1400, height: 860 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
