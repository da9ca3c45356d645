import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startCalcomSandbox, type CalcomSandbox } from '../../sandbox/booking/index.ts';
import { calcomSignatureValid, control, startBookingReceiver, type BookingReceiver } from '../support/booking-receiver.ts';

/**
 * The Cal.com emulator's webhooks as a subscriber sees them: Cal.com's payload (version
 * 2021-10-20) per trigger, X-Cal-Signature-256 over the raw body, the reschedule's new uid.
 */
describe('Cal.com emulator: booking webhooks', { timeout: 30_000 }, () => {
  const SECRET = 'whsec-spokes-test';
  let cal: CalcomSandbox;
  let receiver: BookingReceiver;

  before(async () => {
    receiver = await startBookingReceiver();
    cal = await startCalcomSandbox({ webhooks: [{ subscriberUrl: receiver.url, secret: SECRET }], delivery: { backoffMs: 20 } });
  });
  after(async () => {
    await cal.close();
    await receiver.close();
  });
  beforeEach(async () => {
    cal.reset();
    receiver.reset();
  });

  it('/sandbox/info lists the event types and the subscriber with its secret', async () => {
    const { status, body } = await control(cal.url, 'GET', '/sandbox/info');
    assert.equal(status, 200);
    assert.equal(body.system, 'calcom');
    assert.equal(body.baseUrl, cal.url);
    assert.deepEqual(body.eventTypes[0], { id: 1001, slug: 'discovery-call', title: 'Discovery Call', length: 30 });
    assert.ok(body.eventTypes.every((e: any) => Number.isInteger(e.id) && e.slug && e.title && e.length > 0));
    assert.equal(body.webhooks.length, 1);
    assert.deepEqual(
      [body.webhooks[0].subscriberUrl, body.webhooks[0].secret, body.webhooks[0].eventTriggers],
      [receiver.url, SECRET, ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']],
    );
    assert.match(body.apiKey, /^cal_live_[0-9a-f]{32}$/);
  });

  it('sends a booking, its reschedule (a new uid) and the cancel of the new uid, each signed over the raw body', async () => {
    const created = await control(cal.url, 'POST', '/sandbox/bookings', {
      eventTypeSlug: 'discovery-call',
      start: '2030-03-04T14:00:00+09:00',
      host: 'kristin.hale@example.com',
      attendee: { name: 'Jane Roe', email: 'jane.roe@acme.example', timeZone: 'Asia/Tokyo' },
      guests: ['cto@acme.example'],
      location: 'integrations:daily',
      notes: 'Pricing for 40 seats',
    });
    assert.equal(created.status, 201);
    const uid = created.body.uid;
    assert.match(uid, /^[1-9A-HJ-NP-Za-km-z]{22}$/);
    const moved = await control(cal.url, 'POST', `/sandbox/bookings/${uid}/reschedule`, { start: '2030-03-05T05:00:00Z', reason: 'Clash' });
    assert.equal(moved.status, 201);
    const newUid = moved.body.uid;
    assert.notEqual(newUid, uid);
    const cancelled = await control(cal.url, 'POST', `/sandbox/bookings/${newUid}/cancel`, { reason: 'Budget frozen', by: 'kristin.hale@example.com' });
    assert.equal(cancelled.status, 200);
    await receiver.waitFor((r) => r.length === 3);

    for (const d of receiver.received) {
      assert.ok(calcomSignatureValid(SECRET, d), 'X-Cal-Signature-256 is the hex HMAC of the raw body');
      assert.equal(d.headers['content-type'], 'application/json');
      assert.equal(d.headers['x-cal-webhook-version'], '2021-10-20');
    }
    const [create, reschedule, cancel] = receiver.received.map((d) => d.json);
    assert.deepEqual([create.triggerEvent, reschedule.triggerEvent, cancel.triggerEvent], ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']);
    assert.ok(!Number.isNaN(Date.parse(create.createdAt)));

    const p = create.payload;
    assert.equal(p.uid, uid);
    assert.equal(p.status, 'ACCEPTED');
    assert.equal(p.type, 'discovery-call');
    assert.equal(p.eventTypeId, 1001);
    assert.equal(p.title, 'Discovery Call between Kristin Hale and Jane Roe');
    assert.deepEqual([p.description, p.additionalNotes], ['A first conversation about your needs.', 'Pricing for 40 seats']);
    assert.deepEqual([p.startTime, p.endTime, p.length], ['2030-03-04T05:00:00Z', '2030-03-04T05:30:00Z', 30]);
    assert.deepEqual(
      [p.organizer.email, p.organizer.name, p.organizer.timeZone, p.organizer.utcOffset],
      ['kristin.hale@example.com', 'Kristin Hale', 'Europe/Berlin', 60],
    );
    assert.deepEqual(
      p.attendees.map((a: any) => [a.email, a.name, a.timeZone, a.utcOffset, a.language.locale]),
      [
        ['jane.roe@acme.example', 'Jane Roe', 'Asia/Tokyo', 540, 'en'],
        ['cto@acme.example', '', 'Asia/Tokyo', 540, 'en'],
      ],
    );
    assert.deepEqual(
      [p.responses.name.value, p.responses.email.value, p.responses.notes.value, p.responses.guests.value],
      ['Jane Roe', 'jane.roe@acme.example', 'Pricing for 40 seats', ['cto@acme.example']],
    );
    assert.equal(p.location, 'integrations:daily');
    assert.equal(p.metadata.videoCallUrl, `${cal.url}/video/${uid}`);
    assert.equal(p.videoCallData.url, p.metadata.videoCallUrl);
    assert.equal((await fetch(p.metadata.videoCallUrl)).status, 200, 'the Cal Video link opens');

    const r = reschedule.payload;
    assert.deepEqual([r.uid, r.rescheduleUid, r.rescheduleId, r.bookingId], [newUid, uid, p.bookingId, p.bookingId + 1]);
    assert.deepEqual([r.startTime, r.rescheduleStartTime, r.rescheduleEndTime], ['2030-03-05T05:00:00Z', '2030-03-04T05:00:00Z', '2030-03-04T05:30:00Z']);
    assert.deepEqual([r.status, r.rescheduledBy, r.responses.rescheduleReason.value], ['ACCEPTED', 'jane.roe@acme.example', 'Clash']);
    assert.equal(r.metadata.videoCallUrl, `${cal.url}/video/${newUid}`);
    assert.equal(r.iCalUID, p.iCalUID, 'the calendar event keeps its iCalUID');

    const c = cancel.payload;
    assert.deepEqual([c.uid, c.status, c.cancellationReason, c.cancelledBy], [newUid, 'CANCELLED', 'Budget frozen', 'kristin.hale@example.com']);
    assert.equal(c.metadata, undefined, 'handleCancelBooking sends no metadata');

    const original = await control(cal.url, 'GET', `/sandbox/bookings/${uid}`);
    assert.deepEqual([original.body.status, original.body.rescheduled, original.body.rescheduledToUid], ['CANCELLED', true, newUid]);
    assert.equal((await control(cal.url, 'POST', `/sandbox/bookings/${uid}/cancel`, {})).status, 409);
    await cal.deliveriesIdle();
    assert.ok(cal.deliveries().every((d) => d.ok && d.status === 200 && d.attempt === 1));
  });

  it('signs with "no-secret-provided" for a webhook without a secret, and sends only its triggers', async () => {
    const added = await control(cal.url, 'POST', '/sandbox/webhooks', {
      subscriberUrl: `${receiver.url}?unsigned`,
      secret: null,
      eventTriggers: ['BOOKING_CANCELLED'],
    });
    assert.equal(added.status, 201);
    const booking = cal.createBooking({
      attendee: { name: 'Ann', email: 'ann@example.org' },
      location: 'integrations:zoom',
      videoCallUrl: 'https://zoom.us/j/123',
    });
    cal.cancelBooking(booking.uid);
    await receiver.waitFor((r) => r.length === 3);
    const unsigned = receiver.received.filter((d) => d.headers['x-cal-signature-256'] === 'no-secret-provided');
    assert.deepEqual(
      unsigned.map((d) => d.json.triggerEvent),
      ['BOOKING_CANCELLED'],
    );
    const create = receiver.received.find((d) => d.json.triggerEvent === 'BOOKING_CREATED')!;
    assert.deepEqual([create.json.payload.location, create.json.payload.metadata.videoCallUrl], ['integrations:zoom', 'https://zoom.us/j/123']);
  });

  it('Ping test sends a signed PING, once, and reports what the subscriber answered', async () => {
    const ok = await control(cal.url, 'POST', '/sandbox/webhooks/seed-1/ping');
    assert.deepEqual([ok.status, ok.body.ok, ok.body.status], [200, true, 200]);
    assert.equal(receiver.received[0].json.triggerEvent, 'PING');
    assert.equal(receiver.received[0].json.payload.title, 'Test trigger event');
    assert.ok(calcomSignatureValid(SECRET, receiver.received[0]));
    receiver.answer = () => 500;
    const failed = await control(cal.url, 'POST', '/sandbox/webhooks/seed-1/ping');
    assert.deepEqual([failed.body.ok, failed.body.status, failed.body.message], [false, 500, 'failed']);
    await cal.deliveriesIdle();
    assert.equal(receiver.received.length, 2, 'a ping is not retried');
  });

  it('answers bad control input with a 400 naming the field, unknown bookings with 404', async () => {
    const noEmail = await control(cal.url, 'POST', '/sandbox/bookings', { attendee: { name: 'X' } });
    assert.deepEqual([noEmail.status, noEmail.body.error.code, noEmail.body.error.details[0].field], [400, 'validation_failed', 'attendee.email']);
    const host = await control(cal.url, 'POST', '/sandbox/bookings', { attendee: { name: 'X', email: 'x@example.org' }, host: 'nobody@example.org' });
    assert.deepEqual([host.status, host.body.error.details[0].field], [400, 'host']);
    const zone = await control(cal.url, 'POST', '/sandbox/bookings', { attendee: { name: 'X', email: 'x@example.org', timeZone: 'Mars/Olympus' } });
    assert.deepEqual([zone.status, zone.body.error.details[0].field], [400, 'attendee.timeZone']);
    const json = await control(cal.url, 'POST', '/sandbox/bookings', '{"attendee":');
    assert.deepEqual([json.status, json.body.error.details[0].field], [400, 'body']);
    assert.equal((await control(cal.url, 'POST', '/sandbox/bookings/nope/reschedule', { start: '2030-01-01T10:00:00Z' })).status, 404);
    assert.equal((await control(cal.url, 'POST', '/sandbox/bookings', { attendee: { name: 'X', email: 'x@example.org' }, start: 'tomorrow' })).status, 400);
    assert.equal(cal.bookings().length, 0, 'nothing was booked');
  });

  // Last: its kept webhook stays for the rest of this world.
  it('a reset drops webhooks made at runtime and restores the configured ones (options, and those added with keep) as configured', async () => {
    const [seeded] = cal.webhooks();
    const runtime = await control(cal.url, 'POST', '/sandbox/webhooks', { subscriberUrl: `${receiver.url}/runtime`, secret: 'runtime-secret' });
    assert.equal(runtime.status, 201);
    const kept = cal.addWebhook({ subscriberUrl: `${receiver.url}/kept`, secret: 'kept-secret' }, { keep: true });
    assert.equal((await control(cal.url, 'DELETE', `/sandbox/webhooks/${seeded!.id}`)).status, 200);
    assert.equal((await control(cal.url, 'PATCH', `/sandbox/webhooks/${kept.id}`, { active: false })).status, 200);
    cal.reset();
    const after = cal.webhooks().map((w) => [w.id, w.subscriberUrl, w.secret, w.active]);
    assert.deepEqual(after, [
      [seeded!.id, receiver.url, SECRET, true],
      [kept.id, `${receiver.url}/kept`, 'kept-secret', true],
    ]);
  });
});
