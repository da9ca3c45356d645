/**
 * Every connector's connections in one table (issue 11): a Sansan API key, a
 * Salesforce org, a PBX. Settings are JSON validated by the connector's zod
 * schema on every read; credentials are one sealed blob (src/secrets) bound
 * to the row's id. Whether a connector allows one connection or several is
 * enforced here, by a partial unique index on the connectors that allow one.
 */
import { sql } from 'drizzle-orm';
import { pgTable, text, jsonb, timestamp, boolean, index, uniqueIndex } from 'drizzle-orm/pg-core';

/** What the admin chose: connected (never switched on yet), enabled, or disabled. */
export const CONNECTION_CHOICES = ['connected', 'enabled', 'disabled'] as const;
/** What went wrong, whatever the choice: the remote refused our tokens, or the connection is broken. */
export const CONNECTION_PROBLEMS = ['needs_reauthorization', 'error'] as const;
/** The state shown everywhere: the problem when there is one, else the admin's choice. */
export const CONNECTION_STATES = [...CONNECTION_CHOICES, ...CONNECTION_PROBLEMS] as const;
export type ConnectionChoice = (typeof CONNECTION_CHOICES)[number];
export type ConnectionProblem = (typeof CONNECTION_PROBLEMS)[number];
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const connections = pgTable(
  'connections',
  {
    /** `<connector>-<8 random base32 characters>`: short enough to type in `spokes connections show <id>`. */
    id: text('id').primaryKey(),
    /** The connector's slug (`telephony`, `sansan`…). */
    connector: text('connector').notNull(),
    /** The connector allows exactly one connection (`manifest.connections: 'one'`). */
    single: boolean('single').notNull(),
    /** What the admin sees: the PBX's address, the Salesforce org's name, the key's label. */
    label: text('label').notNull(),
    /** Kept apart from `problem`, so a repaired connection goes back to what the admin chose. */
    state: text('state', { enum: CONNECTION_CHOICES }).notNull(),
    problem: text('problem', { enum: CONNECTION_PROBLEMS }),
    /** Why there is a problem (the refused refresh, the failed check), in words an admin can act on. */
    problemReason: text('problem_reason'),
    settings: jsonb('settings').$type<unknown>().notNull(),
    /** AES-256-GCM sealed JSON (src/secrets), bound to `connection:<id>:credentials`. */
    credentialsSealed: text('credentials_sealed').notNull(),
    /** What the remote system said about itself when connected (org id, version…): shown, never secret. */
    info: jsonb('info').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
    /** The last time work for this connection succeeded (a job, a webhook, a stream event). */
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }),
  },
  (t) => [
    // S1: one Salesforce org per HubSpot account; D2: several Sansan keys. The database says no to a second "one".
    uniqueIndex('connections_one_per_connector').on(t.connector).where(sql`${t.single}`),
    index('connections_connector').on(t.connector, t.createdAt),
    // The job gates ask "does any connection of this connector need re-authorization?" every few seconds.
    index('connections_problem').on(t.connector).where(sql`${t.problem} is not null`),
  ],
);
