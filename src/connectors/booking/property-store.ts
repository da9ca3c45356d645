/**
 * The property sync's settings and state (one row), and the synced values of
 * every contact and company (M5) with the routing look-up over them: no
 * HubSpot call, an index on e-mail (contacts) and domain (companies).
 */
import { and, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db } from '../../db/open.ts';
import { bookingCrmValues, bookingPropertySync } from './schema.ts';

const ID = 'default';
/** A sync that has not finished after this long is taken for dead (its process stopped). */
const STALE_RUN_MS = 60 * 60_000;
export const MANUAL_INTERVAL_MS = 2 * 60 * 60_000;

const propertyName = z
  .string()
  .trim()
  .regex(/^[a-z0-9_]{1,100}$/, 'a HubSpot internal name: lower-case letters, digits and "_"');
export const propertyLists = z
  .object({
    contactProperties: z.array(propertyName).max(50).default([]),
    companyProperties: z.array(propertyName).max(50).default([]),
  })
  .strict();

export interface Owner {
  id: string;
  email: string;
  name: string;
}

export interface SyncRun {
  mode: 'full' | 'incremental';
  trigger: 'schedule' | 'manual';
  startedAt: string;
  finishedAt: string;
  contacts: number;
  companies: number;
  removed: number;
  requests: number;
  error?: string;
}

export type SyncState = typeof bookingPropertySync.$inferSelect;
export type CrmRow = typeof bookingCrmValues.$inferInsert;

export class PropertyStore {
  readonly #db: Db;
  #owners: { at: number; byId: Map<string, Owner> } | undefined;
  #prepared: ReturnType<typeof routeQueries> | undefined;
  constructor(db: Db) {
    this.#db = db;
  }

  async state(): Promise<SyncState> {
    const [row] = await this.#db.select().from(bookingPropertySync).where(eq(bookingPropertySync.id, ID));
    if (row) return row;
    await this.#db.insert(bookingPropertySync).values({ id: ID, contactProperties: [], companyProperties: [] }).onConflictDoNothing();
    return this.state();
  }

  async saveLists(lists: z.output<typeof propertyLists>): Promise<SyncState> {
    await this.state();
    const dedupe = (l: string[]) => [...new Set(l)];
    await this.#db
      .update(bookingPropertySync)
      .set({ contactProperties: dedupe(lists.contactProperties), companyProperties: dedupe(lists.companyProperties), testResult: null, updatedAt: new Date() })
      .where(eq(bookingPropertySync.id, ID));
    return this.state();
  }

  async saveTest(result: unknown): Promise<void> {
    await this.#db.update(bookingPropertySync).set({ testResult: result }).where(eq(bookingPropertySync.id, ID));
  }

  /** Marks a sync as running unless one is; `false` when another runs. */
  async begin(mode: SyncRun['mode']): Promise<boolean> {
    await this.state();
    const now = new Date();
    const rows = await this.#db
      .update(bookingPropertySync)
      .set({ runningSince: now, runningMode: mode })
      .where(
        and(
          eq(bookingPropertySync.id, ID),
          or(isNull(bookingPropertySync.runningSince), lt(bookingPropertySync.runningSince, new Date(now.getTime() - STALE_RUN_MS))),
        ),
      )
      .returning({ id: bookingPropertySync.id });
    return rows.length === 1;
  }

  /** Takes the manual sync's turn (at most once every 2 hours, never while one runs); `false` when not allowed. */
  async claimManual(): Promise<boolean> {
    await this.state();
    const now = new Date();
    const rows = await this.#db
      .update(bookingPropertySync)
      .set({ lastManualAt: now })
      .where(
        and(
          eq(bookingPropertySync.id, ID),
          or(isNull(bookingPropertySync.runningSince), lt(bookingPropertySync.runningSince, new Date(now.getTime() - STALE_RUN_MS))),
          or(isNull(bookingPropertySync.lastManualAt), lt(bookingPropertySync.lastManualAt, new Date(now.getTime() - MANUAL_INTERVAL_MS))),
        ),
      )
      .returning({ id: bookingPropertySync.id });
    return rows.length === 1;
  }

  async finish(run: SyncRun, owners?: Owner[]): Promise<void> {
    await this.#db
      .update(bookingPropertySync)
      .set({ runningSince: null, runningMode: null, lastRun: run, ...(owners ? { owners } : {}) })
      .where(eq(bookingPropertySync.id, ID));
    this.#owners = undefined;
  }

  /** Whether a manual sync may start now, and if not, when and why. */
  manualAllowed(state: SyncState, now = Date.now()): { allowed: boolean; nextAllowedAt: string | null; reason: string | null } {
    if (state.runningSince && now - state.runningSince.getTime() < STALE_RUN_MS)
      return { allowed: false, nextAllowedAt: null, reason: `A ${state.runningMode ?? ''} sync is running (since ${state.runningSince.toISOString()}).` };
    const next = state.lastManualAt ? state.lastManualAt.getTime() + MANUAL_INTERVAL_MS : 0;
    if (next > now)
      return {
        allowed: false,
        nextAllowedAt: new Date(next).toISOString(),
        reason: `A manual sync runs at most once every 2 hours; the last one started at ${state.lastManualAt!.toISOString()}.`,
      };
    return { allowed: true, nextAllowedAt: null, reason: null };
  }

  async upsert(rows: CrmRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#db
      .insert(bookingCrmValues)
      .values(rows)
      .onConflictDoUpdate({
        target: [bookingCrmValues.objectType, bookingCrmValues.hubspotId],
        set: {
          lookupKey: sql`excluded.lookup_key`,
          ownerId: sql`excluded.owner_id`,
          companyId: sql`excluded.company_id`,
          properties: sql`excluded.properties`,
          modifiedAt: sql`excluded.modified_at`,
          fullRun: sql`coalesce(excluded.full_run, ${bookingCrmValues.fullRun})`,
          syncedAt: sql`excluded.synced_at`,
        },
      });
  }

  /** After a full sync: the rows it did not see are gone from HubSpot (deleted or merged). */
  async removeUnseen(objectType: 'contact' | 'company', fullRun: number): Promise<number> {
    const gone = await this.#db
      .delete(bookingCrmValues)
      .where(
        and(
          eq(bookingCrmValues.objectType, objectType),
          or(isNull(bookingCrmValues.fullRun), ne(bookingCrmValues.fullRun, fullRun)),
          lt(bookingCrmValues.syncedAt, new Date(fullRun)),
        ),
      )
      .returning({ id: bookingCrmValues.hubspotId });
    return gone.length;
  }

  /** Records HubSpot no longer has (deleted, merged away). */
  async remove(objectType: 'contact' | 'company', ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const gone = await this.#db
      .delete(bookingCrmValues)
      .where(and(eq(bookingCrmValues.objectType, objectType), inArray(bookingCrmValues.hubspotId, [...ids])))
      .returning({ id: bookingCrmValues.hubspotId });
    return gone.length;
  }

  async counts(): Promise<{ contacts: number; companies: number }> {
    const rows = await this.#db
      .select({ objectType: bookingCrmValues.objectType, n: sql<number>`count(*)::int` })
      .from(bookingCrmValues)
      .groupBy(bookingCrmValues.objectType);
    const n = (t: string) => rows.find((r) => r.objectType === t)?.n ?? 0;
    return { contacts: n('contact'), companies: n('company') };
  }

  /** The routing look-up: a contact by e-mail with its primary company (one query), else a company by domain. */
  async route(query: { email?: string; domain?: string }): Promise<RoutingAnswer> {
    const email = query.email?.trim().toLowerCase();
    const domain = normalizeDomain(query.domain ?? email?.split('@')[1] ?? '');
    let contact: RouteRow | null = null;
    let company: RouteRow | null = null;
    if (email) {
      const [row] = await this.#routeQueries().byEmail.execute({ email });
      contact = row?.contact ?? null;
      company = row?.company ?? null;
    }
    if (!company && domain) company = (await this.#routeQueries().byDomain.execute({ domain }))[0] ?? null;
    const ownerId = contact?.ownerId ?? company?.ownerId ?? null;
    return {
      contact: contact && { id: contact.hubspotId, email: contact.lookupKey, ownerId: contact.ownerId, properties: contact.properties },
      company: company && { id: company.hubspotId, domain: company.lookupKey, ownerId: company.ownerId, properties: company.properties },
      owner: ownerId ? ((await this.#owner(ownerId)) ?? { id: ownerId, email: null, name: null }) : null,
    };
  }

  #routeQueries() {
    this.#prepared ??= routeQueries(this.#db);
    return this.#prepared;
  }

  async #owner(id: string): Promise<Owner | null> {
    if (!this.#owners || Date.now() - this.#owners.at > 30_000) {
      const state = await this.state();
      const list = z
        .array(z.object({ id: z.string(), email: z.string(), name: z.string() }))
        .catch([])
        .parse(state.owners ?? []);
      this.#owners = { at: Date.now(), byId: new Map(list.map((o) => [o.id, o])) };
    }
    return this.#owners.byId.get(id) ?? null;
  }
}

type RouteRow = Pick<typeof bookingCrmValues.$inferSelect, 'hubspotId' | 'lookupKey' | 'ownerId' | 'properties'>;

export interface RoutingAnswer {
  contact: { id: string; email: string | null; ownerId: string | null; properties: Record<string, string | null> } | null;
  company: { id: string; domain: string | null; ownerId: string | null; properties: Record<string, string | null> } | null;
  owner: { id: string; email: string | null; name: string | null } | null;
}

/**
 * The look-up's two statements, prepared once (parsed and planned once per PostgreSQL connection), each
 * one index probe (`booking_crm_values_lookup`, then the primary key for the contact's company) and
 * reading only the answer's columns: no timestamps to turn into dates, one jsonb per record.
 */
function routeQueries(db: Db) {
  const co = alias(bookingCrmValues, 'co');
  const v = bookingCrmValues;
  return {
    byEmail: db
      .select({
        contact: { hubspotId: v.hubspotId, lookupKey: v.lookupKey, ownerId: v.ownerId, properties: v.properties },
        company: { hubspotId: co.hubspotId, lookupKey: co.lookupKey, ownerId: co.ownerId, properties: co.properties },
      })
      .from(v)
      .leftJoin(co, and(eq(co.objectType, 'company'), eq(co.hubspotId, v.companyId)))
      .where(and(eq(v.objectType, 'contact'), eq(v.lookupKey, sql.placeholder('email'))))
      .limit(1)
      .prepare('booking_route_by_email'),
    byDomain: db
      .select({ hubspotId: v.hubspotId, lookupKey: v.lookupKey, ownerId: v.ownerId, properties: v.properties })
      .from(v)
      .where(and(eq(v.objectType, 'company'), eq(v.lookupKey, sql.placeholder('domain'))))
      .limit(1)
      .prepare('booking_route_by_domain'),
  };
}

export function normalizeDomain(d: string): string {
  return d
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/.*$/, '');
}
