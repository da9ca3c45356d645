/**
 * The storage every sync uses (issue 11): which remote record is which
 * HubSpot record (record links), how far each sync has read (checkpoints),
 * the records that failed and how to retry them (sync errors), and the audit
 * log of every write Spokes makes to HubSpot or to a remote system.
 */
import { sql } from 'drizzle-orm';
import { pgTable, text, jsonb, timestamp, integer, bigserial, index, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import { connections } from '../connections/schema.ts';

export const LINK_STATES = ['synced', 'excluded', 'failing'] as const;
export type LinkState = (typeof LINK_STATES)[number];

/** One remote record ↔ one HubSpot record, per connection and object type. Gone with its connection. */
export const recordLinks = pgTable(
  'record_links',
  {
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    /** The sync's object type (`contact`, `company`, `card`…). */
    objectType: text('object_type').notNull(),
    remoteId: text('remote_id').notNull(),
    /** Null until the HubSpot record exists (an excluded or failing record may never get one). */
    hubspotId: text('hubspot_id'),
    state: text('state', { enum: LINK_STATES }).notNull(),
    reason: text('reason'),
    /** Failed attempts since the last success. */
    attempts: integer('attempts').notNull().default(0),
    /** Hash of the values last written to HubSpot: a HubSpot change that differs is someone else's edit. */
    hashToHubspot: text('hash_to_hubspot'),
    /** Hash of the values last written to the remote system. */
    hashToRemote: text('hash_to_remote'),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.objectType, t.remoteId] }),
    uniqueIndex('record_links_hubspot').on(t.connectionId, t.objectType, t.hubspotId).where(sql`${t.hubspotId} is not null`),
    index('record_links_unsynced').on(t.connectionId, t.state).where(sql`${t.state} <> 'synced'`),
  ],
);

/** How far a sync has read, one JSON value per connection and sync name (zod-validated on read). */
export const checkpoints = pgTable(
  'checkpoints',
  {
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    value: jsonb('value').$type<unknown>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.name] })],
);

/** A record (or a whole run) that could not be synced, with the reason and how to retry it (X3, S8). */
export const syncErrors = pgTable(
  'sync_errors',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    /** `validation` (fix the record), `rejected` (the remote said no), `auth`, `limit`, `conflict`, `internal`. */
    category: text('category').notNull(),
    /** The record, when the error is about one: its object type and id. Empty strings for run-level errors. */
    objectType: text('object_type').notNull().default(''),
    recordId: text('record_id').notNull().default(''),
    reason: text('reason').notNull(),
    /** What "Retry" does: a job (by name) and its payload, enqueued as declared by the connector. */
    retryJob: text('retry_job'),
    retryPayload: jsonb('retry_payload').$type<unknown>(),
    /** How many times this error happened since it was first seen (it stays one row until resolved). */
    occurrences: integer('occurrences').notNull().default(1),
    firstOccurredAt: timestamp('first_occurred_at', { withTimezone: true }).defaultNow().notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).defaultNow().notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    // One open error per record and category: the same failure again bumps it instead of adding a row.
    uniqueIndex('sync_errors_open').on(t.connectionId, t.category, t.objectType, t.recordId).where(sql`${t.resolvedAt} is null`),
    index('sync_errors_connection').on(t.connectionId, t.occurredAt),
  ],
);

export const AUDIT_OUTCOMES = ['succeeded', 'failed', 'skipped'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Every write Spokes makes to HubSpot or to a remote system (X3), kept
 * `SPOKES_AUDIT_RETENTION_DAYS` (a daily job prunes older rows). Not tied to
 * the connection by a foreign key: the history outlives a disconnect.
 *
 * Indexes: the Activity page lists newest first, filtered by any of connector,
 * object type and outcome and a time range, and pages by keyset
 * `(occurred_at, id)`. Each combination of those filters has an index whose
 * leading columns are exactly its filters, followed by `(occurred_at, id)`
 * (scanned backwards for newest first) — for a rare outcome a small partial
 * one — so a page is an index range scan whatever the table's size, even when
 * nothing matches (bench/audit-log.bench.ts: 1,000,000 rows). The API's
 * `connection` filter has its own index; combined with others it filters
 * that connection's rows.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).defaultNow().notNull(),
    /** The connector that wrote (`telephony`…), or `hubspot` for Spokes' own HubSpot upkeep. */
    connector: text('connector').notNull(),
    connectionId: text('connection_id'),
    /** The system written to: `hubspot`, or the remote system (`yeastar`, `salesforce`, `sansan`…). */
    target: text('target').notNull(),
    objectType: text('object_type').notNull(),
    /** Null when a create failed before the system gave an id. */
    objectId: text('object_id'),
    /** `create`, `update`, `delete`, `associate`… */
    operation: text('operation').notNull(),
    /** What caused the write: `event` (a webhook, a PBX event), `record` (a synced record), `rule`, `schedule` or `person`. */
    causeType: text('cause_type').notNull(),
    /** Which one: the event id, the record (`card 123`), the rule's name, the admin action. */
    cause: text('cause').notNull(),
    idempotencyKey: text('idempotency_key'),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    error: text('error'),
    /** Who, when a person caused the write (an admin's action, a salesperson's click). */
    actor: text('actor'),
  },
  (t) => [
    index('audit_log_time').on(t.occurredAt, t.id),
    index('audit_log_connector').on(t.connector, t.occurredAt, t.id),
    index('audit_log_connection').on(t.connectionId, t.occurredAt, t.id),
    index('audit_log_object').on(t.objectType, t.occurredAt, t.id),
    index('audit_log_connector_object').on(t.connector, t.objectType, t.occurredAt, t.id),
    // Failed and skipped writes are a few per cent: small partial indexes make every filter with a rare
    // outcome a range scan too ("succeeded" barely filters, so the indexes above serve it).
    index('audit_log_rare_outcome').on(t.outcome, t.occurredAt, t.id).where(sql`${t.outcome} <> 'succeeded'`),
    index('audit_log_connector_rare_outcome').on(t.connector, t.outcome, t.occurredAt, t.id).where(sql`${t.outcome} <> 'succeeded'`),
    index('audit_log_object_rare_outcome').on(t.objectType, t.outcome, t.occurredAt, t.id).where(sql`${t.outcome} <> 'succeeded'`),
    index('audit_log_connector_object_rare_outcome').on(t.connector, t.objectType, t.outcome, t.occurredAt, t.id).where(sql`${t.outcome} <> 'succeeded'`),
  ],
);
