/**
 * The sync engine's own index of remote records (reference §B.1: "an internal
 * index of all records"): per connection and sync, each remote record's
 * identity (the e-mail it is matched by), its modification time, the values
 * last read and its state with the reason. Merges (D8) and sync health (X3)
 * are read from it; the HubSpot side of each identity is its record link.
 */
import { sql } from 'drizzle-orm';
import { pgTable, text, jsonb, timestamp, index, primaryKey } from 'drizzle-orm/pg-core';
import { connections } from '../../connections/schema.ts';

export const SOURCE_STATES = ['synced', 'excluded', 'failing'] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

export const syncRecords = pgTable(
  'sync_records',
  {
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    sync: text('sync').notNull(),
    remoteId: text('remote_id').notNull(),
    /** The e-mail (lower-cased) it is matched by, `id:<remote id>` without one; null when excluded before matching. */
    identity: text('identity'),
    modifiedAt: timestamp('modified_at', { withTimezone: true }).notNull(),
    values: jsonb('values').$type<Record<string, string | null>>().notNull(),
    state: text('state', { enum: SOURCE_STATES }).notNull(),
    reason: text('reason'),
    hubspotId: text('hubspot_id'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.sync, t.remoteId] }),
    index('sync_records_identity').on(t.connectionId, t.sync, t.identity),
    index('sync_records_state').on(t.connectionId, t.sync, t.state).where(sql`${t.state} <> 'synced'`),
  ],
);
