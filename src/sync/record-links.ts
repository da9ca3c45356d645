/**
 * Record links: which remote record is which HubSpot record, per connection
 * and object type, with the state of the pair (`synced`, `excluded` by a rule,
 * `failing` with the reason and the failed attempts) and a hash of the values
 * last written each way — so the next sync can tell its own write from
 * someone else's edit (the phonebook's CRM-owned check, Salesforce two-way).
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { recordLinks, type LinkState } from './schema.ts';

export interface RecordLink {
  connectionId: string;
  objectType: string;
  remoteId: string;
  hubspotId: string | null;
  state: LinkState;
  reason: string | null;
  attempts: number;
  hashToHubspot: string | null;
  hashToRemote: string | null;
  syncedAt: Date | null;
  updatedAt: Date;
}

export interface LinkKey {
  connectionId: string;
  objectType: string;
  remoteId: string;
}

export class RecordLinks {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(key: LinkKey, db: Db = this.#db): Promise<RecordLink | null> {
    const [row] = await db.select().from(recordLinks).where(where(key));
    return row ? toLink(row) : null;
  }

  async byHubSpotId(connectionId: string, objectType: string, hubspotId: string): Promise<RecordLink | null> {
    const [row] = await this.#db
      .select()
      .from(recordLinks)
      .where(and(eq(recordLinks.connectionId, connectionId), eq(recordLinks.objectType, objectType), eq(recordLinks.hubspotId, hubspotId)));
    return row ? toLink(row) : null;
  }

  /** The pair is in sync: its HubSpot id and the hashes of what was written (a hash left out is kept). */
  async markSynced(key: LinkKey, values: { hubspotId: string; hashToHubspot?: string; hashToRemote?: string }, db: Db = this.#db): Promise<void> {
    const now = new Date();
    const set = {
      hubspotId: values.hubspotId,
      state: 'synced' as const,
      reason: null,
      attempts: 0,
      updatedAt: now,
      syncedAt: now,
      ...(values.hashToHubspot === undefined ? {} : { hashToHubspot: values.hashToHubspot }),
      ...(values.hashToRemote === undefined ? {} : { hashToRemote: values.hashToRemote }),
    };
    await db
      .insert(recordLinks)
      .values({ ...key, ...set })
      .onConflictDoUpdate({ target: [recordLinks.connectionId, recordLinks.objectType, recordLinks.remoteId], set });
  }

  /** A failed attempt: counted, with the reason; the HubSpot id (if any) is kept. */
  async markFailing(key: LinkKey, reason: string, db: Db = this.#db): Promise<RecordLink> {
    const now = new Date();
    const [row] = await db
      .insert(recordLinks)
      .values({ ...key, state: 'failing', reason, attempts: 1, updatedAt: now })
      .onConflictDoUpdate({
        target: [recordLinks.connectionId, recordLinks.objectType, recordLinks.remoteId],
        set: { state: 'failing', reason, attempts: sql`${recordLinks.attempts} + 1`, updatedAt: now },
      })
      .returning();
    return toLink(row!);
  }

  /** A rule keeps the record out of the sync (an inclusion list, a "don't sync" setting). */
  async markExcluded(key: LinkKey, reason: string, db: Db = this.#db): Promise<void> {
    const now = new Date();
    const set = { state: 'excluded' as const, reason, attempts: 0, updatedAt: now };
    await db
      .insert(recordLinks)
      .values({ ...key, ...set })
      .onConflictDoUpdate({ target: [recordLinks.connectionId, recordLinks.objectType, recordLinks.remoteId], set });
  }

  async remove(key: LinkKey, db: Db = this.#db): Promise<void> {
    await db.delete(recordLinks).where(where(key));
  }

  /** A connection's links of one type in remote-id order, `limit` at a time after `afterRemoteId`. */
  async list(connectionId: string, objectType: string, opts: { state?: LinkState; afterRemoteId?: string; limit?: number } = {}): Promise<RecordLink[]> {
    const rows = await this.#db
      .select()
      .from(recordLinks)
      .where(
        and(
          eq(recordLinks.connectionId, connectionId),
          eq(recordLinks.objectType, objectType),
          opts.state ? eq(recordLinks.state, opts.state) : undefined,
          opts.afterRemoteId === undefined ? undefined : gt(recordLinks.remoteId, opts.afterRemoteId),
        ),
      )
      .orderBy(asc(recordLinks.remoteId))
      .limit(opts.limit ?? 500);
    return rows.map(toLink);
  }
}

/** SHA-256 of the values as canonical JSON (keys sorted), for `hashToHubspot` / `hashToRemote`. */
export function hashValues(values: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(values)).digest('base64url');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function where(key: LinkKey) {
  return and(eq(recordLinks.connectionId, key.connectionId), eq(recordLinks.objectType, key.objectType), eq(recordLinks.remoteId, key.remoteId));
}

function toLink(row: typeof recordLinks.$inferSelect): RecordLink {
  return {
    connectionId: row.connectionId,
    objectType: row.objectType,
    remoteId: row.remoteId,
    hubspotId: row.hubspotId,
    state: row.state,
    reason: row.reason,
    attempts: row.attempts,
    hashToHubspot: row.hashToHubspot,
    hashToRemote: row.hashToRemote,
    syncedAt: row.syncedAt,
    updatedAt: row.updatedAt,
  };
}
