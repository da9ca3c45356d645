/**
 * The HubSpot emulator's record page as a calling-extensions host, driven by a
 * third-party widget rather than Spokes' own: a probe dialer built on the real
 * SDK (fixtures/probe-widget.html, served from its own origin), whose buttons a
 * person clicks. It covers the parts of HubSpot's side that Spokes' widget never
 * uses, such as `setWidgetUrl`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { screenshot } from '../support/browser.ts';
import { freshUsNumber, startWidgetWorld, widgetIn, type WidgetWorld } from './widget-support.ts';

const PROBE = readFileSync(new URL('./fixtures/probe-widget.html', import.meta.url), 'utf8');
const SDK_UMD = readFileSync(createRequire(import.meta.url).resolve('@hubspot/calling-extensions-sdk/dist/main.js'), 'utf8');

/** The probe dialer's own web server (another origin than the record page, as a real calling app is). */
async function serveProbe(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/probe.html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PROBE);
    else if (path === '/sdk.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(SDK_UMD);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe.html` };
}

describe('calling host: what HubSpot answers a third-party widget', () => {
  let world: WidgetWorld;
  let probe: { server: Server; url: string };
  let contactId: string;
  before(async () => {
    world = await startWidgetWorld();
    probe = await serveProbe();
    contactId = await world.createContact({ firstname: 'Tomás', lastname: 'Ortega', phone: freshUsNumber().display });
  });
  after(async () => {
    await world?.close();
    await new Promise((r) => probe?.server.close(r));
  });

  /** HubSpot's documented local-testing override puts the probe in place of the installed calling app. */
  async function openWithProbe(page: Page): Promise<void> {
    await page.goto(world.recordUrl(contactId));
    await page.evaluate(
      (url) => localStorage.setItem('LocalSettings:Calling:CallingExtensions', JSON.stringify({ name: 'Probe dialer', url, isReady: true })),
      probe.url,
    );
    await page.reload();
    await widgetIn(page).getByText('Probe dialer v1').waitFor();
    await page
      .getByTestId('calling-status')
      .filter({ hasText: /^Ready$/ })
      .waitFor();
  }

  it('setWidgetUrl: HubSpot reloads the iframe at the new address and talks to the app there', async () => {
    const { page, errors } = await world.open();
    await openWithProbe(page);
    const widget = widgetIn(page);
    await widget.getByTestId('probe-set-widget-url').click();
    await widget.getByText('Probe dialer v2').waitFor();
    // The new page got HubSpot's SYNC (with the user's context) and HubSpot got its INITIALIZED.
    await widget
      .getByTestId('probe-log')
      .filter({ hasText: `"portalId":${world.portalId}` })
      .waitFor();
    await page
      .getByTestId('calling-status')
      .filter({ hasText: /^Ready$/ })
      .waitFor({ timeout: 5_000 });
    assert.equal(new URL((await page.locator('iframe[data-testid="calling-widget-iframe"]').getAttribute('src')) ?? '').search, '?v=2');
    // …and keeps talking to it: a click on a number reaches the reloaded app.
    await page.locator('[data-testid="record-summary"] a.phone').click();
    await widget.getByTestId('probe-log').filter({ hasText: 'DIAL_NUMBER' }).waitFor({ timeout: 5_000 });
    await screenshot(page, 'calling-host-set-widget-url');
    assert.deepEqual(errors, []);
  });

  it('an engagement created for a call that never gets callCompleted is on no timeline (SDK README: callCompleted inserts it; #46 ghost call logs)', async () => {
    const { page, errors } = await world.open();
    await openWithProbe(page);
    const widget = widgetIn(page);
    await widget.getByTestId('probe-start-call').click();
    const created = widget.getByTestId('probe-log').filter({ hasText: 'CREATE_ENGAGEMENT_SUCCEEDED' });
    await created.waitFor({ timeout: 5_000 });
    const engagementId = /CREATE_ENGAGEMENT_SUCCEEDED \{"engagementId":(\d+)\}/.exec((await created.textContent()) ?? '')![1]!;
    await widget.getByTestId('probe-end-call').click();
    await widget.getByTestId('probe-log').filter({ hasText: 'CALL_ENDED sent' }).waitFor();
    // The app walks away without callCompleted: HubSpot holds the engagement, on no record.
    const call = (await world.crm('GET', `/crm/v3/objects/calls/${engagementId}?properties=hs_call_external_id,hs_call_title,hs_call_body,hs_call_status`)) as {
      properties: Record<string, string | null>;
    };
    assert.equal(call.properties.hs_call_external_id, 'probe-call-1');
    assert.equal(call.properties.hs_call_title ?? null, null);
    assert.equal(call.properties.hs_call_body ?? null, null);
    assert.deepEqual(await world.associationsOf(engagementId), { contacts: [], companies: [] });
    await page.reload();
    await page.getByTestId('timeline-empty').waitFor();
    assert.deepEqual(errors, []);
  });

  it('setWidgetUrl to an address that is not a web page: SET_WIDGET_URL_FAILED, and the app stays loaded', async () => {
    const { page, errors } = await world.open();
    await openWithProbe(page);
    const widget = widgetIn(page);
    await widget.getByTestId('probe-set-bad-widget-url').click();
    await widget.getByTestId('probe-log').filter({ hasText: 'SET_WIDGET_URL_FAILED' }).waitFor({ timeout: 5_000 });
    await widget.getByText('Probe dialer v1').waitFor();
    assert.deepEqual(errors, []);
  });
});
