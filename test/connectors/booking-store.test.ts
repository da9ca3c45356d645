/**
 * The booking connector's storage on both engines: booking chains built from
 * deliveries in any order and any number of times (a reschedule before its
 * original, a cancel before its reschedule, two chains found to be one),
 * meeting-type defaults and upserts, the property sync's run lock and the
 * manual sync's 2-hour rule, and the routing look-up.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { Bookings } from '../../src/connectors/booking/bookings.ts';
import { MeetingTypes } from '../../src/connectors/booking/meeting-types.ts';
import { PropertyStore } from '../../src/connectors/booking/property-store.ts';
import type { BookingEvent, BookingTrigger } from '../../src/connectors/booking/payloads.ts';
import { engines, createTestDatabase, type TestDatabase } from '../support/databases.ts';

const event = (trigger: BookingTrigger, uid: string, at: string, opts: { previousUid?: string; start?: string } = {}): BookingEvent => ({
  source: 'calcom',
  trigger,
  at,
  uid,
  previousUid: opts.previousUid ?? null,
  details: {
    title: `Booking ${uid}`,
    eventTypeId: '1001',
    eventTypeSlug: 'discovery-call',
    eventTypeName: 'Discovery Call',
    start: opts.start ?? '2030-01-01T09:00:00.000Z',
    end: '2030-01-01T09:30:00.000Z',
    organizer: { name: 'Sam', email: 'sam@example.com' },
    attendee: { name: 'Jane', email: 'jane@example.com', phone: null },
    location: 'Cal Video',
    videoCallUrl: trigger === 'BOOKING_CANCELLED' ? null : `https://cal.example/video/${uid}`,
    notes: '',
    company: null,
  },
});

for (const engine of engines) {
  describe(`booking storage on ${engine}`, () => {
    let t: TestDatabase;
    let database: Database;
    let bookings: Bookings;
    before(async () => {
      t = await createTestDatabase(engine);
      database = await openDatabase(t);
      await applyMigrations(database);
      bookings = new Bookings(database.db);
    });
    after(async () => {
      await database?.close();
      await t?.drop();
    });

    it('a reschedule arriving before its original, a cancel before its reschedule, repeats: one chain, the latest booking, cancelled', async () => {
      const cancel = event('BOOKING_CANCELLED', 'b2', '2030-01-01T00:03:00Z');
      assert.equal((await bookings.record(cancel)).rootUid, 'b2', 'not known yet: its own root');
      const moved = event('BOOKING_RESCHEDULED', 'b2', '2030-01-01T00:02:00Z', { previousUid: 'b1', start: '2030-01-02T09:00:00.000Z' });
      assert.deepEqual(await bookings.record(moved), { rootUid: 'b1', absorbedMeetingId: null });
      for (const e of [event('BOOKING_CREATED', 'b1', '2030-01-01T00:01:00Z'), moved, cancel]) assert.equal((await bookings.record(e)).rootUid, 'b1');
      const chain = (await bookings.chain('calcom', 'b1'))!;
      assert.deepEqual([chain.root.uid, chain.current.uid, chain.length, chain.current.cancelled], ['b1', 'b2', 2, true]);
      assert.equal(chain.current.details?.start, '2030-01-02T09:00:00.000Z', "the reschedule's details");
      assert.equal(chain.current.details?.videoCallUrl, 'https://cal.example/video/b2', 'a cancel keeps the video link');
    });

    it('two chains found to be one keep one meeting: the absorbed one is handed back to archive', async () => {
      await bookings.record(event('BOOKING_CREATED', 'c1', '2030-01-01T00:01:00Z'));
      await bookings.setMeeting('calcom', 'c1', 'm-1', 'h1');
      await bookings.record(event('BOOKING_RESCHEDULED', 'c3', '2030-01-01T00:03:00Z', { previousUid: 'c2' }));
      await bookings.setMeeting('calcom', 'c2', 'm-2', 'h2');
      const joined = await bookings.record(event('BOOKING_RESCHEDULED', 'c2', '2030-01-01T00:02:00Z', { previousUid: 'c1' }));
      assert.deepEqual(joined, { rootUid: 'c1', absorbedMeetingId: 'm-2' });
      const chain = (await bookings.chain('calcom', 'c1'))!;
      assert.deepEqual([chain.root.meetingId, chain.current.uid, chain.length], ['m-1', 'c3', 3]);
      assert.equal(await bookings.rootOf('calcom', 'c3'), 'c1');
    });

    it('one worker at a time may create a chain’s meeting', async () => {
      await bookings.record(event('BOOKING_CREATED', 'd1', '2030-01-01T00:01:00Z'));
      assert.equal(await bookings.claim('calcom', 'd1'), true);
      assert.equal(await bookings.claim('calcom', 'd1'), false);
      await bookings.release('calcom', 'd1');
      assert.equal(await bookings.claim('calcom', 'd1'), true);
      await bookings.setMeeting('calcom', 'd1', 'm-d', 'h');
      assert.equal(await bookings.claim('calcom', 'd1'), false, 'it has its meeting');
    });

    it('meeting types: a type first seen gets sync on; an update of an unknown type adds it; settings stay', async () => {
      const types = new MeetingTypes(database.db);
      const seen = await types.forBooking('calcom', event('BOOKING_CREATED', 'x', '2030-01-01T00:00:00Z').details);
      assert.deepEqual([seen.syncEnabled, seen.createContacts, seen.titleTemplate], [true, false, '{title}']);
      await types.update('immedio', '2001', { syncEnabled: false });
      await types.ensure('immedio', { id: '2001', slug: 'initial-meeting', name: '初回商談' }, { syncEnabled: true, createContacts: true });
      assert.equal((await types.get('immedio', '2001'))?.syncEnabled, false, 'ensure keeps what the admin chose');
    });

    it('property sync: one run at a time, a manual sync once every 2 hours; routing by e-mail and domain', async () => {
      const store = new PropertyStore(database.db);
      assert.equal(await store.begin('full'), true);
      assert.equal(await store.begin('incremental'), false);
      assert.equal(await store.claimManual(), false, 'never while one runs');
      assert.match(store.manualAllowed(await store.state()).reason ?? '', /running/);
      await store.finish({ mode: 'full', trigger: 'schedule', startedAt: '', finishedAt: '', contacts: 0, companies: 0, removed: 0, requests: 0 }, [
        { id: '7', email: 'owner@example.com', name: 'Olive Owner' },
      ]);
      assert.equal(await store.claimManual(), true);
      assert.equal(await store.claimManual(), false);
      assert.ok(store.manualAllowed(await store.state()).nextAllowedAt);
      const now = new Date();
      await store.upsert([
        {
          objectType: 'company',
          hubspotId: '10',
          lookupKey: 'acme.example',
          ownerId: '7',
          companyId: null,
          properties: { numberofemployees: '250' },
          fullRun: 1,
          syncedAt: now,
        },
        {
          objectType: 'contact',
          hubspotId: '20',
          lookupKey: 'jane@acme.example',
          ownerId: null,
          companyId: '10',
          properties: { country: 'JP' },
          fullRun: 1,
          syncedAt: now,
        },
      ]);
      const r = await store.route({ email: 'Jane@Acme.example' });
      assert.deepEqual(
        [r.contact?.id, r.company?.properties.numberofemployees, r.owner],
        ['20', '250', { id: '7', email: 'owner@example.com', name: 'Olive Owner' }],
      );
      assert.equal((await store.route({ email: 'nobody@acme.example' })).company?.id, '10', "an unknown person: the e-mail's domain");
      assert.equal((await store.route({ domain: 'https://www.ACME.example/about' })).company?.id, '10');
    });
  });
}
