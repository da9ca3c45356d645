/**
 * The telephony connector's own tables: the user ↔ extension bindings (T3), one
 * row per call Spokes logs (the exactly-once ledger of T8), the contacts it
 * auto-created (T5), the calling widget's calls and sign-ins. Its connection,
 * the phonebook entries it maintains (T4) and its sync errors live in the
 * platform's tables (connections, record links, sync errors).
 */
import { sql } from 'drizzle-orm';
import { pgTable, text, jsonb, timestamp, bigint, index, primaryKey, uniqueIndex, customType } from 'drizzle-orm/pg-core';

/** PostgreSQL's full-text search document (built into both engines: no extension needed). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

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
  /** The running Spokes process that holds the claim (a random id per start). */
  claimedBy: text('claimed_by'),
  createdAt: timestamp('created_at', { withTimezone: true }),
});

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
