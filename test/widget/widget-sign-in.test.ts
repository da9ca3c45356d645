/**
 * Issue 9 item 1 in Chromium: the calling widget signs a salesperson in as who
 * HubSpot says they are — "Sign in with HubSpot" opens a Spokes window that goes
 * through HubSpot's sign-in for the connected app — or, without HubSpot, as the
 * pop-up page's session of the same browser; never as the user a page claims.
 * Another HubSpot user in the same browser is not signed in as the previous one.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from '../support/browser.ts';
import { openRecord, signInWidget, startWidgetWorld, switchUser, widgetIn, freshUsNumber, type WidgetWorld } from './widget-support.ts';
import { eventually } from '../support/world.ts';

describe('calling widget: signing in', () => {
  let world: WidgetWorld;
  let contactId: string;
  before(async () => {
    world = await startWidgetWorld();
    contactId = await world.createContact({ firstname: 'Sofia', lastname: 'Berg', phone: freshUsNumber().display });
  });
  after(async () => {
    await world?.close();
  });

  it('on first open, asks to sign in with HubSpot; the window HubSpot confirms in closes, and the widget is ready', async () => {
    const { page, errors } = await world.open();
    await page.goto(world.recordUrl(contactId));
    const widget = widgetIn(page);
    const signedOut = widget.locator('[data-testid="signed-out"][data-code="sign_in"]');
    await signedOut.waitFor();
    assert.match((await signedOut.textContent()) ?? '', /Sign in with HubSpot/);
    await page.getByTestId('calling-status').filter({ hasText: 'Logged out' }).waitFor();
    await screenshot(page, 'widget-sign-in');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'widget-sign-in-390');
    await page.setViewportSize({ width: 1280, height: 900 });

    await signInWidget(page, { screenshotAs: 'widget-sign-in-window-consent' });
    await widget.getByTestId('dial-pad').waitFor();
    const me = world.hubspot.info().users[0]!;
    const extension = world.pbx.extensions().find((e) => e.email === me.email)!.number;
    assert.match((await widget.getByTestId('agent').textContent()) ?? '', new RegExp(`ext ${extension}`));
    // HubSpot was told: the host shows the app ready for calls.
    await page.getByTestId('calling-status').filter({ hasText: 'Ready' }).waitFor();
    await screenshot(page, 'widget-signed-in');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'widget-signed-in-390');
    assert.deepEqual(errors, []);
  });

  it('signs in without HubSpot when the pop-up page of this browser is signed in as the same person', async () => {
    const { page, context, errors } = await world.open();
    const { agents } = (await (await world.admin.request('GET', '/api/telephony/agents')).json()) as { agents: { ownerId: string; signInUrl: string }[] };
    const ownerId = await (async () => {
      await page.goto(world.recordUrl(contactId));
      return page.getByTestId('signed-in-as').getAttribute('data-owner-id');
    })();
    await page.goto(agents.find((a) => a.ownerId === ownerId)!.signInUrl);
    await page.getByTestId('no-call').waitFor();

    const visited: string[] = [];
    context.on('page', (p) =>
      p.on('framenavigated', (f) => {
        if (f === p.mainFrame()) visited.push(new URL(f.url()).origin);
      }),
    );
    await page.goto(world.recordUrl(contactId));
    const widget = widgetIn(page);
    await widget.locator('[data-testid="signed-out"][data-code="sign_in"]').waitFor();
    const opened = page.waitForEvent('popup');
    await widget.getByTestId('sign-in').click();
    const popup = await opened;
    await popup.waitForEvent('close', { timeout: 15_000 });
    await widget.getByTestId('dial-pad').waitFor();
    assert.ok(!visited.includes(world.hubspotOrigin), `the window never went to HubSpot (${visited.join(', ')})`);
    assert.deepEqual(errors, []);
  });

  it('does not sign another HubSpot user of the same browser in as the previous one', async () => {
    const { page, errors } = await world.open();
    const url = world.recordUrl(contactId);
    const widget = await openRecord(page, url);
    const first = await widget.getByTestId('agent').textContent();

    const info = world.hubspot.info();
    const other = info.users.find(
      (u) => u.email !== info.users[0]!.email && u.portalIds.includes(world.portalId) && world.pbx.extensions().some((e) => e.email === u.email),
    )!;
    await switchUser(page, world.hubspotOrigin, other.email, new URL(url).pathname);
    await widget.locator('[data-testid="signed-out"][data-code="sign_in"]').waitFor();
    await signInWidget(page);
    await widget.getByTestId('dial-pad').waitFor();
    const second = await eventually('the new agent', async () => (await widget.getByTestId('agent').textContent()) || undefined);
    assert.notEqual(second, first);
    const extension = world.pbx.extensions().find((e) => e.email === other.email)!.number;
    assert.match(second, new RegExp(`ext ${extension}`));
    assert.deepEqual(errors, []);
  });
});
