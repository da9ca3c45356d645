import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startCalcomSandbox, type CalcomSandbox } from '../../sandbox/booking/index.ts';
import { calcomSignatureValid, control, startBookingReceiver, type BookingReceiver } from '../support/booking-receiver.ts';

/**
 * The API v2 subset a connector uses when connecting: who the key belongs to, the event types,
 * and registering its own webhook subscription (subscriber URL and secret).
 */
describe('Cal.com emulator: API v2 (/v2/me, /v2/event-types, /v2/webhooks)', { timeout: 30_000 }, () => {
  let cal: CalcomSandbox;
  let receiver: BookingReceiver;
  let key: string;

  const api = async (method: string, path: string, opts: { body?: unknown; auth?: string | null; version?: string } = {}) => {
    const headers: Record<string, string> = {};
    const auth = opts.auth === undefined ? `Bearer ${key}` : opts.auth;
    if (auth !== null) headers.authorization = auth;
    if (opts.version) headers['cal-api-version'] = opts.version;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${cal.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, type: res.headers.get('content-type') };
  };

  before(async () => {
    receiver = await startBookingReceiver();
    cal = await startCalcomSandbox({ delivery: { backoffMs: 20 } });
    key = cal.info().apiKey;
  });
  after(async () => {
    await cal.close();
    await receiver.close();
  });
  beforeEach(() => {
    cal.reset();
    receiver.reset();
  });

  it("refuses requests without a valid API key, in Cal.com's error envelope", async () => {
    const none = await api('GET', '/v2/me', { auth: null });
    assert.equal(none.status, 401);
    assert.deepEqual([none.body.status, none.body.path, none.body.error.code], ['error', '/v2/me', 'UnauthorizedException']);
    assert.match(none.body.error.message, /^ApiAuthStrategy - No authentication method provided/);
    const wrong = await api('GET', '/v2/webhooks', { auth: 'Bearer cal_live_00000000000000000000000000000000' });
    assert.deepEqual([wrong.status, wrong.body.error.message], [401, 'ApiAuthStrategy - api key - Your api key is not valid']);
    const notKey = await api('POST', '/v2/webhooks', {
      auth: 'Bearer abc',
      body: { subscriberUrl: receiver.url, active: true, triggers: ['BOOKING_CREATED'] },
    });
    assert.deepEqual([notKey.status, notKey.body.error.message], [401, 'ApiAuthStrategy - access token - Invalid Access Token']);
    assert.equal(cal.webhooks().length, 0, 'nothing was registered');
    const me = await api('GET', '/v2/me');
    assert.deepEqual([me.status, me.body.status, me.body.data.email, me.body.data.timeZone], [200, 'success', 'admin@spokes-sandbox.test', 'America/New_York']);
  });

  it('lists and reads event types in cal-api-version 2024-06-14', async () => {
    const list = await api('GET', '/v2/event-types', { version: '2024-06-14' });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.data.map((e: any) => [e.id, e.slug, e.title, e.lengthInMinutes]),
      cal.info().eventTypes.map((e) => [e.id, e.slug, e.title, e.length]),
    );
    const demo = list.body.data.find((e: any) => e.slug === 'product-demo');
    assert.deepEqual(demo.locations, [
      { type: 'integration', integration: 'zoom' },
      { type: 'integration', integration: 'cal-video' },
    ]);
    assert.equal(demo.ownerId, demo.users[0].id);
    const one = await api('GET', '/v2/event-types/1003', { version: '2024-06-14' });
    assert.deepEqual(one.body.data.locations, [{ type: 'address', address: 'Calcom HQ, 2261 Market Street, San Francisco', public: true }]);
    const missing = await api('GET', '/v2/event-types/9999', { version: '2024-06-14' });
    assert.deepEqual([missing.status, missing.body.error.code, missing.body.error.message], [404, 'NotFoundException', 'Event type with id 9999 not found']);
    const byUser = await api('GET', '/v2/event-types?username=sam', { auth: null, version: '2024-06-14' });
    assert.equal(byUser.body.data.length, 3, 'public listing by username needs no key');
    assert.equal((await api('GET', '/v2/event-types', { version: '2024-06-14', auth: null })).status, 401);
    assert.equal((await api('GET', '/v2/event-types')).status, 400, 'only 2024-06-14 is emulated');
  });

  it('registers a webhook with its subscriber URL and secret, which then receives signed bookings', async () => {
    const created = await api('POST', '/v2/webhooks', {
      body: { subscriberUrl: receiver.url, active: true, triggers: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'], secret: 'spokes-secret' },
    });
    assert.equal(created.status, 201);
    const hook = created.body.data;
    assert.equal(typeof hook.id, 'string');
    assert.deepEqual([hook.subscriberUrl, hook.active, hook.secret, hook.userId, hook.payloadTemplate], [receiver.url, true, 'spokes-secret', 101, null]);
    assert.deepEqual(hook.triggers, ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']);
    const again = await api('POST', '/v2/webhooks', { body: { subscriberUrl: receiver.url, active: true, triggers: ['BOOKING_CREATED'] } });
    assert.deepEqual([again.status, again.body.error.message], [409, 'Webhook with this subscriber url already exists for this user']);
    assert.ok(
      cal.info().webhooks.some((w) => w.id === hook.id && w.secret === 'spokes-secret'),
      '/sandbox/info lists it with its secret',
    );

    const booking = cal.createBooking({ attendee: { name: 'Kim', email: 'kim@example.org' } });
    await receiver.waitFor((r) => r.length === 1);
    assert.equal(receiver.received[0].json.payload.uid, booking.uid);
    assert.ok(calcomSignatureValid('spokes-secret', receiver.received[0]));

    const list = await api('GET', '/v2/webhooks');
    assert.deepEqual(
      list.body.data.map((w: any) => w.id),
      [hook.id],
    );
    assert.equal((await api('GET', `/v2/webhooks/${hook.id}`)).body.data.subscriberUrl, receiver.url);
    const off = await api('PATCH', `/v2/webhooks/${hook.id}`, { body: { active: false } });
    assert.deepEqual([off.status, off.body.data.active], [200, false]);
    cal.cancelBooking(booking.uid);
    await cal.deliveriesIdle();
    assert.equal(receiver.received.length, 1, 'an inactive webhook gets nothing');
    const deleted = await api('DELETE', `/v2/webhooks/${hook.id}`);
    assert.deepEqual([deleted.status, deleted.body.data.id], [200, hook.id]);
    assert.equal((await api('GET', `/v2/webhooks/${hook.id}`)).status, 404);
  });

  it('validates webhook input like class-validator, and guards webhooks the key does not own', async () => {
    const bad = await api('POST', '/v2/webhooks', { body: { subscriberUrl: 42, triggers: ['BOOKING_MADE'] } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'BadRequestException');
    assert.deepEqual(bad.body.error.details.message.slice(0, 2), ['active must be a boolean value', 'subscriberUrl must be a string']);
    assert.match(bad.body.error.details.message[2], /^each value in triggers must be one of the following values: BOOKING_CANCELLED/);
    const scheme = await api('POST', '/v2/webhooks', { body: { subscriberUrl: 'ftp://example.org/x', active: true, triggers: ['BOOKING_CREATED'] } });
    assert.deepEqual([scheme.status, scheme.body.error.message], [400, 'Webhook URL is not allowed: Invalid URL or protocol']);
    const notJson = await fetch(`${cal.url}/v2/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{',
    });
    assert.equal(notJson.status, 400);

    const uiHook = await control(cal.url, 'POST', '/sandbox/webhooks', { subscriberUrl: receiver.url });
    const foreign = await api('GET', `/v2/webhooks/${uiHook.body.id}`);
    assert.deepEqual([foreign.status, foreign.body.error.code], [403, 'ForbiddenException']);
    assert.equal((await api('DELETE', `/v2/webhooks/${uiHook.body.id}`)).status, 403);
    assert.equal(cal.webhooks().length, 1, 'the foreign webhook is still there');
    assert.equal((await api('GET', '/v2/nothing-here')).status, 404);
  });

  it('answers 5xx pages for a number of API requests under apiErrorStatus, then recovers', async () => {
    cal.setFaults({ apiErrorStatus: 503, apiErrorCount: 1 });
    const down = await api('GET', '/v2/me');
    assert.deepEqual([down.status, down.type?.startsWith('text/html')], [503, true]);
    assert.equal((await api('GET', '/v2/me')).status, 200);
  });
});
