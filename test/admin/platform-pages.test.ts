/**
 * The admin UI's page registry, the Overview and the Activity page in
 * Chromium, at 1280 px and 390 px wide: a signed-in admin lands on the
 * Overview, sees every connector and connection with its state, last activity
 * and open errors, follows a connector to its writes, filters them and pages
 * through them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, signIn } from '../support/browser.ts';
import { signInOverHttp, startSpokes, type Spokes } from '../support/world.ts';
import { defineConnector } from '../../src/platform/connector.ts';
import type { AuditEntry } from '../../src/sync/audit-log.ts';
import type { ApiConnection } from '../../src/platform/wire.ts';

/** A connector with nothing remote to check: enough to give the pages connections to show. */
const cards = defineConnector({
  manifest: { slug: 'cards', name: 'Business cards', features: ['D2'], hubspotScopes: [], connections: 'many' },
  settings: z.object({ tag: z.string().default('cards') }),
  credentials: z.object({ apiKey: z.string() }),
  connectInput: z.object({ label: z.string().min(1), apiKey: z.string().min(4) }),
  lifecycle: {
    connect: async (_ctx, input) => ({ label: input.label, credentials: { apiKey: input.apiKey } }),
    disconnect: async () => {},
    status: async () => ({ health: 'ok', summary: 'fine' }),
  },
  jobs: [],
});

describe('admin UI: Overview and Activity', () => {
  let spokes: Spokes;
  let browser: Browser;
  let tokyo: ApiConnection;

  before(async () => {
    [spokes, browser] = await Promise.all([startSpokes({ connectors: [cards] }), launchChromium()]);
    const admin = await signInOverHttp(spokes);
    const connect = async (label: string) =>
      (await (await admin.request('POST', '/api/connections', { connector: 'cards', input: { label, apiKey: `key-${label}` } })).json()) as ApiConnection;
    tokyo = await connect('Tokyo office');
    const osaka = await connect('Osaka office');
    await admin.request('POST', `/api/connections/${tokyo.id}/enable`);
    const platform = spokes.runtime.services.platform;
    await platform.connections.setProblem(osaka.id, 'needs_reauthorization', 'Sansan refused the API key: it was revoked');
    await platform.syncErrors.record({
      connectionId: tokyo.id,
      category: 'validation',
      objectType: 'card',
      recordId: 'c-7',
      reason: 'the card has no e-mail address',
    });
    await platform.connections.touch(tokyo.id);
    // 120 writes over the last two hours, newest last; every tenth failed.
    const now = Date.now();
    const entries: AuditEntry[] = Array.from({ length: 120 }, (_, i) => ({
      connector: i % 4 === 0 ? 'telephony' : 'cards',
      connectionId: i % 4 === 0 ? null : tokyo.id,
      target: 'hubspot',
      objectType: i % 4 === 0 ? 'call' : 'contact',
      objectId: String(5000 + i),
      operation: i % 3 === 0 ? 'update' : 'create',
      cause: { type: i % 4 === 0 ? 'event' : 'record', ref: i % 4 === 0 ? `call end ${i}` : `card c-${i}` },
      idempotencyKey: `k${i}`,
      outcome: i % 10 === 9 ? 'failed' : 'succeeded',
      error: i % 10 === 9 ? 'Property values were not valid: email' : null,
      occurredAt: new Date(now - (120 - i) * 60_000),
    }));
    await platform.audit.record(entries);
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
  });

  async function at(page: Page, width: number): Promise<void> {
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
  }

  it('lands on the Overview: HubSpot, every connector and connection with its state, last activity and errors', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/overview');
    assert.equal(await page.getByRole('navigation', { name: 'Spokes' }).getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
    assert.equal(
      await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'Phone system' }).getAttribute('href'),
      '/admin/phone-system',
    );

    const hubspot = page.getByRole('region', { name: 'HubSpot' });
    await hubspot.getByText('Not connected').waitFor();
    const table = page.getByRole('table', { name: 'Business cards connections' });
    const rows = table.getByRole('row');
    await rows.nth(2).waitFor();
    const tokyoRow = rows.filter({ hasText: 'Tokyo office' });
    await tokyoRow.getByText('Enabled').waitFor();
    assert.equal((await tokyoRow.locator('td').nth(1).innerText()).trim(), 'just now');
    assert.equal((await tokyoRow.locator('td').nth(2).innerText()).trim(), '1');
    const osakaRow = rows.filter({ hasText: 'Osaka office' });
    await osakaRow.getByText('Needs re-authorization').waitFor();
    await osakaRow.getByText('Sansan refused the API key: it was revoked.').waitFor();
    await page.getByText('1 connection needs attention').waitFor();
    // Telephony is not on the platform yet: its card points to its page.
    await page.getByRole('region', { name: 'Phone system' }).getByRole('link', { name: 'Phone system', exact: true }).waitFor();
    await screenshot(page, 'admin-overview-1280');
    await at(page, 390);
    await screenshot(page, 'admin-overview-390');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('follows a connector to its writes, filters them, and pages by keyset', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/overview');
    await page.getByRole('region', { name: 'Business cards' }).getByRole('link', { name: 'See its writes' }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).search, '?connector=cards');
    assert.equal(await page.getByLabel('Connector').inputValue(), 'cards');
    const body = page.getByRole('table', { name: 'Writes' }).locator('tbody tr');
    await body.nth(49).waitFor();
    assert.equal(await body.count(), 50, 'a page is 50 writes');
    const first = await body.first().innerText();
    assert.match(first, /Create contact 5119|Update contact 5119/i);
    assert.match(first, /card c-119/);
    await screenshot(page, 'admin-activity-1280');

    // 90 writes of this connector: two pages.
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.getByText('Page 2').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Writes"] tbody tr').length === 40);
    assert.equal(await page.getByRole('button', { name: 'Older →' }).isDisabled(), true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await page.getByText('Page 1').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Writes"] tbody tr').length === 50);

    const rowsAre = (n: number) => page.waitForFunction((n) => document.querySelectorAll('table[aria-label="Writes"] tbody tr').length === n, n);
    // Every tenth write failed: 12 of this connector's 90.
    await page.getByLabel('Outcome').selectOption('failed');
    await rowsAre(12);
    assert.equal(new URL(page.url()).searchParams.get('outcome'), 'failed');
    assert.match(await body.first().innerText(), /Failed[\s\S]*Property values were not valid: email/);
    // Every fourth write is telephony's call: 30, of which 14 in the last hour.
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Connector').selectOption('');
    await page.getByLabel('Object').selectOption('call');
    await rowsAre(30);
    await page.getByLabel('Time range').selectOption('1h');
    await rowsAre(14);
    await page.getByLabel('Outcome').selectOption('skipped');
    await page.getByText('No writes match these filters.').waitFor();
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Object').selectOption('');
    await page.getByLabel('Time range').selectOption('24h');
    await body.nth(49).waitFor();
    await at(page, 390);
    await screenshot(page, 'admin-activity-390');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('keeps the other pages in the navigation, at both widths', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/overview');
    await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'Phone system' }).click();
    await page.getByRole('heading', { name: 'Phone system', level: 1 }).waitFor();
    await screenshot(page, 'admin-phone-system-nav-1280');
    await at(page, 390);
    await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'HubSpot' }).click();
    await page.getByRole('heading', { name: 'HubSpot', level: 1 }).waitFor();
    await screenshot(page, 'admin-hubspot-nav-390');
    await page.goto('/admin/nothing-here');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
});
