/**
 * Caller matching without calling HubSpot (T4, T5, T7, T8): every phone number
 * of every contact and company, normalised, in the `phone_index` table. A look-up
 * is one indexed query — exact E.164 first, then the last digits when exactly one
 * record has them — so it answers in about a millisecond at 200,000 contacts.
 * The sync (index-sync.ts) and the webhook job write through `upsert`/`remove`.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/open.ts';
import { phoneIndex } from '../schema.ts';
import { normalizePhone, regionOrUndefined, TAIL_MIN_DIGITS, type NormalizedPhone } from './normalize.ts';

export type PhoneObjectType = 'contact' | 'company';

/** A record as the index stores it: its numbers and what a pop-up or a call log needs. */
export interface PhoneRecord {
  objectType: PhoneObjectType;
  objectId: string;
  /** Contact first + last name, or company name. */
  label: string | null;
  /** A contact's primary company (`associatedcompanyid`); null for companies. */
  companyId: string | null;
  /** HubSpot's last-modified time of the version read; older versions never overwrite newer ones. */
  modifiedAt: Date | null;
  /** Region to read national numbers in (the record's country), else the default region. */
  region?: string | null;
  /** Property → raw value (`phone`, `mobilephone`); empty values mean "no number". */
  phones: Record<string, string | null | undefined>;
}

export interface PhoneMatch {
  portalId: number;
  objectType: PhoneObjectType;
  objectId: string;
  label: string | null;
  companyId: string | null;
  /** The property whose number matched, and its value as stored in HubSpot. */
  property: string;
  raw: string;
  e164: string | null;
  modifiedAt: Date | null;
}

export interface LookupResult {
  /** The caller's number normalised; null when withheld or not a number. */
  number: NormalizedPhone | null;
  /** `e164`: same E.164; `tail`: same last digits, unique in the index; null: no match. */
  matchedBy: 'e164' | 'tail' | null;
  /** Contacts before companies, then the most recently modified; one entry per record. */
  records: PhoneMatch[];
}

export interface LookupOptions {
  /** Defaults to the connected portal. */
  portalId?: number;
  /** Region for a national-format caller id; defaults to the index's default region. */
  region?: string;
}

export interface PhoneIndexOptions {
  database: Database;
  /** `SPOKES_DEFAULT_REGION`: how national numbers without a region hint are read. */
  defaultRegion: string;
  /** The connected portal, or null when HubSpot is not connected. */
  currentPortalId(): Promise<number | null>;
}

/** HubSpot object type ids used in record URLs (reference §2). */
const TYPE_IDS: Record<PhoneObjectType, string> = { contact: '0-1', company: '0-2' };
/** Enough rows to rank; a number shared by more records than this is a switchboard, not a person. */
const MAX_ROWS = 50;
/** How long the connected portal id is reused before it is read again. */
const PORTAL_TTL_MS = 10_000;

/** The record's page in HubSpot (`https://app.hubspot.com/contacts/{portalId}/record/0-1/{id}`). */
export function recordUrl(appBaseUrl: string, portalId: number, objectType: PhoneObjectType, objectId: string): string {
  return `${appBaseUrl.replace(/\/+$/, '')}/contacts/${portalId}/record/${TYPE_IDS[objectType]}/${objectId}`;
}

export class PhoneIndex {
  readonly #opts: PhoneIndexOptions;
  #portal: { id: number | null; at: number } | undefined;

  constructor(opts: PhoneIndexOptions) {
    this.#opts = opts;
  }

  get defaultRegion(): string {
    return this.#opts.defaultRegion;
  }

  /** Matches a caller's number against the index; never calls HubSpot. */
  async lookup(number: string | null | undefined, opts: LookupOptions = {}): Promise<LookupResult> {
    const normalized = normalizePhone(number, regionOrUndefined(opts.region) ?? this.#opts.defaultRegion);
    if (!normalized) return { number: null, matchedBy: null, records: [] };
    const portalId = opts.portalId ?? (await this.#currentPortalId());
    if (portalId === null) return { number: normalized, matchedBy: null, records: [] };

    // One round trip: the exact E.164 rows and, for the §4.3 fallback, the rows with the same last
    // digits — only for numbers long enough, and never between two valid numbers (different E.164s
    // are different numbers). The fallback counts only when exactly one record has those digits.
    const fallback = normalized.digits.length >= TAIL_MIN_DIGITS;
    if (!normalized.e164 && !fallback) return { number: normalized, matchedBy: null, records: [] };
    const rows = await this.#lookupRows(portalId, normalized.e164, fallback ? normalized.tail : null);
    // A union's rows come in no promised order: ranked here (at most 100 rows) rather than by another sort in SQL.
    rows.sort(byRank);
    const exact = distinctRecords(
      portalId,
      rows.filter((r) => r.pass === 0),
    );
    if (exact.length) return { number: normalized, matchedBy: 'e164', records: exact };
    const byTail = distinctRecords(
      portalId,
      rows.filter((r) => r.pass === 1),
    );
    if (byTail.length !== 1) return { number: normalized, matchedBy: null, records: [] };
    return { number: normalized, matchedBy: 'tail', records: byTail };
  }

  /**
   * The hot path's one query, as fixed SQL text per shape sent straight to the driver
   * (`db.$client`: PGlite or the pg pool, both `query(text, params)`): building it through
   * the query builder on every call costs a third of a look-up on PGlite.
   */
  async #lookupRows(portalId: number, e164: string | null, tail: string | null): Promise<(DbPhoneRow & { pass: number })[]> {
    const { text, params } = lookupQuery(portalId, e164, tail);
    const client = (this.#opts.database.db as unknown as { $client: SqlClient }).$client;
    return (await client.query<DbPhoneRow & { pass: number }>(text, params)).rows;
  }

  /**
   * Writes records' numbers, replacing what the index held for them (a removed number
   * leaves it). A record older than the version already indexed is skipped, so a slow
   * page of the sync never undoes a newer webhook update.
   */
  async upsert(portalId: number, records: PhoneRecord[], db: Db = this.#opts.database.db): Promise<void> {
    if (!records.length) return;
    const latest = new Map<string, PhoneRecord>();
    for (const r of records) {
      const key = `${r.objectType}:${r.objectId}`;
      const seen = latest.get(key);
      if (!seen || (r.modifiedAt?.getTime() ?? 0) >= (seen.modifiedAt?.getTime() ?? 0)) latest.set(key, r);
    }
    await db.transaction(async (tx) => {
      for (const objectType of ['contact', 'company'] as const) {
        const batch = [...latest.values()].filter((r) => r.objectType === objectType);
        if (!batch.length) continue;
        const ids = batch.map((r) => r.objectId);
        const indexed = await tx
          .select({ objectId: phoneIndex.objectId, modifiedAt: sql<string | null>`max(${phoneIndex.modifiedAt})` })
          .from(phoneIndex)
          .where(and(eq(phoneIndex.portalId, portalId), eq(phoneIndex.objectType, objectType), inArray(phoneIndex.objectId, ids)))
          .groupBy(phoneIndex.objectId);
        const newest = new Map(indexed.map((row) => [row.objectId, row.modifiedAt ? new Date(row.modifiedAt).getTime() : 0]));
        const fresh = batch.filter((r) => (r.modifiedAt?.getTime() ?? Number.MAX_SAFE_INTEGER) >= (newest.get(r.objectId) ?? 0));
        const older = batch.filter((r) => !fresh.includes(r)).map((r) => r.objectId);
        // Seen, but the index already holds a newer version: still current, so a full build must not sweep it.
        if (older.length) {
          await tx
            .update(phoneIndex)
            .set({ indexedAt: sql`now()` })
            .where(and(eq(phoneIndex.portalId, portalId), eq(phoneIndex.objectType, objectType), inArray(phoneIndex.objectId, older)));
        }
        if (!fresh.length) continue;
        await tx.delete(phoneIndex).where(
          and(
            eq(phoneIndex.portalId, portalId),
            eq(phoneIndex.objectType, objectType),
            inArray(
              phoneIndex.objectId,
              fresh.map((r) => r.objectId),
            ),
          ),
        );
        const rows = fresh.flatMap((r) => this.rowsFor(portalId, r));
        if (rows.length) await tx.insert(phoneIndex).values(rows);
      }
    });
  }

  /** The rows a record contributes (one per property with a usable number). */
  rowsFor(portalId: number, r: PhoneRecord): (typeof phoneIndex.$inferInsert)[] {
    const region = regionOrUndefined(r.region) ?? this.#opts.defaultRegion;
    const rows: (typeof phoneIndex.$inferInsert)[] = [];
    for (const [property, raw] of Object.entries(r.phones)) {
      const n = raw ? normalizePhone(raw, region) : null;
      if (!n || !raw) continue;
      rows.push({
        portalId,
        objectType: r.objectType,
        objectId: r.objectId,
        property,
        e164: n.e164,
        tail: n.tail,
        raw: raw.slice(0, 200),
        label: r.label,
        companyId: r.companyId,
        modifiedAt: r.modifiedAt,
      });
    }
    return rows;
  }

  /** The last-modified time (ms) of the version indexed for each of these records that has numbers. */
  async indexedVersions(portalId: number, objectType: PhoneObjectType, ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await this.#opts.database.db
      .select({ objectId: phoneIndex.objectId, modifiedAt: sql<string | Date | null>`max(${phoneIndex.modifiedAt})` })
      .from(phoneIndex)
      .where(and(eq(phoneIndex.portalId, portalId), eq(phoneIndex.objectType, objectType), inArray(phoneIndex.objectId, ids)))
      .groupBy(phoneIndex.objectId);
    return new Map(rows.filter((r) => r.modifiedAt !== null).map((r) => [r.objectId, new Date(r.modifiedAt!).getTime()]));
  }

  /**
   * The names the index holds for these records (contact first + last name, company name), for lists
   * that show many records at once without asking HubSpot. A record without a number or a name is absent.
   */
  async labels(portalId: number, objectType: PhoneObjectType, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.#opts.database.db
      .selectDistinct({ objectId: phoneIndex.objectId, label: phoneIndex.label })
      .from(phoneIndex)
      .where(and(eq(phoneIndex.portalId, portalId), eq(phoneIndex.objectType, objectType), inArray(phoneIndex.objectId, [...new Set(ids)])));
    return new Map(rows.filter((r) => r.label?.trim()).map((r) => [r.objectId, r.label!.trim()]));
  }

  /** Removes records (deleted or merged away in HubSpot); returns how many were indexed. */
  async remove(portalId: number, objectType: PhoneObjectType, ids: string[], db: Db = this.#opts.database.db): Promise<number> {
    if (!ids.length) return 0;
    const removed = await db
      .delete(phoneIndex)
      .where(and(eq(phoneIndex.portalId, portalId), eq(phoneIndex.objectType, objectType), inArray(phoneIndex.objectId, ids)))
      .returning({ id: phoneIndex.objectId });
    return new Set(removed.map((r) => r.id)).size;
  }

  /** Removes every row a full build did not rewrite (records deleted in HubSpot while nobody listened). */
  async removeIndexedBefore(portalId: number, objectType: PhoneObjectType, before: Date): Promise<number> {
    const removed = await this.#opts.database.db
      .delete(phoneIndex)
      .where(and(eq(phoneIndex.portalId, portalId), eq(phoneIndex.objectType, objectType), lt(phoneIndex.indexedAt, before)))
      .returning({ id: phoneIndex.objectId });
    return new Set(removed.map((r) => r.id)).size;
  }

  /**
   * Reads the portal's rows and both look-up indexes through the database's cache, so the first
   * calls after a start-up or a full build do not wait for disk pages. Index scans, because a
   * sequential scan of a large table only borrows a small ring of buffers.
   */
  async warm(portalId?: number): Promise<void> {
    const portal = portalId ?? (await this.#currentPortalId());
    if (portal === null) return;
    await this.#opts.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      await tx.execute(sql`select count(label) from phone_index where portal_id = ${portal}`);
      await tx.execute(sql`select count(*) from phone_index where portal_id = ${portal} and e164 >= ''`);
      await tx.execute(sql`select count(*) from phone_index where portal_id = ${portal} and tail >= ''`);
    });
  }

  /** Rows held for a portal (per type), for status pages and tests. */
  async count(portalId: number): Promise<Record<PhoneObjectType, number>> {
    const rows = await this.#opts.database.query<{ object_type: PhoneObjectType; n: number }>(
      sql`select object_type, count(distinct object_id)::int as n from phone_index where portal_id = ${portalId} group by object_type`,
    );
    const out: Record<PhoneObjectType, number> = { contact: 0, company: 0 };
    for (const r of rows) out[r.object_type] = r.n;
    return out;
  }

  async #currentPortalId(): Promise<number | null> {
    const now = Date.now();
    if (this.#portal && now - this.#portal.at < PORTAL_TTL_MS) return this.#portal.id;
    const id = await this.#opts.currentPortalId();
    this.#portal = { id, at: now };
    return id;
  }
}

const COLUMN_LIST = 'object_type, object_id, property, e164, raw, label, company_id, modified_at';
/** Contacts before companies (a person before a switchboard), then the most recently modified. */
const ORDER_BY = `order by case object_type when 'contact' then 0 else 1 end, modified_at desc nulls last, object_id, property`;

/** The look-up query: exact E.164 rows (pass 0) and/or last-digits rows (pass 1). Exported for query-plan checks. */
export function lookupQuery(portalId: number, e164: string | null, tail: string | null): { text: string; params: unknown[] } {
  const exact = `(select 0 as pass, ${COLUMN_LIST} from phone_index where portal_id = $1 and e164 = $2 ${ORDER_BY} limit ${MAX_ROWS})`;
  const byTail = (p: string) =>
    `(select 1 as pass, ${COLUMN_LIST} from phone_index where portal_id = $1 and tail = ${p} ${e164 ? 'and e164 is null' : ''} ${ORDER_BY} limit ${MAX_ROWS})`;
  if (e164 && tail) return { text: `${exact} union all ${byTail('$3')}`, params: [portalId, e164, tail] };
  if (e164) return { text: exact, params: [portalId, e164] };
  return { text: byTail('$2'), params: [portalId, tail] };
}

/** What `db.$client` is on both engines (PGlite, pg.Pool) for a parameterised query. */
interface SqlClient {
  query<T>(text: string, params: unknown[]): Promise<{ rows: T[] }>;
}

/** The same ranking as ORDER_BY, per pass. */
function byRank(a: DbPhoneRow & { pass: number }, b: DbPhoneRow & { pass: number }): number {
  const time = (r: DbPhoneRow) => (r.modified_at === null ? -Infinity : new Date(r.modified_at).getTime());
  return (
    a.pass - b.pass ||
    (a.object_type === 'contact' ? 0 : 1) - (b.object_type === 'contact' ? 0 : 1) ||
    time(b) - time(a) ||
    (a.object_id < b.object_id ? -1 : a.object_id > b.object_id ? 1 : 0) ||
    (a.property < b.property ? -1 : a.property > b.property ? 1 : 0)
  );
}

/** One entry per record (a contact's phone and mobile may both match), in row order. */
function distinctRecords(portalId: number, rows: DbPhoneRow[]): PhoneMatch[] {
  const records: PhoneMatch[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.object_type}:${row.object_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    records.push({
      portalId,
      objectType: row.object_type,
      objectId: row.object_id,
      label: row.label,
      companyId: row.company_id,
      property: row.property,
      raw: row.raw,
      e164: row.e164,
      modifiedAt: row.modified_at === null ? null : new Date(row.modified_at),
    });
  }
  return records;
}

interface DbPhoneRow {
  object_type: PhoneObjectType;
  object_id: string;
  property: string;
  e164: string | null;
  raw: string;
  label: string | null;
  company_id: string | null;
  modified_at: string | Date | null;
}
