/**
 * Admin sign-in tables: the people who may use the admin (`admin_users`, each
 * with a role), the invitations that bring new ones in, and their sessions.
 * The first admin — the password from SPOKES_ADMIN_PASSWORD or printed at the
 * first start — is the user whose login is `admin`, an owner.
 */
import { pgTable, text, timestamp, index, integer, uniqueIndex } from 'drizzle-orm/pg-core';

/** owner > manager > member (src/web/admin/roles.ts says what each may do). */
export const ROLES = ['owner', 'manager', 'member'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One row per person. `email` is the login, stored lower-cased; the first admin's is `admin`
 * (no e-mail address was ever asked of them). Only a salted scrypt hash of the password is kept.
 */
export const adminUsers = pgTable(
  'admin_users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [uniqueIndex('admin_users_email_idx').on(t.email)],
);

/**
 * A pending invitation: the link's token is shown once to the owner who made it; only its SHA-256 is
 * kept. Single use (`used_at`, claimed atomically) and expiring.
 */
export const adminInvites = pgTable(
  'admin_invites',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    invitedBy: text('invited_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('admin_invites_token_hash_idx').on(t.tokenHash), index('admin_invites_email_idx').on(t.email)],
);

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
    /** Whose session: removing the user deletes every one of their sessions (and the foreign key cascades). */
    userId: text('user_id')
      .notNull()
      .references(() => adminUsers.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('admin_sessions_expires_at_idx').on(t.expiresAt), index('admin_sessions_user_idx').on(t.userId)],
);

/**
 * Failed sign-ins per account (the login as typed, lower-cased: `admin` or an e-mail address, known or not),
 * counted across every client address and every serving process. Past a few failures the account is
 * locked for a while that doubles with each further failure, capped (sign-in-limiter.ts): never for good.
 */
export const adminSignInLocks = pgTable('admin_sign_in_locks', {
  account: text('account').primaryKey(),
  /** Consecutive failed (or still unchecked) attempts since the last success. */
  failures: integer('failures').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
});
