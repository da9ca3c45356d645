/**
 * The Business cards page in Chromium, at 1280 px and 390 px: connect a Sansan
 * key (a wrong one is refused on its field), pick tags, review the mappings
 * (a mapping to a property HubSpot lacks is refused by name, then switched
 * off), dry-run (nothing written), save and sync, and watch sync health reach
 * the initial sync's end with cards in sync.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { launchChromium, openPage, screenshot, signIn } from '../support/browser.ts';
import { startSpokes, type Spokes } from '../support/world.ts';
import { connectByOAuth } from '../support/hubspot-connect.ts';

describe('admin UI: Business cards (Sansan)', () => {
  let hubspot: HubSpotSandbox;
  let sansan: SansanSandbox;
  let spokes: Spokes;
  let browser: Browser;
  before(async () => {
    [hubspot, sansan] = await Promise.all([startHubSpotSandbox(), startSansanSandbox({ seed: { cards: 120, tags: 40, seed: 3 } })]);
    [spokes, browser] = await Promise.all([startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: hubspot.url } }), launchChromium()]);
    await connectByOAuth(spokes.runtime.services.hubspot, hubspot);
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
    await Promise.all([hubspot?.close(), sansan?.close()]);
  });

  it('walks connect → tags → mappings → review → dry run → save and sync → health', { timeout: 120_000 }, async () => {
    const { page, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/business-cards');
    await page.getByRole('heading', { name: 'Business cards' }).waitFor();
    const info = sansan.info();

    await page.getByLabel('Sansan API key').fill('0'.repeat(32));
    await page.getByLabel('API base URL').fill(info.apiBaseUrl);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('Sansan refused this API key').waitFor();
    await page.getByLabel('Sansan API key').fill(info.apiKeys[0]!.key);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('heading', { name: '1. Tags' }).waitFor();

    // Tags: search, pick two.
    await page.getByLabel('Search tags').fill('見込み');
    const first = page.getByLabel(/見込み客 A/);
    await first.waitFor();
    await first.check();
    await page.getByLabel('Search tags').fill('');
    await page.getByLabel(/重要顧客/).check();
    await page.getByText('2 / 300').waitFor();

    // Mappings: the defaults are listed; the custom properties HubSpot lacks are refused by name on a dry run.
    await page.getByLabel('HubSpot property for email').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText(/sync\.mappings\.3\.hubspot: HubSpot has no contact property "sansan_last_name_reading"/).waitFor();
    for (const field of ['lastNameReading', 'firstNameReading', 'departmentName']) await page.getByLabel(`Sync ${field}`, { exact: true }).uncheck();
    await screenshot(page, 'sansan-setup-desktop');

    const contactsBefore = await contactCount(hubspot);
    await page.getByRole('button', { name: 'Dry run' }).click();
    const report = page.getByRole('region', { name: 'Dry run result' });
    await report.getByText(/cards read, nothing written/).waitFor();
    assert.equal(await contactCount(hubspot), contactsBefore, 'a dry run writes nothing');
    await screenshot(page, 'sansan-dry-run-desktop');

    await page.getByRole('button', { name: 'Save and sync' }).click();
    await page.getByText('Saved. The initial sync is running').waitFor();
    await page.getByText('Initial sync done').waitFor({ timeout: 60_000 });
    const inSync = Number(await page.locator('.sansan-counts dd').first().textContent());
    assert.ok(inSync > 0, `${inSync} cards in sync`);
    assert.ok((await contactCount(hubspot)) > contactsBefore);
    await screenshot(page, 'sansan-health-desktop');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByText('Initial sync done').waitFor();
    await screenshot(page, 'sansan-health-phone');
    const wide = await overflow(page);
    assert.deepEqual(wide, { px: 0, culprits: [] }, 'nothing runs off the side at 390 px');
    assert.deepEqual(errors, []);
  });
});

describe('admin UI: Business cards — a key Sansan refuses, replaced in place', () => {
  let hubspot: HubSpotSandbox;
  let sansan: SansanSandbox;
  let spokes: Spokes;
  let browser: Browser;
  before(async () => {
    [hubspot, sansan] = await Promise.all([startHubSpotSandbox(), startSansanSandbox({ seed: { cards: 30, tags: 40, seed: 3 } })]);
    [spokes, browser] = await Promise.all([startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: hubspot.url } }), launchChromium()]);
    await connectByOAuth(spokes.runtime.services.hubspot, hubspot);
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
    await Promise.all([hubspot?.close(), sansan?.close()]);
  });

  it('shows why, refuses the key of another user, and resumes with the new key of the same user', { timeout: 120_000 }, async () => {
    const { page, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/business-cards');
    const info = sansan.info();
    await page.getByLabel('Sansan API key').fill(info.apiKeys[0]!.key);
    await page.getByLabel('API base URL').fill(info.apiBaseUrl);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('heading', { name: '1. Tags' }).waitFor();
    await page.getByLabel(/重要顧客/).check();
    for (const field of ['lastNameReading', 'firstNameReading', 'departmentName']) await page.getByLabel(`Sync ${field}`, { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save and sync' }).click();
    await page.getByText('Initial sync done').waitFor({ timeout: 60_000 });

    // The user reissues their key in Sansan: the next pass is refused, and the page says what to do.
    const fresh = sansan.reissueApiKey(info.apiKeys[0]!.userId);
    await page.getByText("Sansan refuses this connection's API key").waitFor({ timeout: 30_000 });
    // The header no longer says the sync is on while nothing can flow.
    await page.getByText('Sync stopped: replace the API key').waitFor();
    assert.equal(await page.getByText('Sync on', { exact: true }).count(), 0);
    await page.getByLabel('New Sansan API key').fill(info.apiKeys[1]!.key);
    await page.getByRole('button', { name: 'Check and replace' }).click();
    await page.getByText(/connect it as another Sansan account instead/).waitFor();
    await screenshot(page, 'sansan-replace-key-desktop');
    await page.getByLabel('New Sansan API key').fill(fresh.key);
    await page.getByRole('button', { name: 'Check and replace' }).click();
    await page.getByText('API key replaced; the sync resumed.').waitFor();
    await page.getByText('Sync on', { exact: true }).waitFor();
    assert.equal(await page.getByText("Sansan refuses this connection's API key").count(), 0);
    assert.deepEqual(errors, []);
  });
});

/** How far the page runs past the viewport's right edge, and the elements that do (outside scrolling boxes). */
function overflow(page: import('playwright-core').Page): Promise<{ px: number; culprits: string[] }> {
  return page.evaluate(() => {
    const px = document.documentElement.scrollWidth - window.innerWidth;
    const culprits =
      px <= 0
        ? []
        : [...document.querySelectorAll('body *')]
            .filter(
              (el) =>
                el.getBoundingClientRect().right > window.innerWidth + 1 &&
                ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1),
            )
            .filter((el) => {
              for (let p = el.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return false;
              return true;
            })
            .slice(0, 8)
            .map(
              (el) =>
                `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}" right=${Math.round(el.getBoundingClientRect().right)}`,
            );
    return { px, culprits };
  });
}

async function contactCount(hubspot: HubSpotSandbox): Promise<number> {
  const token = hubspot.info().portals.find((p) => p.type === 'STANDARD')!.privateAppToken;
  const res = await fetch(`${hubspot.url}/crm/v3/objects/contacts/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ limit: 1 }),
  });
  return Number(((await res.json()) as { total: number }).total);
}
