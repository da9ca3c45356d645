/**
 * C5 in Chromium: what a salesperson sees when the PBX cannot place a call —
 * the widget says why, in their words, and HubSpot's alert shows the same
 * message (`sendError`); the failed call can still be logged. A HubSpot user
 * who is not bound to an extension sees how to get bound, and HubSpot does
 * not dial for them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot } from '../support/browser.ts';
import { freshUsNumber, openRecord, startWidgetWorld, switchUser, type WidgetWorld } from './widget-support.ts';
import { eventually } from '../support/world.ts';

describe('calling widget: calls that fail, users who cannot call', () => {
  let world: WidgetWorld;
  let extension: string;
  before(async () => {
    world = await startWidgetWorld();
    extension = world.pbx.extensions().find((e) => e.email === world.hubspot.info().users[0]!.email)!.number;
  });
  after(async () => {
    await world?.close();
  });

  async function clickToCall(page: Page, widget: FrameLocator): Promise<void> {
    await page.locator('[data-testid="record-summary"] a.phone').click();
    // A call the PBX refuses at once may go straight to the wrap-up.
    await widget.getByTestId('call').or(widget.getByTestId('wrap-up')).waitFor();
  }

  it('a busy line: the widget explains it, HubSpot shows the alert, and the call is logged as busy', async () => {
    const number = freshUsNumber();
    const contactId = await world.createContact({ firstname: 'Omar', lastname: 'Haddad', phone: number.display });
    world.pbx.setDialRules({ rules: [{ number: number.e164, outcome: 'busy' }] });
    const { page, errors } = await world.open();
    const widget = await openRecord(page, world.recordUrl(contactId));
    await clickToCall(page, widget);

    const reason = widget.getByTestId('call-failure');
    await reason.waitFor();
    assert.equal(await reason.textContent(), 'The number you called is busy. Try again later.');
    const alert = page.getByTestId('calling-alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /Spokes phone.*The number you called is busy\. Try again later\./);
    const wrapUp = widget.getByTestId('wrap-up');
    await wrapUp.waitFor();
    assert.equal(await wrapUp.getAttribute('data-end-status'), 'BUSY');
    assert.equal(await widget.getByTestId('end-status').textContent(), 'Busy');
    assert.equal(await widget.getByTestId('disposition').locator('option:checked').textContent(), 'Busy');
    await screenshot(page, 'widget-busy');

    await widget.getByTestId('save-call').click();
    await widget.getByTestId('dial-pad').waitFor();
    const [call, ...more] = await eventually('the busy call on the contact', async () => {
      const calls = await world.callsOfContact(contactId);
      return calls.length ? calls : undefined;
    });
    assert.equal(more.length, 0);
    assert.equal(call!.properties.hs_call_status, 'BUSY');
    assert.deepEqual(errors, []);
  });

  for (const failure of [
    {
      name: 'an offline desk phone',
      state: { online: false },
      status: 'FAILED',
      // The PBX's 30015 for an unregistered caller names no party: Spokes remembers who dialled.
      message: 'Your phone (extension EXT) is offline. Make sure it is switched on and signed in to the PBX, then try again.',
    },
    {
      name: 'no outbound permission',
      state: { outboundPermission: false },
      message: 'Your extension EXT is not allowed to call this number. Ask your PBX administrator for outbound call permission.',
      status: 'FAILED',
    },
  ]) {
    it(`${failure.name}: the PBX's refusal reaches the widget and HubSpot's alert`, async () => {
      const number = freshUsNumber();
      const contactId = await world.createContact({ firstname: 'Mia', lastname: 'Kowalski', phone: number.display });
      const { page } = await world.open();
      const widget = await openRecord(page, world.recordUrl(contactId));
      await world.pbx.setExtensionState(extension, failure.state);
      try {
        await clickToCall(page, widget);
        const expected = failure.message.replace('EXT', extension);
        await widget.getByTestId('call-failure').waitFor({ timeout: 10_000 });
        assert.equal(await widget.getByTestId('call-failure').textContent(), expected);
        await page.getByTestId('calling-alert').filter({ hasText: expected }).waitFor();
        await widget.getByTestId('wrap-up').waitFor();
        assert.equal(await widget.getByTestId('wrap-up').getAttribute('data-end-status'), failure.status);
      } finally {
        await world.pbx.setExtensionState(extension, { online: true, outboundPermission: true });
      }
    });
  }

  it('an owner who is not bound to an extension sees how to get bound, and HubSpot does not dial for them', async () => {
    const info = world.hubspot.info();
    const admin = info.users[0]!;
    const other = info.users.find((u) => u.email !== admin.email && u.portalIds.includes(world.portalId))!;
    const owner = (await world.crm('GET', `/crm/v3/owners/${other.userId}?idProperty=userId`)) as { id: string };
    const unbind = await world.admin.request('PUT', '/api/telephony/bindings', { bindings: [{ ownerId: String(owner.id), extension: null }] });
    assert.equal(unbind.status, 200, await unbind.text());

    const number = freshUsNumber();
    const contactId = await world.createContact({ firstname: 'Lena', lastname: 'Brandt', phone: number.display });
    const { page, errors } = await world.open();
    const path = new URL(world.recordUrl(contactId)).pathname;
    await switchUser(page, world.hubspotOrigin, other.email, path);
    const widget = await openRecord(page, world.recordUrl(contactId), 'not-bound');
    const hint = widget.getByTestId('not-bound');
    assert.match(
      (await hint.textContent()) ?? '',
      /Your HubSpot user is not bound to a PBX extension\. Ask your Spokes admin to bind you on the Phone system page\./,
    );
    assert.match((await hint.textContent()) ?? '', new RegExp(`owner ${owner.id}`));
    await page.getByTestId('calling-status').filter({ hasText: 'Logged out' }).waitFor();
    await screenshot(page, 'widget-not-bound');

    const dialsBefore = world.pbx.dialRequests().length;
    await page.locator('[data-testid="record-summary"] a.phone').click();
    await page.getByTestId('calling-alert').filter({ hasText: 'Log in to Spokes phone' }).waitFor();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(world.pbx.dialRequests().length, dialsBefore, 'nothing was dialled');
    assert.deepEqual(errors, []);
  });
});
