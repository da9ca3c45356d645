import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startCalcomSandbox, type CalcomSandbox } from '../../sandbox/booking/index.ts';
import { calcomSignatureValid, control, startBookingReceiver, type BookingReceiver } from '../support/booking-receiver.ts';

/** Retries with backoff, and the delivery faults a subscriber must survive: duplicates, swaps, delays, losses, bad signatures. */
describe('Cal.com emulator: deliveries, retries and faults', { timeout: 30_000 }, () => {
  const SECRET = 'whsec-deliveries';
  const BACKOFF = 100;
  let cal: CalcomSandbox;
  let receiver: BookingReceiver;
  const book = () => cal.createBooking({ attendee: { name: 'Lee', email: 'lee@example.org' }, start: '2030-06-01T09:00:00Z' });
  const triggers = () => receiver.received.map((d) => d.json.triggerEvent);

  before(async () => {
    receiver = await startBookingReceiver();
    cal = await startCalcomSandbox({
      webhooks: [{ subscriberUrl: receiver.url, secret: SECRET }],
      delivery: { maxAttempts: 3, backoffMs: BACKOFF, timeoutMs: 2000 },
    });
  });
  after(async () => {
    await cal.close();
    await receiver.close();
  });
  beforeEach(() => {
    cal.reset();
    receiver.reset();
  });

  it('retries a failed delivery with doubling backoff until the subscriber answers 2xx, logging each attempt', async () => {
    receiver.answer = (n) => (n < 2 ? 500 : 200);
    const { uid } = book();
    await receiver.waitFor((r) => r.length === 3);
    await cal.deliveriesIdle();
    assert.equal(new Set(receiver.received.map((d) => d.rawBody)).size, 1, 'every attempt carries the same body');
    assert.ok(receiver.received.every((d) => calcomSignatureValid(SECRET, d)));
    const { body } = await control(cal.url, 'GET', `/sandbox/deliveries?bookingUid=${uid}`);
    assert.deepEqual(
      body.deliveries.map((d: any) => [d.attempt, d.status, d.ok, d.response]),
      [
        [1, 500, false, 'failed'],
        [2, 500, false, 'failed'],
        [3, 200, true, 'ok'],
      ],
    );
    const at = body.deliveries.map((d: any) => Date.parse(d.at));
    assert.ok(at[1] - at[0] >= BACKOFF && at[2] - at[1] >= 2 * BACKOFF, `waits ${at[1] - at[0]} ms, then ${at[2] - at[1]} ms`);
    assert.equal(new Set(body.deliveries.map((d: any) => d.deliveryId)).size, 1);
  });

  it('gives up after maxAttempts, and a refused connection counts as a failure', async () => {
    receiver.answer = () => 503;
    book();
    await receiver.waitFor((r) => r.length === 3);
    await cal.deliveriesIdle();
    assert.deepEqual(
      cal.deliveries().map((d) => [d.attempt, d.status]),
      [
        [1, 503],
        [2, 503],
        [3, 503],
      ],
    );

    cal.addWebhook({ subscriberUrl: 'http://127.0.0.1:9/closed', secret: 's' });
    receiver.reset();
    book();
    await cal.deliveriesIdle();
    const closed = cal.deliveries().filter((d) => d.subscriberUrl.endsWith('/closed'));
    assert.deepEqual(
      closed.map((d) => [d.attempt, d.ok, d.status]),
      [
        [1, false, undefined],
        [2, false, undefined],
        [3, false, undefined],
      ],
    );
    assert.ok(closed.every((d) => d.error));
  });

  it('does not hold later events behind a retry, so a cancel can arrive before the booking it cancels', async () => {
    receiver.answer = (n) => (n === 0 ? 500 : 200);
    const booking = book();
    await receiver.waitFor((r) => r.length === 1);
    cal.cancelBooking(booking.uid);
    await receiver.waitFor((r) => r.length === 3);
    assert.deepEqual(triggers(), ['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_CREATED']);
  });

  it('sends every delivery twice under duplicateDeliveries: same body, same signature', async () => {
    assert.equal((await control(cal.url, 'POST', '/sandbox/faults', { duplicateDeliveries: true })).status, 200);
    book();
    await receiver.waitFor((r) => r.length === 2);
    const [a, b] = receiver.received;
    assert.equal(a.rawBody, b.rawBody);
    assert.equal(a.headers['x-cal-signature-256'], b.headers['x-cal-signature-256']);
    await cal.deliveriesIdle();
    assert.deepEqual(
      cal.deliveries().map((d) => !!d.duplicate),
      [false, true],
    );
  });

  it('swaps deliveries in pairs under reorderDeliveries: the cancel arrives before the booking', async () => {
    cal.setFaults({ reorderDeliveries: true });
    const booking = book();
    cal.cancelBooking(booking.uid);
    await receiver.waitFor((r) => r.length === 2);
    assert.deepEqual(triggers(), ['BOOKING_CANCELLED', 'BOOKING_CREATED']);
    assert.ok(receiver.received.every((d) => d.json.payload.uid === booking.uid));
    // A delivery with nothing to swap with goes out alone after the window.
    cal.setFaults({ reorderDeliveries: true, reorderWindowMs: 50 });
    book();
    await receiver.waitFor((r) => r.length === 3);
  });

  it('delays, loses, or mis-signs deliveries; {} clears the faults', async () => {
    cal.setFaults({ deliveryDelayMs: 150 });
    const t0 = Date.now();
    book();
    await receiver.waitFor((r) => r.length === 1);
    assert.ok(Date.now() - t0 >= 150);

    cal.setFaults({ dropDeliveries: true });
    book();
    await cal.deliveriesIdle();
    assert.equal(receiver.received.length, 1, 'a lost delivery never arrives');
    assert.deepEqual(
      cal
        .deliveries()
        .slice(-1)
        .map((d) => [d.lost, d.ok, d.attempt]),
      [[true, false, 1]],
    );

    cal.setFaults({ badSignature: true });
    book();
    await receiver.waitFor((r) => r.length === 2);
    assert.equal(calcomSignatureValid(SECRET, receiver.received[1]), false);

    const cleared = await control(cal.url, 'POST', '/sandbox/faults', {});
    assert.deepEqual(cleared.body, {});
    book();
    await receiver.waitFor((r) => r.length === 3);
    assert.ok(calcomSignatureValid(SECRET, receiver.received[2]));
    const bad = await control(cal.url, 'POST', '/sandbox/faults', { duplicateDeliveries: 'yes' });
    assert.deepEqual([bad.status, bad.body.error.details[0].field], [400, 'duplicateDeliveries']);
  });
});
