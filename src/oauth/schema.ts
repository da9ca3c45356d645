/**
 * One row per OAuth authorization a person started (Connect, or Reconnect of
 * a connection that needs re-authorization; HubSpot's install is connector
 * `hubspot`): the `state` hashed (SHA-256), single use, expiring; the PKCE
 * verifier sealed. Tokens themselves live in the connection's sealed
 * credentials (HubSpot's: its own row, src/hubspot/connection-store.ts).
 */
import { pgTable, text, timestamp, index } from 'drizzle-orm/pg-core';

export const oauthAuthorizations = pgTable(
  'oauth_authorizations',
  {
    stateHash: text('state_hash').primaryKey(),
    connector: text('connector').notNull(),
    /** Set for a re-authorization: the connection whose tokens the callback replaces. */
    connectionId: text('connection_id'),
    redirectUri: text('redirect_uri').notNull(),
    /** RFC 7636 code verifier, sealed; null when the provider does not support PKCE. */
    codeVerifierSealed: text('code_verifier_sealed'),
    /** Who started it (the admin session's label), for the audit log. */
    startedBy: text('started_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('oauth_authorizations_expires').on(t.expiresAt)],
);
