import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, signIn } from '../support/browser.ts';
import { startSpokes, type Spokes } from '../support/world.ts';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';
import type { HubSpotSandbox } from '../../sandbox/hubspot/index.ts';

/** What an admin does in their HubSpot developer account (T1): an app with Spokes' Redirect URL and scopes. */
function createHubSpotApp(sandbox: HubSpotSandbox, redirectUrl: string, name: string) {
  return sandbox.registerApp({ name, redirectUrls: [redirectUrl], scopes: [...HUBSPOT.requiredScopes], optionalScopes: [...HUBSPOT.optionalScopes] });
}

/** Starts the OAuth flow with `click`, approves the sandbox's first standard account in the new tab, and waits for Connected. */
async function connectInNewTab(page: Page, click: () => Promise<void>): Promise<void> {
  const opened = page.context().waitForEvent('page');
  await click();
  const tab = await opened;
  await tab.getByRole('button', { name: /Acme Sales/ }).click();
  await tab.getByRole('button', { name: 'Connect app' }).click();
  await tab.getByRole('heading', { name: 'Authorization succeeded!' }).waitFor();
  await tab.close();
  await page.getByText('Connected', { exact: true }).waitFor();
}

async function disconnect(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disconnect HubSpot?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByText('Not connected', { exact: true }).waitFor();
}

describe('connecting HubSpot from the admin page, against the HubSpot sandbox', () => {
  let spokes: Spokes;
  let browser: Browser;
  let sandbox: HubSpotSandbox;
  before(async () => {
    [spokes, browser] = await Promise.all([startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' } }), launchChromium()]);
    sandbox = spokes.runtime.services.sandboxes!.hubspot;
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
  });

  it('disconnects after a confirmation, then connects by OAuth: Save, authorize in a new tab, Connect app, Connected', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/hubspot');
    // Sandbox mode starts connected to the sandbox's standard account.
    await page.getByText('Connected', { exact: true }).waitFor();
    await page.getByText('Sandbox mode', { exact: true }).waitFor();
    await screenshot(page, 'hubspot-sandbox-connected');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('dialog', { name: 'Disconnect HubSpot?' }).waitFor();
    await screenshot(page, 'hubspot-disconnect-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Connected', { exact: true }).waitFor();
    await disconnect(page);
    await page.getByText('HubSpot is disconnected.').waitFor();

    const redirectUrl = await page.getByLabel('Redirect URL', { exact: true }).inputValue();
    assert.equal(redirectUrl, `${spokes.url}/oauth/hubspot/callback`);
    const app = createHubSpotApp(sandbox, redirectUrl, 'Acme calls');
    await page.getByLabel('Client ID').fill(app.clientId);
    await page.getByRole('button', { name: 'Replace' }).click();
    await page.getByLabel('Client Secret').fill(app.clientSecret);
    const opened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Save and connect' }).click();
    const tab = await opened;

    await tab.getByRole('button', { name: /Acme Sales/ }).waitFor();
    assert.equal(new URL(tab.url()).origin, new URL(sandbox.url).origin);
    assert.equal(new URL(tab.url()).searchParams.get('client_id'), app.clientId);
    await page.getByText('Waiting for HubSpot… finish in the tab that opened.').waitFor();
    await screenshot(tab, 'hubspot-sandbox-choose-account');
    await screenshot(page, 'hubspot-waiting');

    const standard = sandbox.info().portals.find((p) => p.type === 'STANDARD')!;
    await tab.getByRole('button', { name: new RegExp(standard.name.replace(/[()]/g, '\\$&')) }).click();
    await tab.getByRole('button', { name: 'Connect app' }).click();
    await tab.getByRole('heading', { name: 'Authorization succeeded!' }).waitFor();
    await screenshot(tab, 'hubspot-authorization-succeeded');

    await page.getByText('Connected', { exact: true }).waitFor();
    await page.getByText(`Connected to HubSpot account`).waitFor();
    const card = page.getByRole('region', { name: 'Connected to HubSpot' });
    assert.match(await card.innerText(), new RegExp(`Portal ID\\s+${standard.portalId}`));
    assert.match(await card.innerText(), /HubSpot app \(OAuth\)/);
    await screenshot(page, 'hubspot-connected');

    const state = (await page.evaluate(async () => (await fetch('/api/hubspot')).json())) as {
      app: { clientId: string };
      connection: { kind: string; portalId: number };
    };
    assert.equal(state.app.clientId, app.clientId);
    assert.deepEqual({ kind: state.connection.kind, portalId: state.connection.portalId }, { kind: 'oauth', portalId: standard.portalId });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('refuses a developer test account: the tab says why, the admin page shows it too and stays Not connected', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/hubspot');
    // The page shows its state once loaded (isVisible does not wait): connected or not, whichever comes.
    await page
      .getByRole('button', { name: 'Disconnect' })
      .or(page.getByText('Not connected', { exact: true }))
      .first()
      .waitFor();
    if (await page.getByRole('button', { name: 'Disconnect' }).isVisible()) await disconnect(page);
    await page.getByText('Not connected', { exact: true }).waitFor();

    const opened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Connect HubSpot' }).click();
    const tab = await opened;
    await tab.getByRole('button', { name: /Developer test account/ }).click();
    await tab.getByRole('button', { name: 'Connect app' }).click();
    await tab.getByRole('heading', { name: 'Authorization failed' }).waitFor();
    assert.match(await tab.locator('main').innerText(), /developer or test account/);
    await screenshot(tab, 'hubspot-authorization-refused');

    // The callback tab tells the admin page why: no waiting for a connection that will not come.
    const alert = page.getByRole('alert').filter({ hasText: 'Authorization failed' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /developer or test account/);
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0, 'no longer waiting');
    await page.getByText('Not connected', { exact: true }).waitFor();
    await screenshot(page, 'hubspot-after-refusal');
    assert.deepEqual(errors, []);
    await context.close();
  });
  it('shows a connection HubSpot stopped accepting in red with the reason, and Reconnect brings it back', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/hubspot');
    // The page shows its state once loaded (isVisible does not wait): connected or not, whichever comes.
    await page
      .getByRole('button', { name: 'Disconnect' })
      .or(page.getByText('Not connected', { exact: true }))
      .first()
      .waitFor();
    if (await page.getByRole('button', { name: 'Disconnect' }).isVisible()) await disconnect(page);
    await connectInNewTab(page, () => page.getByRole('button', { name: 'Connect HubSpot' }).click());

    // The account's admin uninstalls the app in HubSpot: the next call Spokes makes is refused.
    const { portalId } = (await spokes.runtime.services.hubspot.status()).connection!;
    const clientId = (await spokes.runtime.services.hubspot.status()).app.clientId;
    const { appId } = sandbox.info().apps.find((a) => a.clientId === clientId)!;
    const uninstall = await fetch(`${sandbox.url}/sandbox/uninstall`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId, portalId }),
    });
    assert.equal(uninstall.status, 200);
    await assert.rejects(spokes.runtime.services.hubspot.api.call('list contacts', (client) => client.crm.contacts.basicApi.getPage(1)));

    await page.reload();
    await page.getByText('Needs re-authorization', { exact: true }).waitFor();
    const card = page.getByRole('region', { name: 'HubSpot needs re-authorization' });
    await card.getByRole('alert').waitFor();
    assert.match(await card.getByRole('alert').innerText(), /HubSpot refused Spokes' access/);
    await screenshot(page, 'hubspot-needs-reauthorization');

    await connectInNewTab(page, () => card.getByRole('button', { name: 'Reconnect' }).click());
    await page.getByRole('region', { name: 'Connected to HubSpot' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('connects with a private-app access token instead, and says so when HubSpot refuses the token', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/hubspot');
    // The page shows its state once loaded (isVisible does not wait): connected or not, whichever comes.
    await page
      .getByRole('button', { name: 'Disconnect' })
      .or(page.getByText('Not connected', { exact: true }))
      .first()
      .waitFor();
    if (await page.getByRole('button', { name: 'Disconnect' }).isVisible()) await disconnect(page);

    await page.getByText('Use a private-app access token instead').click();
    await page.getByLabel('Access token').fill('pat-na1-00000000-0000-0000-0000-000000000000');
    await page.getByRole('button', { name: 'Connect with token' }).click();
    const refused = page.locator('.field-error');
    await refused.waitFor();
    assert.match(await refused.innerText(), /token/i);
    await screenshot(page, 'hubspot-private-app-refused');

    const standard = sandbox.info().portals.find((p) => p.type === 'STANDARD')!;
    await page.getByLabel('Access token').fill(standard.privateAppToken);
    await page.getByRole('button', { name: 'Connect with token' }).click();
    const card = page.getByRole('region', { name: 'Connected to HubSpot' });
    await card.waitFor();
    await page.getByText('Connected', { exact: true }).waitFor();
    assert.match(await card.innerText(), /Private-app token/);
    assert.match(await card.innerText(), new RegExp(`Portal ID\\s+${standard.portalId}`));
    await screenshot(page, 'hubspot-private-app-connected');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
