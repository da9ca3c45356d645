/**
 * The tables of Spokes' own core. Feature folders keep their own tables in a
 * `schema.ts` beside their code, all listed in drizzle.config.ts, so one
 * migration history covers them all; storage imports none of them.
 */
import { pgTable, text, jsonb, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Small key → JSON settings that belong to the installation (e.g. the secret-key check value). */
export const appSettings = pgTable('app_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
});

/**
 * One row per job whose effect has been committed, keyed by its idempotency key.
 * Written in the same transaction as the job's database effect (`ctx.once`), so a
 * retried, replayed or duplicated job never applies its effect twice.
 */
export const jobLedger = pgTable('job_ledger', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  jobName: text('job_name').notNull(),
  jobId: uuid('job_id'),
  completedAt: timestamp('completed_at', { withTimezone: true }).defaultNow().notNull(),
});

/**
 * Receipts written by the built-in diagnostics job: the scale-out test and the
 * job benchmark count them to prove every job ran exactly once.
 */
export const jobReceipts = pgTable('job_receipts', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  worker: text('worker').notNull(),
  jobId: uuid('job_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
});
