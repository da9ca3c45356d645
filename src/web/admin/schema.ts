/**
 * Admin sign-in tables. The admin password itself is one row of `app_settings`
 * (key `admin_password`, a scrypt hash); sessions live here.
 */
import { pgTable, text, timestamp, index, integer } from 'drizzle-orm/pg-core';

/**
 * One row per signed-in browser. The cookie holds a random id; only its
 * SHA-256 is stored, so a copy of the database cannot be replayed as a session.
 * `expiresAt` slides forward while the session is used.
 */
export const adminSessions = pgTable(
  'admin_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    /** Sent back in `x-csrf-token` on every mutation; useless without the cookie. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('admin_sessions_expires_at_idx').on(t.expiresAt)],
);

/**
 * Failed sign-ins per account (today the one admin account, `admin`; one row per user name once there are
 * users), counted across every client address and every serving process. Past a few failures the account is
 * locked for a while that doubles with each further failure, capped (sign-in-limiter.ts): never for good.
 */
export const adminSignInLocks = pgTable('admin_sign_in_locks', {
  account: text('account').primaryKey(),
  /** Consecutive failed (or still unchecked) attempts since the last success. */
  failures: integer('failures').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
});
