/**
 * The booking connector's own tables (issue 14). None references the
 * connection: meeting-type settings and the property-sync settings outlive a
 * disconnect (M2), and what a booking chain became in HubSpot is remembered
 * across a reconnect, so an old booking's cancel still finds its meeting.
 */
import { sql } from 'drizzle-orm';
import { pgTable, text, jsonb, timestamp, boolean, index, primaryKey, bigint } from 'drizzle-orm/pg-core';

/** Per meeting type (Cal.com event type, immedio 面談タイプ): HubSpot sync on or off (M4), and its templates. */
export const bookingMeetingTypes = pgTable(
  'booking_meeting_types',
  {
    /** `calcom` or `immedio`. */
    source: text('source').notNull(),
    /** The event type's id at the source, as text. */
    eventTypeId: text('event_type_id').notNull(),
    name: text('name').notNull(),
    slug: text('slug').notNull().default(''),
    syncEnabled: boolean('sync_enabled').notNull(),
    /** Create the attendee's contact when HubSpot has none with that e-mail. */
    createContacts: boolean('create_contacts').notNull(),
    titleTemplate: text('title_template').notNull(),
    bodyTemplate: text('body_template').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.eventTypeId] })],
);

/**
 * Every booking uid seen, with the facts that only ever accumulate: which booking it was
 * rescheduled to, whether it was cancelled, its latest details. `rootUid` is the first booking
 * of its reschedule chain: the one HubSpot meeting of the chain is keyed by it.
 */
export const bookingBookings = pgTable(
  'booking_bookings',
  {
    source: text('source').notNull(),
    uid: text('uid').notNull(),
    rootUid: text('root_uid').notNull(),
    rescheduledTo: text('rescheduled_to'),
    cancelled: boolean('cancelled').notNull().default(false),
    /** The normalized booking (null: known only as the original of a reschedule, or from a cancel). */
    details: jsonb('details').$type<unknown>(),
    /** When the source said the details changed (the envelope's `createdAt`): older deliveries do not overwrite. */
    detailsAt: timestamp('details_at', { withTimezone: true }),
    /** The chain's HubSpot meeting (on the root's row only). */
    meetingId: text('meeting_id'),
    /** Hash of the meeting's properties last written. */
    meetingHash: text('meeting_hash'),
    /** Set while a worker creates the chain's meeting: another one waits instead of creating a second. */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.uid] }), index('booking_bookings_root').on(t.source, t.rootUid)],
);

/** The property sync's settings and state (M5–M7): one row, `id = 'default'`. */
export const bookingPropertySync = pgTable('booking_property_sync', {
  id: text('id').primaryKey(),
  contactProperties: jsonb('contact_properties').$type<string[]>().notNull(),
  companyProperties: jsonb('company_properties').$type<string[]>().notNull(),
  /** The last sync test: `{ at, missing: [{ objectType, name }] }`. */
  testResult: jsonb('test_result').$type<unknown>(),
  runningSince: timestamp('running_since', { withTimezone: true }),
  runningMode: text('running_mode'),
  lastRun: jsonb('last_run').$type<unknown>(),
  lastManualAt: timestamp('last_manual_at', { withTimezone: true }),
  /** HubSpot's owners, read at each sync: the routing API answers an owner without calling HubSpot. */
  owners: jsonb('owners').$type<unknown>(),
  /** The routing API token for machine callers: its SHA-256 (hex) only; the token is shown once. */
  routingTokenHash: text('routing_token_hash'),
  routingTokenCreatedAt: timestamp('routing_token_created_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
});

/**
 * The synced values of every HubSpot contact and company (M5), for the routing API: contacts by
 * e-mail, companies by domain. `fullRun` marks the last full sync that saw the row: a full sync
 * deletes the rows it did not see (records deleted or merged in HubSpot).
 */
export const bookingCrmValues = pgTable(
  'booking_crm_values',
  {
    objectType: text('object_type', { enum: ['contact', 'company'] }).notNull(),
    hubspotId: text('hubspot_id').notNull(),
    /** Lower-case e-mail (contacts) or domain (companies). */
    lookupKey: text('lookup_key'),
    ownerId: text('owner_id'),
    /** A contact's primary company. */
    companyId: text('company_id'),
    properties: jsonb('properties').$type<Record<string, string | null>>().notNull(),
    modifiedAt: timestamp('modified_at', { withTimezone: true }),
    fullRun: bigint('full_run', { mode: 'number' }),
    syncedAt: timestamp('synced_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.objectType, t.hubspotId] }),
    index('booking_crm_values_lookup').on(t.objectType, t.lookupKey).where(sql`${t.lookupKey} is not null`),
  ],
);
