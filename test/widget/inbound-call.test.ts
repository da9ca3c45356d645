/**
 * C4 in Chromium: a CRM contact calls a salesperson who has a HubSpot record
 * open. The widget announces the call to HubSpot (`incomingCall`), shows who
 * it is, opens their record on request (`navigateToRecord` — the widget
 * reloads there and carries the call on), and the call is logged on the
 * caller's timeline with the notes. Also: the widget's sign-in survives a reload.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from '../support/browser.ts';
import { freshUsNumber, openRecord, startWidgetWorld, widgetIn, type WidgetWorld } from './widget-support.ts';
import { eventually } from '../support/world.ts';

describe('calling widget: calls coming in, reloads', () => {
  let world: WidgetWorld;
  let extension: string;
  let deskContact: string;
  before(async () => {
    world = await startWidgetWorld();
    extension = world.pbx.extensions().find((e) => e.email === world.hubspot.info().users[0]!.email)!.number;
    deskContact = await world.createContact({ firstname: 'Priya', lastname: 'Raman', phone: freshUsNumber().display });
  });
  after(async () => {
    await world?.close();
  });

  it('keeps the salesperson signed in across a reload, without signing in again', async () => {
    const { page, context } = await world.open();
    await openRecord(page, world.recordUrl(deskContact));
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/agent-api/')) requests.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.reload();
    await widgetIn(page).getByTestId('dial-pad').waitFor();
    assert.ok(requests.includes('GET /agent-api/me'), 'the saved session is checked');
    assert.ok(!requests.includes('POST /agent-api/sessions'), 'no new sign-in');
    // Another browser with a widget open would also announce the next call (one HubSpot tab per call holds only within a browser).
    await context.close();
  });

  it("a call the salesperson declines ends as REJECTED (the SDK's inbound end status), not CANCELED", async () => {
    const caller = freshUsNumber();
    const { page, context, errors } = await world.open();
    const widget = await openRecord(page, world.recordUrl(deskContact));
    world.pbx.simulateCall({ direction: 'inbound', external: caller.e164, extension, outcome: 'answered', manual: true });
    await widget.locator('[data-testid="call"][data-direction="inbound"][data-stage="ringing"]').waitFor();
    await widget.getByTestId('hangup').filter({ hasText: 'Decline' }).click();
    const wrapUp = widget.getByTestId('wrap-up');
    await wrapUp.waitFor();
    assert.equal(await wrapUp.getAttribute('data-end-status'), 'REJECTED');
    assert.equal(await widget.getByTestId('end-status').textContent(), 'Declined');
    await screenshot(page, 'widget-inbound-declined');
    await widget.getByTestId('save-call').click();
    await widget.getByTestId('dial-pad').waitFor();
    const [logged] = await eventually(
      'the declined call, completed by the call logger',
      async () => {
        await new Promise((r) => setTimeout(r, 500)); // two searches a look: under HubSpot's 5 a second
        const calls = await world.callsWithNumber(caller.e164);
        return calls.length && calls[0]!.properties.hs_call_body?.includes('Logged by Spokes') ? calls : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // hs_call_status has no REJECTED: a declined call is logged like any inbound call nobody answered.
    assert.equal(logged!.properties.hs_call_status, 'MISSED');
    assert.equal(logged!.properties.hs_call_title, `Missed call from ${caller.e164}`);
    assert.equal(logged!.properties.hs_call_direction, 'INBOUND');
    assert.deepEqual(errors, []);
    await context.close(); // its widget would announce the next test's call too (another "browser")
  });

  it('announces a call from a contact, opens their record, and logs it on their timeline', async () => {
    const caller = freshUsNumber();
    const contactId = await world.createContact({ firstname: 'Grace', lastname: 'Okafor', email: `grace.${Date.now()}@okafor.example`, phone: caller.display });
    // Spokes learns the new contact's number from HubSpot's webhook (the phone index); the PBX would otherwise auto-create one.
    await eventually(
      'the phone index to know the caller',
      async () => (await world.spokes.runtime.services.phone.index.lookup(caller.e164, { region: 'US' })).records[0],
    );

    const { page, errors } = await world.open();
    const widget = await openRecord(page, world.recordUrl(deskContact));
    const { call_id: callId } = world.pbx.simulateCall({ direction: 'inbound', external: caller.e164, extension, outcome: 'answered', manual: true });

    const call = widget.locator('[data-testid="call"][data-direction="inbound"]');
    await call.waitFor();
    assert.equal(await call.getAttribute('data-stage'), 'ringing');
    assert.equal(await widget.getByTestId('call-party').textContent(), 'Grace Okafor');
    await page.getByTestId('calling-status').filter({ hasText: 'On a call' }).waitFor();
    await screenshot(page, 'widget-incoming');

    // HubSpot created the engagement (INBOUND, still on no timeline).
    const created = await eventually('the inbound engagement', async () => {
      const calls = await world.callsWithNumber(caller.e164);
      return calls.length ? calls : undefined;
    });
    assert.equal(created.length, 1);
    assert.equal(created[0]!.properties.hs_call_direction, 'INBOUND');
    assert.equal(created[0]!.properties.hs_call_external_id, callId);

    // Open the caller's record: the page goes there, the widget reloads and picks the call up.
    await widget.getByTestId('open-record').click();
    await page.waitForURL((u) => u.pathname.endsWith(`/record/0-1/${contactId}`));
    const there = widgetIn(page);
    await there.locator('[data-testid="call"][data-direction="inbound"]').waitFor();
    assert.ok(world.pbx.answerCall(callId));
    await there.locator('[data-testid="call"][data-stage="connected"]').waitFor();
    await screenshot(page, 'widget-inbound-connected');
    await new Promise((r) => setTimeout(r, 1100));
    assert.ok(world.pbx.hangupCall(callId));

    await there.getByTestId('wrap-up').waitFor();
    assert.equal(await there.getByTestId('wrap-up').getAttribute('data-end-status'), 'COMPLETED');
    await there.getByTestId('notes').fill('Called about the invoice; resolved.');
    await there.getByTestId('save-call').click();
    await there.getByTestId('dial-pad').waitFor();

    const [logged, ...more] = await eventually("the call on the caller's timeline, with the notes", async () => {
      const calls = await world.callsOfContact(contactId);
      return calls.some((c) => c.properties.hs_call_body?.includes('Called about the invoice; resolved.')) ? calls : undefined;
    });
    assert.equal(more.length, 0);
    assert.equal(logged!.id, created[0]!.id, 'the engagement HubSpot created at the start');
    assert.match(logged!.properties.hs_call_body ?? '', /^(<p>)?Called about the invoice; resolved\./);
    assert.equal(logged!.properties.hs_call_direction, 'INBOUND');
    assert.equal(logged!.properties.hs_call_from_number, caller.e164);

    // The PBX's record arrives; the call logger completes the same engagement.
    await eventually(
      'the call logger to complete it',
      async () => {
        const calls = await world.callsWithNumber(caller.e164);
        return calls.length === 1 && calls[0]!.properties.hs_call_recording_url ? calls : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal((await world.callsOfContact(contactId)).length, 1);
    assert.deepEqual(errors, []);
  });
});
