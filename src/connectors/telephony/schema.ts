/**
 * The telephony connector's tables: the PBX connection and its settings, the
 * user ↔ extension bindings (T3), one row per call Spokes logs (the exactly-once
 * ledger of T8), the contacts it auto-created (T5), the CRM-owned phonebook
 * entries it maintains (T4) and the per-record sync errors.
 */
import { pgTable, text, jsonb, timestamp, boolean, integer, bigint, serial, index, primaryKey } from 'drizzle-orm/pg-core';

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
export const extensionBindings = pgTable('extension_bindings', {
  extension: text('extension').primaryKey(),
  ownerId: text('owner_id').notNull(),
  ownerEmail: text('owner_email'),
  ownerName: text('owner_name'),
  /** HubSpot user id (differs from the owner id): what the calling widget's host sends. */
  userId: bigint('user_id', { mode: 'number' }),
  source: text('source', { enum: ['auto', 'manual'] }).notNull(),
  boundAt: timestamp('bound_at', { withTimezone: true }).defaultNow().notNull(),
}, (t) => [index('extension_bindings_owner').on(t.ownerId)]);

/**
 * One row per finished call, keyed by the CDR's id: written before the engagement
 * is created ('writing') and completed with its HubSpot id ('logged'), so a
 * replay, a duplicate or a retry after a crash never creates a second one.
 */
export const callLogs = pgTable('call_logs', {
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
  /** The PBX's reference to the call's recording (for the signed Spokes link); null when not recorded. */
  recordingRef: text('recording_ref'),
  /** writing → logged, or skipped (internal, unbound, disabled) with `detail`. */
  state: text('state', { enum: ['writing', 'logged', 'skipped'] }).notNull(),
  detail: text('detail'),
  /** 'cdr' (logged from the PBX's record) or 'widget' (created in HubSpot by the calling widget, completed from the CDR). */
  source: text('source').notNull().default('cdr'),
  writingSince: timestamp('writing_since', { withTimezone: true }),
  loggedAt: timestamp('logged_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
}, (t) => [index('call_logs_call_id').on(t.callId), index('call_logs_created_at').on(t.createdAt)]);

/** T5: numbers Spokes created a contact for, so two simultaneous calls create one. */
export const autoCreatedContacts = pgTable('auto_created_contacts', {
  e164: text('e164').primaryKey(),
  contactId: text('contact_id'),
  claimedAt: timestamp('claimed_at', { withTimezone: true }).defaultNow().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }),
});

/** T4: a CRM record Spokes copied into the CRM-owned PBX phonebook. */
export const phonebookEntries = pgTable('phonebook_entries', {
  objectType: text('object_type', { enum: ['contact', 'company'] }).notNull(),
  objectId: text('object_id').notNull(),
  pbxContactId: text('pbx_contact_id').notNull(),
  /** Hash of the values last written, to tell a PBX-side edit from a CRM change. */
  syncedHash: text('synced_hash').notNull(),
  syncedAt: timestamp('synced_at', { withTimezone: true }).defaultNow().notNull(),
}, (t) => [primaryKey({ columns: [t.objectType, t.objectId] })]);

/** Records that could not be synced, with the reason (T4), shown on the admin page. */
export const telephonySyncErrors = pgTable('telephony_sync_errors', {
  id: serial('id').primaryKey(),
  kind: text('kind').notNull(),
  objectType: text('object_type'),
  objectId: text('object_id'),
  reason: text('reason').notNull(),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).defaultNow().notNull(),
}, (t) => [index('telephony_sync_errors_record').on(t.kind, t.objectType, t.objectId)]);
