/**
 * The telephony connector's tables: the PBX connection and its settings, the
 * user ↔ extension bindings (T3), one row per call Spokes logs (the exactly-once
 * ledger of T8), the contacts it auto-created (T5), the CRM-owned phonebook
 * entries it maintains (T4) and the per-record sync errors.
 */
import { sql } from 'drizzle-orm';
import { pgTable, text, jsonb, timestamp, boolean, bigint, serial, index, primaryKey, uniqueIndex, customType } from 'drizzle-orm/pg-core';

/** PostgreSQL's full-text search document (built into both engines: no extension needed). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** One PBX per installation, id `default`. */
export const pbxConnection = pgTable('pbx_connection', {
  id: text('id').primaryKey(),
  vendor: text('vendor').notNull(),
  baseUrl: text('base_url').notNull(),
  clientId: text('client_id').notNull(),
  clientSecretSealed: text('client_secret_sealed').notNull(),
  webhookSecretSealed: text('webhook_secret_sealed'),
  /** What the PBX said about itself when connected (model, firmware, serial, UTC offset). */
  pbxInfo: jsonb('pbx_info').$type<Record<string, unknown>>().notNull(),
  /** T9: the "Enable HubSpot integration" switch. */
  enabled: boolean('enabled').notNull().default(false),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  /** Health of the event stream, for the admin page. */
  streamState: text('stream_state').notNull().default('disconnected'),
  lastError: text('last_error'),
  /** Checkpoint: events are known to have flowed until here (a restart back-fills from it). */
  eventsSeenUntil: timestamp('events_seen_until', { withTimezone: true }),
  /** Calls that ended before this moment were made while the integration was disabled or not yet on: never back-filled. */
  loggingSince: timestamp('logging_since', { withTimezone: true }),
  connectedAt: timestamp('connected_at', { withTimezone: true }).defaultNow().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
});

/** T3: which HubSpot user (owner) works on which extension. */
export const extensionBindings = pgTable(
  'extension_bindings',
  {
    extension: text('extension').primaryKey(),
    ownerId: text('owner_id').notNull(),
    ownerEmail: text('owner_email'),
    ownerName: text('owner_name'),
    /** HubSpot user id (differs from the owner id): what the calling widget's host sends. */
    userId: bigint('user_id', { mode: 'number' }),
    source: text('source', { enum: ['auto', 'manual'] }).notNull(),
    boundAt: timestamp('bound_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [index('extension_bindings_owner').on(t.ownerId)],
);

/**
 * One row per finished call, keyed by the CDR's id: written before the engagement
 * is created ('writing') and completed with its HubSpot id ('logged'), so a
 * replay, a duplicate or a retry after a crash never creates a second one.
 */
export const callLogs = pgTable(
  'call_logs',
  {
    cdrId: text('cdr_id').primaryKey(),
    callId: text('call_id'),
    direction: text('direction').notNull(),
    status: text('status').notNull(),
    extension: text('extension'),
    externalNumber: text('external_number'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** bigint: an int4 of milliseconds ends at 24.8 days, and a PBX record is not ours to trust (durations are bounded at the edge too). */
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
    ownerId: text('owner_id'),
    contactId: text('contact_id'),
    companyId: text('company_id'),
    engagementId: text('engagement_id'),
    /** The `hs_call_external_id` Spokes wrote (call-record.ts `externalIdOf`): HubSpot asks for a recording by it. */
    externalId: text('external_id'),
    /** The PBX's reference to the call's recording (for the signed Spokes link); null when not recorded. */
    recordingRef: text('recording_ref'),
    /**
     * writing → logged; or skipped (internal, unbound) with the reason in `detail`; or retrying (an
     * attempt failed and another is due) and failed (the job gave up: a dead letter) with the last
     * error in `detail`. A retrying or failed row with no `writingSince` was never claimed: no
     * engagement can exist for it.
     */
    state: text('state', { enum: ['writing', 'logged', 'skipped', 'retrying', 'failed'] }).notNull(),
    detail: text('detail'),
    /** The log-call job's idempotency key (`recordKey`): its job id, for the call history's retry. Null on rows from before it was kept. */
    recordKey: text('record_key'),
    /** Who the call was with, as Spokes knew them when it logged the call (contact or company name): what the history searches. */
    contactName: text('contact_name'),
    /**
     * The call history's search document: the words of the name and every digit suffix of the number
     * (of three digits or more), so a prefix query finds a name by its first letters and a number by
     * any part of it, through the GIN index (call_search_vector() comes with the migration).
     */
    search: tsvector('search').generatedAlwaysAs(sql`call_search_vector(contact_name, external_number)`),
    /** 'cdr' (Spokes created the engagement) or 'widget' (the calling widget had HubSpot create it; Spokes completed it). */
    source: text('source').notNull().default('cdr'),
    writingSince: timestamp('writing_since', { withTimezone: true }),
    loggedAt: timestamp('logged_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [
    index('call_logs_call_id').on(t.callId),
    index('call_logs_created_at').on(t.createdAt),
    // The call history (read backwards: newest first), paged by (started_at, cdr_id); by user; by direction (internal
    // calls are rare); the calls not logged; search.
    index('call_logs_started').on(t.startedAt, t.cdrId),
    index('call_logs_owner_started').on(t.ownerId, t.startedAt, t.cdrId),
    index('call_logs_direction_started').on(t.direction, t.startedAt, t.cdrId),
    index('call_logs_not_logged_started').on(t.startedAt, t.cdrId).where(sql`state <> 'logged'`),
    index('call_logs_search').using('gin', t.search),
    index('call_logs_external_id').on(t.externalId),
  ],
);

/** T5: numbers Spokes created a contact for, so two simultaneous calls create one. */
export const autoCreatedContacts = pgTable('auto_created_contacts', {
  e164: text('e164').primaryKey(),
  contactId: text('contact_id'),
  claimedAt: timestamp('claimed_at', { withTimezone: true }).defaultNow().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }),
});

/** T4: a CRM record Spokes copied into the CRM-owned PBX phonebook. */
export const phonebookEntries = pgTable(
  'phonebook_entries',
  {
    objectType: text('object_type', { enum: ['contact', 'company'] }).notNull(),
    objectId: text('object_id').notNull(),
    pbxContactId: text('pbx_contact_id').notNull(),
    /** Hash of the values last written, to tell a PBX-side edit from a CRM change. */
    syncedHash: text('synced_hash').notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [primaryKey({ columns: [t.objectType, t.objectId] })],
);

/** Records that could not be synced, with the reason (T4), shown on the admin page. */
export const telephonySyncErrors = pgTable(
  'telephony_sync_errors',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').notNull(),
    objectType: text('object_type'),
    objectId: text('object_id'),
    reason: text('reason').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [index('telephony_sync_errors_record').on(t.kind, t.objectType, t.objectId)],
);

/**
 * A call a salesperson's calling widget took part in (C2–C4), per HubSpot owner: claimed when
 * the widget dials it or announces it to HubSpot (before HubSpot creates an engagement), then
 * the engagement HubSpot created for it (checked against HubSpot), and the wrap-up — notes and
 * outcome — until saved or dismissed, so a reload or another tab shows it again. The call
 * logger completes the engagement from the PBX's record; `logged` keeps what it wrote.
 */
export const agentCalls = pgTable(
  'agent_calls',
  {
    callId: text('call_id').notNull(),
    ownerId: text('owner_id').notNull(),
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
    externalNumber: text('external_number'),
    extension: text('extension').notNull(),
    engagementId: text('engagement_id'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).defaultNow().notNull(),
    /** The widget's view of the call for its wrap-up screen (who, when answered and ended, how it ended). */
    view: jsonb('view').$type<Record<string, unknown>>(),
    /** open → saved | dismissed. */
    wrapUp: text('wrap_up', { enum: ['open', 'saved', 'dismissed'] })
      .notNull()
      .default('open'),
    notes: text('notes').notNull().default(''),
    disposition: text('disposition'),
    savedAt: timestamp('saved_at', { withTimezone: true }),
    /** The properties the call logger wrote from the PBX's record (a wrap-up saved later is added to them). */
    logged: jsonb('logged').$type<Record<string, string>>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.callId, t.ownerId] }),
    // One engagement is one call's: nothing attaches it to another.
    uniqueIndex('agent_calls_engagement').on(t.engagementId),
    index('agent_calls_owner').on(t.ownerId, t.wrapUp),
  ],
);

/**
 * "Sign in with HubSpot" for the calling widget: the sign-in window finishes here and the widget
 * collects the session with the secret only it holds (its hash is the key). Short-lived, single use.
 */
export const agentSignIns = pgTable('agent_sign_ins', {
  handoffHash: text('handoff_hash').primaryKey(),
  ownerId: text('owner_id'),
  /** Why it failed (not_bound, wrong_portal…), shown by the widget. */
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  collectedAt: timestamp('collected_at', { withTimezone: true }),
});
