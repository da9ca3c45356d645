/**
 * C2 + C3 in Chromium, as a salesperson does it: on a contact's record page in
 * the HubSpot emulator, click the phone number; the PBX emulator rings the
 * user's extension and dials the contact; the contact answers and hangs up;
 * the widget shows each state; notes and an outcome are saved; the contact's
 * timeline holds exactly one call with them — and still one after the PBX's
 * call record arrives and Spokes' call logger completes it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from '../support/browser.ts';
import { freshUsNumber, openRecord, startWidgetWorld, type WidgetWorld } from './widget-support.ts';
import { eventually } from '../support/world.ts';

const CONNECTED = 'f240bbac-87c9-4f6e-bf70-924b57d47db7';
const LEFT_LIVE_MESSAGE = 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff';

describe('calling widget: a call placed from a HubSpot record', () => {
  let world: WidgetWorld;
  before(async () => {
    world = await startWidgetWorld();
  });
  after(async () => {
    await world?.close();
  });

  it("dials from the signed-in owner's extension, follows the call, saves notes and outcome, and logs exactly one call", async () => {
    const number = freshUsNumber();
    const contactId = await world.createContact({
      firstname: 'Dana',
      lastname: 'Whitfield',
      email: `dana.${Date.now()}@whitfield.example`,
      phone: number.display,
    });
    // The contact's phone rings until the test answers it, and talks until the test hangs up.
    world.pbx.setDialRules({ rules: [{ number: number.e164, outcome: 'answered', manual: true }] });
    const me = world.hubspot.info().users[0]!;
    const extension = world.pbx.extensions().find((e) => e.email === me.email)!.number;

    const { page, errors } = await world.open();
    const widget = await openRecord(page, world.recordUrl(contactId));
    assert.equal(await page.getByTestId('calling-status').textContent(), 'Ready');
    const ownerId = await page.getByTestId('signed-in-as').getAttribute('data-owner-id');
    assert.match((await widget.getByTestId('agent').textContent()) ?? '', new RegExp(`ext ${extension}`));
    await screenshot(page, 'widget-record-page-ready');

    // One click on the number, as in HubSpot.
    const dialsBefore = world.pbx.dialRequests().length;
    await page.locator('[data-testid="record-summary"] a.phone').click();
    const dial = await eventually('call/dial at the PBX', () => world.pbx.dialRequests()[dialsBefore]);
    assert.deepEqual({ caller: dial.body.caller, callee: dial.body.callee }, { caller: extension, callee: number.e164 });
    assert.equal(dial.errcode, 0);
    const callId = dial.call_id!;

    await widget.locator('[data-testid="call"][data-stage="ringing"]').waitFor();
    assert.equal(await widget.getByTestId('call-party').textContent(), 'Dana Whitfield');
    await screenshot(page, 'widget-ringing');

    assert.ok(world.pbx.answerCall(callId), 'the contact answers');
    await widget.locator('[data-testid="call"][data-stage="connected"]').waitFor();
    await widget.getByTestId('call-timer').waitFor();
    assert.equal(await page.getByTestId('calling-status').textContent(), 'On a call');
    await screenshot(page, 'widget-connected');

    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(world.pbx.hangupCall(callId), 'the contact hangs up');
    const wrapUp = widget.getByTestId('wrap-up');
    await wrapUp.waitFor();
    assert.equal(await wrapUp.getAttribute('data-end-status'), 'COMPLETED');
    assert.equal(await widget.getByTestId('disposition').inputValue(), CONNECTED, 'the outcome the PBX knows is preselected');

    const notes = 'Interested in the annual plan.\nSend the proposal by Friday.';
    await widget.getByTestId('notes').fill(notes);
    await widget.getByTestId('disposition').selectOption({ label: 'Left live message' });
    await screenshot(page, 'widget-wrap-up');
    await widget.getByTestId('save-call').click();
    await widget.locator('[data-testid="widget-notice"][data-tone="success"]').waitFor();
    await widget.getByTestId('dial-pad').waitFor();

    // HubSpot's side: one call on the contact, with the notes, outcome, owner and numbers (the call logger may
    // have completed it before the save, or completes it after: the notes are on it either way).
    const [logged, ...others] = await eventually('the call on the contact, with the notes', async () => {
      const calls = await world.callsOfContact(contactId);
      return calls.some((c) => c.properties.hs_call_body?.includes('Send the proposal by Friday.')) ? calls : undefined;
    });
    assert.equal(others.length, 0, 'exactly one call on the contact');
    const p = logged!.properties;
    assert.match(p.hs_call_body ?? '', /^(<p>)?Interested in the annual plan\.<br>Send the proposal by Friday\./);
    assert.equal(p.hs_call_disposition, LEFT_LIVE_MESSAGE);
    assert.equal(p.hs_call_direction, 'OUTBOUND');
    assert.equal(p.hs_call_to_number, number.e164);
    assert.equal(p.hubspot_owner_id, ownerId);
    assert.equal(p.hs_call_title, `Outbound call to Dana Whitfield (${number.e164})`, 'the title Spokes gives every call');

    // The timeline on the page was refreshed in place, as HubSpot's is.
    const entry = page.locator('[data-testid="activity"] [data-engagement-type="calls"]');
    await entry.first().waitFor();
    assert.equal(await entry.count(), 1);
    assert.match((await entry.textContent()) ?? '', /Send the proposal by Friday/);

    // The PBX's call record arrives: the call logger completes the same engagement (recording link), never a second.
    const completed = await eventually(
      'the call logger to complete the engagement',
      async () => {
        const calls = await world.callsWithNumber(number.e164);
        return calls.length === 1 && calls[0]!.properties.hs_call_recording_url ? calls : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(completed[0]!.id, logged!.id);
    assert.match(
      completed[0]!.properties.hs_call_body ?? '',
      /^<p>Interested in the annual plan\.<br>Send the proposal by Friday\.<\/p><p>Outbound call to Dana Whitfield .*Logged by Spokes/,
      'the notes are kept, above what Spokes logs',
    );
    assert.equal(completed[0]!.properties.hs_call_disposition, LEFT_LIVE_MESSAGE, 'the outcome is kept');
    assert.equal((await world.callsOfContact(contactId)).length, 1, 'still exactly one call on the contact');

    await page.reload();
    await page.locator('[data-testid="activity"] [data-engagement-type="calls"]').first().waitFor();
    assert.equal(await page.locator('[data-testid="activity"] [data-engagement-type="calls"]').count(), 1);
    await screenshot(page, 'widget-record-page-logged');
    assert.deepEqual(errors, []);
  });

  it('places a call typed on the dial pad, hangs up from the widget, and logs it on the record on screen', async () => {
    const onScreen = await world.createContact({ firstname: 'Noah', lastname: 'Lindqvist', phone: freshUsNumber().display });
    const typed = freshUsNumber();
    world.pbx.setDialRules({ rules: [{ number: typed.e164, outcome: 'answered', manual: true }] });
    const { page, errors } = await world.open();
    const widget = await openRecord(page, world.recordUrl(onScreen));
    const dialsBefore = world.pbx.dialRequests().length;
    await widget.getByTestId('dial-input').fill(typed.display);
    await widget.getByTestId('dial-call').click();
    const dial = await eventually('call/dial at the PBX', () => world.pbx.dialRequests()[dialsBefore]);
    assert.equal(dial.body.callee, typed.e164);
    await widget.locator('[data-testid="call"][data-stage="ringing"]').waitFor();

    await widget.getByTestId('hangup').click();
    await widget.getByTestId('wrap-up').waitFor();
    assert.equal(await widget.getByTestId('wrap-up').getAttribute('data-end-status'), 'CANCELED');
    assert.ok(!world.pbx.calls().active.some((c) => c.call_id === dial.call_id), 'the PBX hung the call up');
    await widget.getByTestId('notes').fill('Wrong moment, will call back.');
    await widget.getByTestId('save-call').click();
    await widget.getByTestId('dial-pad').waitFor();
    // On the record on screen (HubSpot's default association at callCompleted), completed by the call logger.
    const [call, ...more] = await eventually(
      'the call on the record on screen, logged',
      async () => {
        await new Promise((r) => setTimeout(r, 300));
        const calls = await world.callsOfContact(onScreen);
        return calls.some((c) => c.properties.hs_call_body?.includes('Logged by Spokes')) ? calls : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(more.length, 0);
    assert.equal(call!.properties.hs_call_to_number, typed.e164);
    assert.match(call!.properties.hs_call_body ?? '', /^<p>Wrong moment, will call back\.<\/p>/);
    // The widget said CANCELED (the SDK's end status); the PBX's record of a call nobody answered says NO_ANSWER,
    // as for any call logged without the widget.
    assert.equal(call!.properties.hs_call_status, 'NO_ANSWER');
    assert.deepEqual(errors, []);
  });
});
