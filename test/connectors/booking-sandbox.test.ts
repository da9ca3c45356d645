/**
 * Sandbox mode (issue 14): `npm start` comes up with Cal.com and immedio
 * connected — `GET /api/sandbox` describes each emulator with Spokes' webhook
 * URL and secret — and a booking made through an emulator's controls, or a
 * correctly signed Cal.com delivery posted to that URL, reaches the HubSpot
 * sandbox as a meeting on its own.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, screenshot, signIn } from '../support/browser.ts';
import { eventually, startSpokes, type Spokes } from '../support/world.ts';

interface BookingInfo {
  system: string;
  baseUrl: string;
  eventTypes: { id: number; slug: string; title: string; length: number }[];
  webhooks: { subscriberUrl: string; secret: string; eventTriggers: string[] }[];
}

describe('booking sandbox: Cal.com and immedio wired to Spokes and HubSpot', { timeout: 180_000 }, () => {
  let spokes: Spokes;
  let info: { hubspot: { baseUrl: string; portals: { type: string; portalId: number; privateAppToken: string }[] }; calcom: BookingInfo; immedio: BookingInfo };
  let browser: Browser | undefined;
  let token: string;

  const findMeeting = (title: string) =>
    eventually(`the meeting "${title}"`, async () => {
      const res = await fetch(`${info.hubspot.baseUrl}/crm/v3/objects/meetings/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          filterGroups: [{ filters: [{ propertyName: 'hs_meeting_title', operator: 'EQ', value: title }] }],
          properties: ['hs_meeting_title', 'hs_meeting_outcome', 'hs_meeting_start_time'],
        }),
      });
      const found = (await res.json()) as { total: number; results: { id: string; properties: Record<string, string> }[] };
      return found.total > 0 ? found.results : undefined;
    });

  before(async () => {
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'auto', SPOKES_SANDBOX_PORT: '0' } });
    const res = await fetch(`${spokes.url.replace('localhost', '127.0.0.1')}/api/sandbox`);
    assert.equal(res.status, 200);
    info = (await res.json()) as typeof info;
    token = info.hubspot.portals.find((p) => p.type === 'STANDARD')!.privateAppToken;
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
  });

  it('GET /api/sandbox has `calcom` and `immedio` keys: base URL, event types, and the webhook to Spokes with its secret', () => {
    for (const system of ['calcom', 'immedio'] as const) {
      const s = info[system];
      assert.equal(s.system, system);
      assert.match(s.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(s.eventTypes.length >= 3);
      assert.deepEqual(Object.keys(s.eventTypes[0]!).sort(), ['id', 'length', 'slug', 'title']);
      const hook = s.webhooks.find((w) => w.subscriberUrl.startsWith(`${spokes.url}/webhooks/booking/${system}/`));
      assert.ok(hook, JSON.stringify(s.webhooks));
      assert.ok(hook.secret.length > 0);
      assert.deepEqual(hook.eventTriggers, ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']);
    }
  });

  it('a booking made through the Cal.com controls — after a sandbox reset — reaches HubSpot; reschedule and cancel update the same meeting', async () => {
    // A reset drops runtime webhooks, not the configured ones: Spokes' subscription is configuration.
    const hook = info.calcom.webhooks.find((w) => w.subscriberUrl.startsWith(`${spokes.url}/webhooks/booking/calcom/`))!;
    assert.equal((await fetch(`${info.calcom.baseUrl}/sandbox/reset`, { method: 'POST' })).status, 200);
    const after = (await (await fetch(`${info.calcom.baseUrl}/sandbox/info`)).json()) as BookingInfo;
    assert.ok(
      after.webhooks.some((w) => w.subscriberUrl === hook.subscriberUrl && w.secret === hook.secret),
      JSON.stringify(after.webhooks),
    );
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${info.calcom.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.ok, text);
      return JSON.parse(text) as { uid: string; title: string };
    };
    const booked = await post('/sandbox/bookings', {
      attendee: { name: 'Sandbox Booker', email: 'booker@sandbox-booking.example' },
      start: '2030-07-01T09:00:00Z',
    });
    assert.ok(booked.uid);
    const [created] = await findMeeting(booked.title);
    assert.equal(created!.properties.hs_meeting_outcome, 'SCHEDULED');
    const moved = await post(`/sandbox/bookings/${booked.uid}/reschedule`, { start: '2030-07-02T09:00:00Z' });
    await eventually('RESCHEDULED', async () => {
      const [m] = await findMeeting(booked.title);
      return m!.properties.hs_meeting_start_time === '2030-07-02T09:00:00Z' && m!.properties.hs_meeting_outcome === 'RESCHEDULED' ? m : undefined;
    });
    await post(`/sandbox/bookings/${moved.uid}/cancel`, { reason: 'sandbox' });
    const [cancelled, ...others] = await eventually('CANCELED', async () => {
      const list = await findMeeting(booked.title);
      return list[0]!.properties.hs_meeting_outcome === 'CANCELED' ? list : undefined;
    });
    assert.equal(cancelled!.id, created!.id, 'the same meeting');
    assert.equal(others.length, 0);
  });

  it('a correctly signed Cal.com delivery posted to the subscriber URL reaches HubSpot; a wrongly signed one is a 401', async () => {
    const hook = info.calcom.webhooks.find((w) => w.subscriberUrl.startsWith(spokes.url))!;
    const raw = JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      createdAt: new Date().toISOString(),
      payload: {
        uid: 'scripted-booking-uid-1',
        title: 'Scripted booking check',
        type: 'discovery-call',
        eventTypeId: info.calcom.eventTypes[0]!.id,
        startTime: '2030-07-03T09:00:00Z',
        endTime: '2030-07-03T09:30:00Z',
        organizer: { name: 'Sam Admin', email: 'admin@spokes-sandbox.test' },
        attendees: [{ name: 'Script Person', email: 'script@sandbox-booking.example' }],
        location: 'integrations:daily',
        metadata: { videoCallUrl: 'https://app.cal.com/video/scripted-booking-uid-1' },
      },
    });
    const send = (signature: string) =>
      fetch(hook.subscriberUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cal-signature-256': signature }, body: raw });
    assert.equal((await send('0'.repeat(64))).status, 401);
    const sig = createHmac('sha256', hook.secret).update(raw).digest('hex');
    assert.equal((await send(sig)).status, 200);
    assert.equal((await send(sig)).status, 200, 'a repeat is answered 2xx too');
    const [m] = await findMeeting('Scripted booking check');
    assert.equal(m!.properties.hs_meeting_outcome, 'SCHEDULED');
  });

  it('an immedio booking made through its controls reaches HubSpot', async () => {
    const res = await fetch(`${info.immedio.baseUrl}/sandbox/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attendee: { name: '佐藤 花子', email: 'hanako@sandbox-booking.example' } }),
    });
    assert.equal(res.status, 201);
    const booked = (await res.json()) as { title: string };
    await findMeeting(booked.title);
  });

  it('in Chromium: the Meeting booking page; a Cal.com booking on the HubSpot record page timeline, rescheduled, then cancelled', async () => {
    browser = await launchChromium();
    const { page, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/booking');
    await page.getByRole('heading', { name: 'Meeting booking' }).waitFor();
    await page.getByText('Cal.com webhook URL').waitFor();
    await page.getByRole('button', { name: 'Edit templates of Discovery Call' }).click();
    await page.getByLabel('Meeting title').fill('{meetingType}: {attendeeName}');
    await page.getByTestId('preview-title').filter({ hasText: 'Discovery Call: Jane Roe' }).waitFor();
    await screenshot(page, 'booking-page-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'booking-page-390');
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0]! <= widths[1]!, `no sideways scrolling at phone width (${widths.join(' > ')})`);
    await page.getByRole('button', { name: 'Cancel' }).click();

    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${info.calcom.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.ok, text);
      return JSON.parse(text) as { uid: string; title: string };
    };
    const booked = await post('/sandbox/bookings', {
      attendee: { name: 'Timeline Person', email: 'timeline@sandbox-booking.example' },
      start: '2030-08-01T09:00:00Z',
    });
    const [m] = await findMeeting(booked.title);
    const withContacts = (await (
      await fetch(`${info.hubspot.baseUrl}/crm/v3/objects/meetings/${m!.id}?associations=contacts`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { associations: { contacts: { results: { id: string }[] } } };
    const contactId = withContacts.associations.contacts.results[0]!.id;
    const portalId = info.hubspot.portals.find((p) => p.type === 'STANDARD')!.portalId;
    await page.setViewportSize({ width: 1280, height: 900 });
    const record = `${info.hubspot.baseUrl}/contacts/${portalId}/record/0-1/${contactId}`;
    const entry = page.locator(`li[data-engagement-type="meetings"][data-engagement-id="${m!.id}"]`);
    const outcome = async (label: string) => {
      await eventually(`"${label}" on the timeline`, async () => {
        await page.goto(record);
        return (await entry.textContent())?.includes(label) ? true : undefined;
      });
    };
    await outcome('Scheduled');
    await screenshot(page, 'booking-hubspot-timeline-scheduled');
    const moved = await post(`/sandbox/bookings/${booked.uid}/reschedule`, { start: '2030-08-02T09:00:00Z' });
    await outcome('Rescheduled');
    await post(`/sandbox/bookings/${moved.uid}/cancel`, { reason: 'browser check' });
    await outcome('Canceled');
    assert.equal(await page.locator('li[data-engagement-type="meetings"]').count(), 1, 'one meeting on the timeline');
    await screenshot(page, 'booking-hubspot-timeline-canceled');
    assert.deepEqual(
      errors.filter((e) => e.startsWith(spokes.url)),
      [],
    );
  });
});
