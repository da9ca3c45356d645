/**
 * The booking connector end to end (issue 14): a real Spokes with the
 * HubSpot, Cal.com and immedio emulators on loopback. Deliveries are
 * verified (401 unsigned or forged, 400 malformed, nothing enqueued), and a
 * booking, its reschedule and its cancel — sent twice and out of order —
 * end as one HubSpot meeting with the right times, outcome, owner, contact
 * and primary company. Meeting types switch sync off (nothing written, a
 * `skipped` audit row) and survive a disconnect (M2).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startCalcomSandbox, startImmedioSandbox, type CalcomSandbox, type ImmedioSandbox } from '../../sandbox/booking/index.ts';
import { eventually, startSpokes, sessionFrom, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { connectByOAuth } from '../support/hubspot-connect.ts';
import type { ApiAuditPage, ApiConnection } from '../../src/platform/wire.ts';

const CAL_SECRET = 'whsec_cal_test_secret_1234';
const IMM_SECRET = 'whsec_immedio_test_secret_1234';

describe('booking connector: Cal.com and immedio bookings become HubSpot meetings', { timeout: 120_000 }, () => {
  let hubspot: HubSpotSandbox;
  let cal: CalcomSandbox;
  let imm: ImmedioSandbox;
  let spokes: Spokes;
  let admin: AdminHttp;
  let token: string;
  let connectionId: string;

  const hs = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hubspot.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const json = async <T>(res: Response, status = 200): Promise<T> => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  };
  const meetingOf = async (source: string, uid: string) => {
    const rows = await spokes.runtime.database.query<{ meeting_id: string | null }>(
      sql`select r.meeting_id from booking_bookings b join booking_bookings r on r.source = b.source and r.uid = b.root_uid where b.source = ${source} and b.uid = ${uid}`,
    );
    return rows[0]?.meeting_id ?? undefined;
  };
  const meeting = (id: string) =>
    hs(
      'GET',
      `/crm/v3/objects/meetings/${id}?properties=hs_meeting_title,hs_meeting_body,hs_meeting_start_time,hs_meeting_end_time,hs_timestamp,hs_meeting_location,hs_meeting_outcome,hubspot_owner_id&associations=contacts,companies`,
    );
  const jobs = async () =>
    (await spokes.runtime.database.query<{ n: number }>(sql`select count(*)::int as n from pgboss.job where name = 'booking.record-booking'`))[0]!.n;
  const calUrl = () => `${spokes.url}/webhooks/booking/calcom/${connectionId}`;

  before(async () => {
    hubspot = await startHubSpotSandbox();
    const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
    token = portal.privateAppToken;
    hubspot.seed({ portalId: portal.portalId, contacts: 3, companies: 1, owners: 3 });
    const owners = (await (await fetch(`${hubspot.url}/crm/v3/owners`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      results: { email: string; firstName: string; lastName: string }[];
    };
    const hosts = owners.results.map((o) => ({ name: `${o.firstName} ${o.lastName}`.trim() || o.email, email: o.email }));
    [cal, imm] = await Promise.all([startCalcomSandbox({ hosts, delivery: { backoffMs: 50 } }), startImmedioSandbox({ hosts, delivery: { backoffMs: 50 } })]);
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: hubspot.url } });
    await connectByOAuth(spokes.runtime.services.hubspot, hubspot);
    admin = await signInOverHttp(spokes);
  });
  after(async () => {
    await spokes?.close();
    await Promise.all([hubspot?.close(), cal?.close(), imm?.close()]);
  });

  it('connects with the sources’ webhook secrets through the platform’s connection routes (a missing secret is a 400 naming it)', async () => {
    const refused = await json<{ error: { details: { field: string }[] } }>(
      await admin.request('POST', '/api/connections', { connector: 'booking', input: {} }),
      400,
    );
    assert.deepEqual(
      refused.error.details.map((d) => d.field),
      ['body.input.calcomSecret'],
    );
    const noSession = await fetch(`${spokes.url}/api/connections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connector: 'booking', input: { calcomSecret: CAL_SECRET } }),
    });
    assert.equal(noSession.status, 401);
    const connected = await json<ApiConnection>(
      await admin.request('POST', '/api/connections', { connector: 'booking', input: { calcomSecret: CAL_SECRET, immedioSecret: IMM_SECRET } }),
      201,
    );
    connectionId = connected.id;
    assert.equal(JSON.stringify(connected).includes(CAL_SECRET), false, 'the secrets never come back');
    await json(await admin.request('POST', `/api/connections/${connectionId}/enable`));
    const sources = await json<{ sources: { source: string; webhookUrl: string; configured: boolean }[] }>(await admin.request('GET', '/api/booking/sources'));
    assert.deepEqual(
      sources.sources.map((s) => [s.source, s.configured, s.webhookUrl]),
      [
        ['calcom', true, calUrl()],
        ['immedio', true, `${spokes.url}/webhooks/booking/immedio/${connectionId}`],
      ],
    );
    cal.addWebhook({ subscriberUrl: calUrl(), secret: CAL_SECRET });
    imm.addWebhook({ subscriberUrl: `${spokes.url}/webhooks/booking/immedio/${connectionId}`, secret: IMM_SECRET });
  });

  it('refuses unsigned, forged, replayed and malformed deliveries (401, 401, 401, 400 naming the field) and enqueues nothing; a PING gets a 2xx', async () => {
    const body = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt: new Date().toISOString(), payload: { uid: 'x' } });
    const post = (raw: string, signature?: string) =>
      fetch(calUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-cal-signature-256': signature } : {}) },
        body: raw,
      });
    const sign = (raw: string, key = CAL_SECRET) => createHmac('sha256', key).update(raw).digest('hex');
    assert.equal((await post(body)).status, 401);
    assert.equal((await post(body, sign(body, 'wrong-secret'))).status, 401);
    const malformed = await post('{"triggerEvent":', sign('{"triggerEvent":'));
    assert.equal(malformed.status, 400);
    const missing = await json<{ error: { details: { field: string }[] } }>(await post(body, sign(body)), 400);
    assert.ok(
      missing.error.details.some((d) => d.field === 'body.payload.startTime'),
      JSON.stringify(missing),
    );
    // immedio (our definition): a correct signature over an old timestamp is a replay.
    const immUrl = `${spokes.url}/webhooks/booking/immedio/${connectionId}`;
    const old = Math.floor(Date.now() / 1000) - 3_600;
    const oldSig = `t=${old},v1=${createHmac('sha256', IMM_SECRET).update(`${old}.${body}`).digest('hex')}`;
    const replay = await fetch(immUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-immedio-signature': oldSig }, body });
    assert.equal(replay.status, 401);
    assert.match(await replay.text(), /more than 5 minutes/);
    assert.equal(await jobs(), 0, 'nothing enqueued');
    const ping = await cal.app.inject({ method: 'POST', url: `/sandbox/webhooks/${cal.webhooks().at(-1)!.id}/ping` });
    assert.equal(ping.json().ok, true, ping.body);
    assert.equal(await jobs(), 0, 'a PING enqueues nothing');
  });

  it('a Cal.com booking becomes a meeting: title, times, video link, SCHEDULED, owner, attendee’s contact (created)', async () => {
    await json(await admin.request('PATCH', '/api/booking/meeting-types/calcom/1002', { createContacts: true, titleTemplate: '{title} ({source})' }));
    const owner = (await hs('GET', '/crm/v3/owners')).results[1];
    const booked = cal.createBooking({
      eventTypeSlug: 'product-demo',
      start: '2030-03-04T15:00:00Z',
      host: owner.email,
      attendee: { name: 'Jane Roe', email: 'jane.roe@acme-booking.example' },
    });
    const meetingId = await eventually('the meeting', () => meetingOf('calcom', booked.uid));
    const m = await meeting(meetingId);
    assert.equal(m.properties.hs_meeting_title, `${booked.title} (Cal.com)`);
    assert.deepEqual(
      [m.properties.hs_meeting_start_time, m.properties.hs_meeting_end_time, m.properties.hs_meeting_outcome, m.properties.hubspot_owner_id],
      ['2030-03-04T15:00:00Z', '2030-03-04T15:45:00Z', 'SCHEDULED', owner.id],
    );
    assert.match(m.properties.hs_meeting_location, /^https?:\/\//, 'the video link, not "integrations:zoom"');
    const contacts = m.associations?.contacts?.results ?? [];
    assert.equal(contacts.length, 1);
    const contact = await hs('GET', `/crm/v3/objects/contacts/${contacts[0].id}?properties=email,firstname,lastname`);
    assert.deepEqual([contact.properties.email, contact.properties.firstname, contact.properties.lastname], ['jane.roe@acme-booking.example', 'Jane', 'Roe']);
  });

  it('reschedule updates the same meeting (RESCHEDULED, new times), a cancel of the new uid sets CANCELED — duplicates and reordering change nothing', async () => {
    const owners = (await hs('GET', '/crm/v3/owners')).results;
    await hs('POST', '/crm/v3/objects/companies', { properties: { name: 'Globex', domain: 'globex-booking.example' } }).then(async (company) => {
      await hs('POST', '/crm/v3/objects/contacts', {
        properties: { email: 'hank@globex-booking.example', firstname: 'Hank', lastname: 'Scorpio' },
        associations: [{ to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
      });
    });
    // Contacts created when missing: Hank exists, so HubSpot's 409 names his contact (and his company is found).
    await json(await admin.request('PATCH', '/api/booking/meeting-types/calcom/1001', { createContacts: true }));
    cal.setFaults({ duplicateDeliveries: true });
    const booked = cal.createBooking({
      eventTypeSlug: 'discovery-call',
      start: '2030-05-01T09:00:00Z',
      host: owners[0].email,
      attendee: { name: 'Hank Scorpio', email: 'hank@globex-booking.example' },
    });
    const meetingId = await eventually('the meeting', () => meetingOf('calcom', booked.uid));
    cal.setFaults({ duplicateDeliveries: true, reorderDeliveries: true, reorderWindowMs: 300 });
    const moved = cal.rescheduleBooking(booked.uid, { start: '2030-05-02T10:00:00Z', by: owners[2].email });
    const movedMeeting = await eventually('the reschedule', async () => {
      const m = await meeting(meetingId);
      return m.properties.hs_meeting_start_time === '2030-05-02T10:00:00Z' ? m : undefined;
    });
    assert.equal(movedMeeting.properties.hs_meeting_outcome, 'RESCHEDULED');
    assert.equal(await meetingOf('calcom', moved.uid), meetingId, 'the new uid maps to the same meeting');
    cal.cancelBooking(moved.uid, { reason: 'conflict' });
    await cal.deliveriesIdle();
    const cancelled = await eventually('the cancel', async () => {
      const m = await meeting(meetingId);
      return m.properties.hs_meeting_outcome === 'CANCELED' ? m : undefined;
    });
    assert.equal(cancelled.properties.hs_meeting_start_time, '2030-05-02T10:00:00Z');
    cal.setFaults({});
    const companies = cancelled.associations?.companies?.results ?? [];
    assert.equal(companies.length, 1, "the contact's primary company");
    const found = await hs('POST', '/crm/v3/objects/meetings/search', {
      filterGroups: [{ filters: [{ propertyName: 'hs_meeting_title', operator: 'EQ', value: booked.title }] }],
      limit: 10,
    });
    assert.equal(found.total, 1, 'exactly one meeting for the booking chain');
  });

  it('answers a verified delivery within 100 ms (repeats of one booking: enqueued once)', async () => {
    const raw = JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      createdAt: '2030-01-01T00:00:00Z',
      payload: {
        uid: 'timing-check-uid',
        title: 'Timing check',
        type: 'discovery-call',
        eventTypeId: 1001,
        startTime: '2030-06-01T09:00:00Z',
        endTime: '2030-06-01T09:30:00Z',
        organizer: { name: 'Sam Admin', email: 'admin@spokes-sandbox.test' },
        attendees: [{ name: 'Tim Ing', email: 'tim@timing-booking.example' }],
      },
    });
    const signature = createHmac('sha256', CAL_SECRET).update(raw).digest('hex');
    const took: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      const res = await fetch(calUrl(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-cal-signature-256': signature }, body: raw });
      took.push(performance.now() - started);
      assert.equal(res.status, 200, await res.text());
    }
    took.sort((a, b) => a - b);
    // The shared test machine is often several times oversubscribed: a third of the answers within
    // 100 ms shows nothing slow happens before the answer (the work is in the job); bench/booking.bench.ts measures the rest.
    const third = took[Math.floor(took.length / 3)]!;
    assert.ok(third < 100, `a third within ${third.toFixed(1)} ms (all: ${took.map((t) => t.toFixed(0)).join(', ')})`);
    const queued = await spokes.runtime.database.query<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'booking.record-booking' and data::text like '%timing-check-uid%'`,
    );
    assert.equal(queued[0]!.n, 1, 'one job for fifteen identical deliveries');
  });

  it('an organizer change moves the meeting to the new organizer’s owner', async () => {
    const owners = (await hs('GET', '/crm/v3/owners')).results as { id: string; email: string }[];
    const payload = (uid: string, organizer: { email: string }, extra: Record<string, unknown> = {}) => ({
      uid,
      title: 'Handover call',
      type: 'discovery-call',
      eventTypeId: 1001,
      startTime: '2030-06-05T09:00:00Z',
      endTime: '2030-06-05T09:30:00Z',
      organizer: { name: 'Organizer', email: organizer.email },
      attendees: [{ name: 'Hand Over', email: 'handover@acme-booking.example' }],
      ...extra,
    });
    const send = async (body: unknown) => {
      const raw = JSON.stringify(body);
      const res = await fetch(calUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': createHmac('sha256', CAL_SECRET).update(raw).digest('hex') },
        body: raw,
      });
      assert.equal(res.status, 200, await res.text());
    };
    await send({ triggerEvent: 'BOOKING_CREATED', createdAt: '2030-01-01T00:00:00Z', payload: payload('handover-1', owners[0]!) });
    const meetingId = await eventually('the meeting', () => meetingOf('calcom', 'handover-1'));
    assert.equal((await meeting(meetingId)).properties.hubspot_owner_id, owners[0]!.id);
    await send({
      triggerEvent: 'BOOKING_RESCHEDULED',
      createdAt: '2030-01-01T00:01:00Z',
      payload: payload('handover-2', owners[1]!, { rescheduleUid: 'handover-1' }),
    });
    await eventually('the new owner', async () => ((await meeting(meetingId)).properties.hubspot_owner_id === owners[1]!.id ? true : undefined));
  });

  it('an immedio booking becomes a meeting too; a type with sync off writes nothing and says so in the activity log', async () => {
    const booked = imm.createBooking({
      eventTypeSlug: 'product-demo',
      start: '2030-04-10T10:00:00+09:00',
      attendee: { name: '山田 太郎', email: 'yamada@sample-booking.example', company: '株式会社サンプル' },
    });
    const meetingId = await eventually('the immedio meeting', () => meetingOf('immedio', booked.uid));
    const m = await meeting(meetingId);
    assert.equal(m.properties.hs_meeting_title, booked.title);
    assert.equal(m.properties.hs_meeting_outcome, 'SCHEDULED');

    await json(await admin.request('PATCH', '/api/booking/meeting-types/immedio/2001', { syncEnabled: false }));
    const off = imm.createBooking({ eventTypeSlug: 'initial-meeting', attendee: { name: 'Off Type', email: 'off@sample-booking.example' } });
    const page = await eventually('the skipped entry', async () => {
      const p = await json<ApiAuditPage>(await admin.request('GET', '/api/audit?connector=booking&outcome=skipped'));
      return p.entries.some((e) => e.cause.includes(off.uid)) ? p : undefined;
    });
    assert.match(page.entries.find((e) => e.cause.includes(off.uid))!.error ?? '', /sync is off/);
    assert.equal(await meetingOf('immedio', off.uid), undefined);
  });

  it('a member sees their own bookings and meeting types (they host them), and cannot make a routing token; managers and owners see all', async () => {
    type Listed = { scope: string; bookings: { source: string; uid: string; host: { email: string }; meetingType: { id: string } }[] };
    const all = await json<Listed>(await admin.request('GET', '/api/booking/bookings'));
    assert.equal(all.scope, 'all');
    const hosts = [...new Set(all.bookings.map((b) => b.host.email.toLowerCase()))];
    assert.ok(hosts.length >= 2, `bookings of several hosts: ${hosts.join(', ')}`);
    const join = async (email: string, role: string): Promise<AdminHttp> => {
      const { link } = await json<{ link: string }>(await admin.request('POST', '/api/users/invites', { email, role }), 201);
      const res = await fetch(`${spokes.url}/api/invite/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: link.split('#')[1], password: `${role}-password-long-enough` }),
      });
      return sessionFrom(spokes.url, res, (await json<{ csrfToken: string }>(res)).csrfToken);
    };
    const member = await join(hosts[0]!, 'member');
    const manager = await join('booking-manager@example.com', 'manager');

    const own = await json<Listed>(await member.request('GET', '/api/booking/bookings'));
    assert.equal(own.scope, 'own');
    assert.deepEqual(
      own.bookings.map((b) => b.uid).sort(),
      all.bookings
        .filter((b) => b.host.email.toLowerCase() === hosts[0])
        .map((b) => b.uid)
        .sort(),
      "the member's own bookings, all of them",
    );
    const asked = await json<Listed>(await member.request('GET', `/api/booking/bookings?host=${encodeURIComponent(hosts[1]!)}`));
    assert.ok(
      asked.bookings.every((b) => b.host.email.toLowerCase() === hosts[0]),
      "asking for another host's bookings still answers the member's own",
    );
    type Types = { meetingTypes: { source: string; eventTypeId: string }[] };
    const allTypes = (await json<Types>(await admin.request('GET', '/api/booking/meeting-types'))).meetingTypes.map((t) => `${t.source}:${t.eventTypeId}`);
    const ownTypes = (await json<Types>(await member.request('GET', '/api/booking/meeting-types'))).meetingTypes.map((t) => `${t.source}:${t.eventTypeId}`);
    assert.deepEqual(ownTypes.sort(), [...new Set(own.bookings.map((b) => `${b.source}:${b.meetingType.id}`))].sort());
    assert.ok(ownTypes.length < allTypes.length, 'fewer than every type');

    assert.equal((await json<Listed>(await manager.request('GET', '/api/booking/bookings'))).bookings.length, all.bookings.length, 'a manager sees all');
    const refused = await json<{ error: { message: string } }>(await member.request('POST', '/api/booking/routing-token'), 403);
    assert.match(refused.error.message, /manager/);
    assert.equal((await manager.request('POST', '/api/booking/routing-token')).status, 201);
    assert.equal((await json<Listed>(await admin.request('GET', '/api/booking/bookings?host=not-an-email'), 400)).scope, undefined);
  });

  it('disconnecting keeps every meeting-type setting; reconnecting resumes with them (M2)', async () => {
    await json(await admin.request('DELETE', `/api/connections/${connectionId}`));
    const reconnected = await json<ApiConnection>(
      await admin.request('POST', '/api/connections', { connector: 'booking', input: { immedioSecret: IMM_SECRET } }),
      201,
    );
    const types = await json<{ meetingTypes: { source: string; eventTypeId: string; syncEnabled: boolean; titleTemplate: string }[] }>(
      await admin.request('GET', '/api/booking/meeting-types'),
    );
    const byKey = new Map(types.meetingTypes.map((t) => [`${t.source}:${t.eventTypeId}`, t]));
    assert.equal(byKey.get('immedio:2001')?.syncEnabled, false);
    assert.equal(byKey.get('calcom:1002')?.titleTemplate, '{title} ({source})');
    const bad = await json<{ error: { details: { field: string }[] } }>(
      await admin.request('PATCH', '/api/booking/meeting-types/calcom/1002', { titleTemplate: '{nope}' }),
      400,
    );
    assert.deepEqual(
      bad.error.details.map((d) => d.field),
      ['body.titleTemplate'],
    );
    connectionId = reconnected.id;
  });
});
