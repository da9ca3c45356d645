/**
 * Spokes' side of the HubSpot connection: the app's credentials, the one
 * connected account with its (encrypted) tokens, and the phone index of every
 * contact's and company's numbers. Pending authorizations (the OAuth `state`)
 * are src/oauth's (`oauth_authorizations`, connector `hubspot`).
 */
import { pgTable, text, jsonb, timestamp, bigint, index, primaryKey } from 'drizzle-orm/pg-core';

/** The HubSpot public app an admin created (T1). One row, id `default`. */
export const hubspotApp = pgTable('hubspot_app', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull(),
  /** AES-256-GCM sealed (src/secrets). */
  clientSecretSealed: text('client_secret_sealed').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
});

/** The connected HubSpot account (T2). One row, id `default`; absent when not connected. */
export const hubspotConnection = pgTable('hubspot_connection', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['oauth', 'private_app'] }).notNull(),
  status: text('status', { enum: ['connected', 'needs_reauthorization'] }).notNull(),
  /** API base URL the tokens belong to (api.hubapi.com, or the sandbox). */
  baseUrl: text('base_url').notNull(),
  portalId: bigint('portal_id', { mode: 'number' }).notNull(),
  accountName: text('account_name').notNull(),
  hubDomain: text('hub_domain'),
  connectedBy: text('connected_by'),
  scopes: jsonb('scopes').$type<string[]>().notNull(),
  accessTokenSealed: text('access_token_sealed').notNull(),
  refreshTokenSealed: text('refresh_token_sealed'),
  /** Null for private-app tokens, which do not expire. */
  accessExpiresAt: timestamp('access_expires_at', { withTimezone: true }),
  lastError: text('last_error'),
  connectedAt: timestamp('connected_at', { withTimezone: true }).defaultNow().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
});

/**
 * Every phone number of every HubSpot contact and company, normalised to E.164,
 * so caller matching answers without calling HubSpot.
 */
export const phoneIndex = pgTable(
  'phone_index',
  {
    portalId: bigint('portal_id', { mode: 'number' }).notNull(),
    objectType: text('object_type', { enum: ['contact', 'company'] }).notNull(),
    objectId: text('object_id').notNull(),
    /** HubSpot property the number came from (`phone`, `mobilephone`). */
    property: text('property').notNull(),
    /** E.164 when the number parses, else null (then only `tail` matches). */
    e164: text('e164'),
    /** The last digits (up to 9) of the number, for the fallback match of numbers stored without a country code. */
    tail: text('tail').notNull(),
    raw: text('raw').notNull(),
    /** Display name of the record (contact first + last name, or company name) for pop-ups. */
    label: text('label'),
    /** For contacts: the primary company's id, so a call can be associated with it too. */
    companyId: text('company_id'),
    modifiedAt: timestamp('modified_at', { withTimezone: true }),
    /** When Spokes wrote the row: a full build removes the rows it did not rewrite (records deleted in HubSpot). */
    indexedAt: timestamp('indexed_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.portalId, t.objectType, t.objectId, t.property] }),
    index('phone_index_e164').on(t.portalId, t.e164),
    index('phone_index_tail').on(t.portalId, t.tail),
  ],
);

/**
 * How far the index passes have read, per portal and object type: last-modified time in ms
 * (contacts `lastmodifieddate`, companies `hs_lastmodifieddate`; reference §2.4).
 */
export const phoneIndexCursors = pgTable(
  'phone_index_cursors',
  {
    portalId: bigint('portal_id', { mode: 'number' }).notNull(),
    objectType: text('object_type').notNull(),
    /** The incremental pass reads records modified after this. */
    modifiedAfter: bigint('modified_after', { mode: 'number' }).notNull(),
    lastFullBuildAt: timestamp('last_full_build_at', { withTimezone: true }),
    /** Set while a full build is under way (a killed build resumes from `buildCursor`); null otherwise. */
    buildStartedAt: timestamp('build_started_at', { withTimezone: true }),
    buildCursor: bigint('build_cursor', { mode: 'number' }),
    /** One pass at a time per portal and type, across workers; a crashed holder's lease runs out. */
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).defaultNow().notNull(),
  },
  (t) => [primaryKey({ columns: [t.portalId, t.objectType] })],
);
