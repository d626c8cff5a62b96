/**
 * The tactic debugger page end to end: Debian's chromium driven by playwright-core against a
 * real server with a real Lean worker; and the API the page uses (failed attempts in the
 * tree, session.watch with proof.treeChanged, proof.state, dataset.search) through the SDK.
 * Screenshots of the main states go to test-artifacts/web/ (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, haveBrowser, launchBrowser } from '../support/browser.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { ApiErrors, type ProofTreeChanged } from '../../protocol/api.js';
import { build } from '../../server/app.js';
import { rpcError } from '../support/rpc.js';
import { startTestServer, type TestServer } from '../support/server.js';

const LEAN_WAIT = 120_000; // a Lean step under heavy load; waits end as soon as the page shows it

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

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
/** Type a tactic into the editor and press Enter. */
async function applyTactic(page: Page, tactic: string): Promise<void> {
  const input = page.getByTestId('tactic-input');
  await input.click();
  await page.keyboard.type(tactic);
  await page.keyboard.press('Enter');
}
const selectedState = (page: Page) => page.locator('[data-testid="state-node"][aria-selected="true"]').getAttribute('data-state-id');

describe('the API the page uses', () => {
  test('a failed tactic stays in proof.tree as a failed attempt; dataset.search lists benchmark and split', async () => {
    const c = await LeanEnvClient.connect(server.url);
    try {
      const found = await c.searchDatasets('amc12b_2002', 10);
      expect(found.items.find((i) => i.id === 'amc12b_2002_p2')).toMatchObject({ benchmark: 'minif2f', split: 'test' });
      expect(found.total).toBeGreaterThanOrEqual(1);
      const s = await c.openSession();
      const root = await c.start(s.sessionId, { datasetId: 'amc12b_2002_p2' });
      const out = await c.apply(root.stateId, 'exact foo_unknown');
      expect(out.status).toBe('failed');
      const tree = await c.tree(root.proofId);
      expect(tree.failed).toEqual([{ from: root.stateId, tactic: 'exact foo_unknown', error: out.status === 'failed' ? out.error : '' }]);
      expect((await c.state(root.stateId)).goals[0]!.hyps.map((h) => h.name)).toEqual(['x', 'h₀']);
      await c.closeSession(s.sessionId);
    } finally {
      await c.close();
    }
  });

  test('a watcher on another connection sees the tree grow, read-only, until it unwatches', async () => {
    const agent = await LeanEnvClient.connect(server.url);
    const watcher = await LeanEnvClient.connect(server.url);
    try {
      const s = await agent.openSession();
      const root = await agent.start(s.sessionId, { datasetId: 'amc12b_2002_p2' });
      const changes: ProofTreeChanged[] = [];
      let notify = () => {};
      watcher.onTreeChanged((c) => (changes.push(c), notify()));
      const next = () => new Promise<void>((r) => (notify = r));
      const w = await watcher.watch(s.sessionId);
      expect(w.proofs).toEqual([{ proofId: root.proofId, statement: expect.stringContaining('amc12b_2002_p2'), root: root.stateId }]);
      expect((await watcher.tree(root.proofId)).nodes).toHaveLength(1);

      let got = next();
      const a = await agent.apply(root.stateId, 'subst h₀');
      await got;
      expect(a.status).toBe('open');
      expect(changes.at(-1)).toMatchObject({ sessionId: s.sessionId, proofId: root.proofId, edges: [{ from: root.stateId, tactic: 'subst h₀' }] });
      expect(changes.at(-1)!.nodes.map((n) => n.stateId)).toEqual([a.status === 'open' ? a.stateId : '']);
      got = next();
      await agent.apply(root.stateId, 'exact nope');
      await got;
      expect(changes.at(-1)!.failed).toMatchObject([{ from: root.stateId, tactic: 'exact nope' }]);

      // Read-only: the watcher can read states but not act on them.
      expect((await watcher.state(root.stateId)).stateId).toBe(root.stateId);
      expect((await rpcError(watcher.apply(root.stateId, 'decide'))).tag).toBe(ApiErrors.UnknownState.code);
      expect((await rpcError(watcher.start(s.sessionId, { statement: 'theorem w : True' }))).tag).toBe(ApiErrors.UnknownSession.code);

      await watcher.unwatch(s.sessionId);
      const before = changes.length;
      await agent.apply(root.stateId, 'exact nope2');
      await agent.tree(root.proofId); // a later request's answer: the notification would have come before it
      expect(changes.length).toBe(before);
      expect((await rpcError(watcher.tree(root.proofId))).tag).toBe(ApiErrors.UnknownProof.code);
      expect((await rpcError(watcher.watch('ses_nope'))).tag).toBe(ApiErrors.UnknownSession.code);
      await agent.closeSession(s.sessionId);
    } finally {
      await agent.close();
      await watcher.close();
    }
  });
});

describe.skipIf(!haveBrowser)('in a real browser', () => {
  test('pick a statement, fail, step, solve, verify, go back by keyboard, branch, reload onto the same node', async () => {
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 30_000 }).toBe('● connected');
    await page.getByTestId('dataset-search').fill('amc12b_2002_p2');
    const item = page.locator('[data-testid="dataset-item"][data-id="amc12b_2002_p2"]');
    await item.waitFor();
    expect(await item.textContent()).toMatch(/amc12b_2002_p2.*minif2f.*test/);
    await shot(page, '1-start');
    await item.click();
    const goals = page.getByTestId('goals');
    await goals.getByText('h₀ : x = 4').waitFor({ timeout: LEAN_WAIT });
    expect(await page.getByTestId('target').first().textContent()).toContain('(3 * x - 2) * (4 * x + 1)');
    const root = await selectedState(page);
    expect(root).toMatch(/^st_/);
    expect(page.url()).toContain(`state=${root}`);

    // A failing tactic: Lean's error under the input, a dimmed failed edge in the tree.
    await applyTactic(page, 'decide');
    await page.getByTestId('tactic-error').waitFor({ timeout: LEAN_WAIT });
    expect(await page.getByTestId('tactic-error').textContent()).toMatch(/decide[\s\S]*failed:[\s\S]*\S/);
    await page.locator('[data-testid="failed-node"][data-tactic="decide"]').waitFor();
    expect(await selectedState(page)).toBe(root);
    await shot(page, '2-failed');

    // A step: the goal changes, what is new is highlighted.
    await applyTactic(page, 'subst h₀');
    await page.locator('.target.new').waitFor({ timeout: LEAN_WAIT });
    expect(await page.getByTestId('target').first().textContent()).toContain('(3 * 4 - 2) * (4 * 4 + 1)');
    expect(await goals.textContent()).not.toContain('h₀');
    const afterSubst = await selectedState(page);
    expect(afterSubst).not.toBe(root);

    await applyTactic(page, 'decide');
    await page.getByText('No goals: this state is solved').waitFor({ timeout: LEAN_WAIT });
    expect(await page.getByTestId('script').textContent()).toBe('by\n  subst h₀\n  decide');
    await page.keyboard.press('Escape');
    await page.keyboard.press('v');
    await page.getByTestId('verdict').waitFor({ timeout: LEAN_WAIT });
    expect(await page.getByTestId('verdict').textContent()).toBe('✓ proved');
    const proofText = await page.getByTestId('proof-text').textContent();
    expect(proofText).toContain('theorem amc12b_2002_p2');
    expect(proofText).toMatch(/:= by\n\s+subst h₀\n\s+decide/);
    expect(await page.getByTestId('verification').textContent()).toMatch(/axioms: /);
    // The proof's search trace downloads as JSONL: the verified path flagged, the failed attempt kept.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-trace').click()]);
    expect(download.suggestedFilename()).toMatch(/^prf_.*\.traces\.jsonl$/);
    const records = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tactic: string; outcome: string; onVerifiedProof: boolean });
    expect(records.map((r) => [r.tactic, r.outcome, r.onVerifiedProof])).toEqual([['subst h₀', 'open', true], ['decide', 'solved', true], ['decide', 'failed', false]]);
    await shot(page, '3-verified');
    await page.screenshot({ path: path.join(ARTIFACTS, 'debugger.png') });

    // Back to the root by keyboard (tree focused: ↑ twice), then another branch.
    await page.getByTestId('tree').focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => selectedState(page)).toBe(afterSubst);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => selectedState(page)).toBe(root);
    expect(await page.getByTestId('script').textContent()).toBe('(root)');
    await page.keyboard.press('i');
    await page.keyboard.type('rw [h₀]');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('script').textContent(), { timeout: LEAN_WAIT }).toBe('by\n  rw [h₀]');
    const branch = await selectedState(page);
    expect(await page.locator('[data-testid="state-node"]').count()).toBe(4);
    await shot(page, '4-branch');

    // Reload from the URL: same session, same node.
    const url = page.url();
    expect(url).toContain(`state=${branch}`);
    await page.goto('about:blank');
    await page.goto(url);
    await expect.poll(() => selectedState(page), { timeout: LEAN_WAIT }).toBe(branch);
    expect(await page.getByTestId('script').textContent()).toBe('by\n  rw [h₀]');
    expect(await page.locator('[data-testid="state-node"]').count()).toBe(4);
    await page.close();
  });

  test('watch a session driven by the SDK: the tree grows without a reload', async () => {
    const agent = await LeanEnvClient.connect(server.url);
    const page = await context.newPage();
    try {
      const s = await agent.openSession();
      const root = await agent.start(s.sessionId, { datasetId: 'amc12b_2002_p2' });
      await page.goto(`${server.url}/#session=${s.sessionId}&watch=1`);
      await page.getByTestId('goals').getByText('h₀ : x = 4').waitFor({ timeout: LEAN_WAIT });
      expect(await page.locator('[data-testid="state-node"]').count()).toBe(1);
      expect(await page.getByTestId('tactic-input').count()).toBe(0); // read-only
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

      const a = await agent.apply(root.stateId, 'subst h₀');
      await expect.poll(() => page.locator('[data-testid="state-node"]').count(), { timeout: LEAN_WAIT }).toBe(2);
      await agent.apply(root.stateId, 'exact nope');
      await page.locator('[data-testid="failed-node"][data-tactic="exact nope"]').waitFor({ timeout: LEAN_WAIT });
      if (a.status !== 'failed') await agent.apply(a.stateId, 'decide');
      await page.locator('[data-testid="state-node"].solved').waitFor({ timeout: LEAN_WAIT });
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await shot(page, '5-watch');
      await agent.closeSession(s.sessionId);
    } finally {
      await page.close();
      await agent.close();
    }
  });

  test('a token-protected server: the page asks for the token, keeps it for the tab, connects with it', async () => {
    const token = 'web-test-token-0123456789';
    const authed = await build({ pool: server.pool, judge: server.judge, ownsPool: false, authToken: token, logLevel: 'warn', datasets: undefined });
    await authed.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(authed.server.address() as { port: number }).port}`;
    const page = await context.newPage();
    try {
      expect((await fetch(`${url}/health`)).status).toBe(401);
      expect((await fetch(`${url}/`)).status).toBe(200); // the page itself is public
      await page.goto(url + '/');
      await page.getByTestId('token-input').fill('wrong-token-0123456789');
      await page.keyboard.press('Enter');
      await page.getByText('the server refused this token').waitFor({ timeout: 30_000 });
      await page.getByTestId('token-input').fill(token);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 30_000 }).toBe('● connected');
      await page.getByTestId('statement-input').fill('theorem web_t (n : Nat) : n + 0 = n');
      await page.getByText('Start proof').click();
      await page.getByTestId('target').getByText('n + 0 = n').waitFor({ timeout: LEAN_WAIT });
      await page.reload();
      await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 30_000 }).toBe('● connected');
      expect(await page.getByTestId('token-input').count()).toBe(0);
    } finally {
      await page.close();
      await authed.close();
    }
  });
});
