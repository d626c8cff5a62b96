/**
 * The page speaks Lean's input habits, in Debian's chromium (playwright-core) against a real
 * server and Lean worker: Lean's abbreviations (`@leanprover/unicode-input`) in the statement
 * box and in the tactic box, and completion offering the tactic names the server's Lean has.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, haveBrowser, launchBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const LEAN_WAIT = 120_000;

let server: TestServer;
let context: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;

beforeAll(async () => {
  server = await startTestServer();
  if (!haveBrowser) return;
  ({ context, close: closeBrowser } = await launchBrowser());
});
afterAll(async () => {
  await closeBrowser?.();
  await server?.app.close();
});

/** The page, connected. */
async function openPage(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 30_000 }).toBe('● connected');
  return page;
}

describe.skipIf(!haveBrowser)("Lean's input habits in a real browser", () => {
  test('statement box: typing \\forall x, x = x gives ∀ x, x = x; the header box too', async () => {
    const page = await openPage();
    const statement = page.getByTestId('statement-input');
    await statement.click();
    await page.keyboard.type('\\forall x, x = x');
    await expect.poll(() => statement.inputValue()).toBe('∀ x, x = x');
    await statement.fill('');
    await page.keyboard.type('theorem t (n : \\N) (h : n = 2) : n + n = 4 \\and \\alpha = \\a');
    await page.keyboard.press('Tab'); // leaving the box replaces what is still pending
    await expect.poll(() => statement.inputValue()).toBe('theorem t (n : ℕ) (h : n = 2) : n + n = 4 ∧ α = α');
    const header = page.getByTestId('header-input');
    await header.click();
    await page.keyboard.type('notation "\\R" => Nat ');
    await expect.poll(() => header.inputValue()).toBe('notation "ℝ" => Nat ');
  });

  test('tactic box: abbreviations, then the proof goes through; completion offers the server\'s tactic names', async () => {
    const page = await openPage();
    await page.getByTestId('statement-input').fill('theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q');
    await page.getByRole('button', { name: 'Start proof' }).click();
    await page.getByTestId('goals').getByText('hp : p').waitFor({ timeout: LEAN_WAIT });
    const input = page.getByTestId('tactic-input');
    await input.click();
    // `\<` gives ⟨ and `\>` gives ⟩ (Lean's anonymous constructor), typed as a Lean user types them.
    await page.keyboard.type('exact \\<hp, hq\\>');
    // `\>` is still pending (more abbreviations start with `>`): Enter replaces it before applying.
    await expect.poll(() => input.textContent()).toBe('exact ⟨hp, hq\\>');
    await page.keyboard.press('Enter');
    await page.getByText('No goals: this state is solved').waitFor({ timeout: LEAN_WAIT });
    expect(await page.getByTestId('script').textContent()).toBe('by\n  exact ⟨hp, hq⟩');

    // Completion lists names from the server's Lean: `mvcgen` is core Lean's, never in a hand-made list here.
    await page.getByTestId('tree').focus();
    await page.keyboard.press('Home');
    await input.click();
    await page.keyboard.type('mvcg');
    const option = page.locator('.cm-tooltip-autocomplete li', { hasText: 'mvcgen' }).first();
    await option.waitFor({ timeout: 30_000 });
    await page.keyboard.press('Tab');
    await expect.poll(() => input.textContent()).toMatch(/^mvcgen/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lean-input.png') });
  });
});
