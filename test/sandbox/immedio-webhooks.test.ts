import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startImmedioSandbox, type ImmedioSandbox } from '../../sandbox/booking/index.ts';
import { control, immedioSignatureValid, startBookingReceiver, type BookingReceiver } from '../support/booking-receiver.ts';

/** The immedio emulator's booking webhooks: the documented-by-us payload and signature, 3 URLs at most, retries and duplicates. */
describe('immedio emulator: booking webhooks', { timeout: 30_000 }, () => {
  const SECRET = 'immedio-secret';
  let imm: ImmedioSandbox;
  let receiver: BookingReceiver;

  before(async () => {
    receiver = await startBookingReceiver();
    imm = await startImmedioSandbox({ webhooks: [{ subscriberUrl: receiver.url, secret: SECRET }], delivery: { backoffMs: 20 } });
  });
  after(async () => {
    await imm.close();
    await receiver.close();
  });
  beforeEach(() => {
    imm.reset();
    receiver.reset();
  });

  it("/sandbox/info has the Cal.com emulator's shape, with immedio's meeting types", async () => {
    const { body } = await control(imm.url, 'GET', '/sandbox/info');
    assert.deepEqual([body.system, body.baseUrl, body.maxWebhooks, body.signatureHeader], ['immedio', imm.url, 3, 'X-Immedio-Signature']);
    assert.deepEqual(body.eventTypes[0], { id: 2001, slug: 'initial-meeting', title: '初回商談', length: 30 });
    assert.deepEqual(
      [body.webhooks[0].subscriberUrl, body.webhooks[0].secret, body.webhooks[0].eventTriggers],
      [receiver.url, SECRET, ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']],
    );
  });

  it('sends booking, reschedule (new booking id, rescheduledFrom) and cancel, signed with t=…,v1=…', async () => {
    const created = await control(imm.url, 'POST', '/sandbox/bookings', {
      eventTypeSlug: 'product-demo',
      start: '2030-04-10T10:00:00+09:00',
      host: 'haruto.sato@example.com',
      attendee: { name: '山田 太郎', email: 'yamada@sample.co.jp', company: '株式会社サンプル', timeZone: 'Asia/Tokyo', phoneNumber: '+81 3-1234-5678' },
    });
    assert.equal(created.status, 201);
    const moved = imm.rescheduleBooking(created.body.uid, { start: '2030-04-11T01:00:00Z' });
    imm.cancelBooking(moved.uid, { reason: '社内調整のため' });
    await receiver.waitFor((r) => r.length === 3);
    for (const d of receiver.received) {
      assert.ok(immedioSignatureValid(SECRET, d), 'X-Immedio-Signature verifies over "<t>.<raw body>"');
      assert.equal(d.headers['content-type'], 'application/json');
      assert.equal(d.headers['x-immedio-event'], d.json.triggerEvent);
    }
    const [booked, rescheduled, cancelled] = receiver.received.map((d) => d.json);
    assert.deepEqual([booked.triggerEvent, rescheduled.triggerEvent, cancelled.triggerEvent], ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']);
    const p = booked.payload;
    assert.equal(p.bookingId, created.body.uid);
    assert.deepEqual(
      [p.status, p.meetingType, p.startTime, p.endTime],
      ['confirmed', { id: 2002, slug: 'product-demo', name: '製品デモ', durationMinutes: 60 }, '2030-04-10T01:00:00Z', '2030-04-10T02:00:00Z'],
    );
    assert.deepEqual(p.host, { name: 'Haruto Sato', email: 'haruto.sato@example.com', timeZone: 'Asia/Tokyo' });
    assert.deepEqual(p.guests, [{ name: '山田 太郎', email: 'yamada@sample.co.jp', timeZone: 'Asia/Tokyo', phoneNumber: '+81 3-1234-5678' }]);
    assert.deepEqual(p.company, { name: '株式会社サンプル' });
    assert.deepEqual([p.location.type, p.location.value], ['online', 'Zoom']);
    assert.match(p.location.videoCallUrl, /^https:\/\/zoom\.us\/j\/\d+/);
    assert.deepEqual([p.rescheduledFrom, p.cancellation], [null, null]);

    const r = rescheduled.payload;
    assert.notEqual(r.bookingId, p.bookingId);
    assert.deepEqual(r.rescheduledFrom, { bookingId: p.bookingId, startTime: p.startTime, endTime: p.endTime });
    assert.equal(r.location.videoCallUrl, p.location.videoCallUrl, 'the Zoom meeting is kept');
    const c = cancelled.payload;
    assert.deepEqual(
      [c.bookingId, c.status, c.cancellation.reason, c.cancellation.cancelledBy],
      [r.bookingId, 'cancelled', '社内調整のため', 'yamada@sample.co.jp'],
    );
  });

  it("accepts at most 3 webhook URLs, like immedio's settings page", async () => {
    assert.equal((await control(imm.url, 'POST', '/sandbox/webhooks', { subscriberUrl: `${receiver.url}?2` })).status, 201);
    assert.equal((await control(imm.url, 'POST', '/sandbox/webhooks', { subscriberUrl: `${receiver.url}?3` })).status, 201);
    const fourth = await control(imm.url, 'POST', '/sandbox/webhooks', { subscriberUrl: `${receiver.url}?4` });
    assert.deepEqual([fourth.status, fourth.body.error.code], [409, 'conflict']);
    const bad = await control(imm.url, 'POST', '/sandbox/webhooks', { subscriberUrl: 'not a url' });
    assert.deepEqual([bad.status, bad.body.error.details[0].field], [400, 'subscriberUrl']);
    assert.equal((await control(imm.url, 'POST', '/sandbox/webhooks/seed-1/ping')).status, 404, 'immedio has no test send');
    await assert.rejects(startImmedioSandbox({ webhooks: [1, 2, 3, 4].map((n) => ({ subscriberUrl: `${receiver.url}?${n}` })) }), /at most 3/);
  });

  it('retries a failed delivery under the same X-Immedio-Delivery id; a duplicate is a second delivery of the same booking', async () => {
    receiver.answer = (n) => (n === 0 ? 502 : 200);
    const booking = imm.createBooking({ attendee: { name: 'Sato', email: 'sato@example.jp' } });
    await receiver.waitFor((r) => r.length === 2);
    const [first, retry] = receiver.received;
    assert.equal(first.rawBody, retry.rawBody);
    assert.equal(first.headers['x-immedio-delivery'], retry.headers['x-immedio-delivery']);
    assert.ok(immedioSignatureValid(SECRET, retry));

    receiver.reset();
    imm.setFaults({ duplicateDeliveries: true });
    imm.cancelBooking(booking.uid);
    await receiver.waitFor((r) => r.length === 2);
    const [a, b] = receiver.received;
    assert.equal(a.rawBody, b.rawBody);
    assert.notEqual(a.headers['x-immedio-delivery'], b.headers['x-immedio-delivery']);
    assert.equal(a.json.payload.bookingId, booking.uid);
  });
});
