/**
 * The call history (T8): every call Spokes handled, newest first, with the
 * filters an admin expects from a phone system's call log — search by number
 * or name, user, direction, answered / missed, logged / not logged, a date
 * range — paged by a keyset cursor, so page 50 costs what page 1 does. One
 * query shape for the admin's list, the CSV export and a salesperson's own
 * calls; each filter is served by an index of migration 0006 on both engines.
 * The calling widget's own `widget:` rows are not calls of their own: hidden.
 */
import { and, desc, eq, getTableColumns, gte, lt, ne, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/open.ts';
import { ValidationError } from '../../errors.ts';
import { callLogs } from './schema.ts';

export const CALL_STATES = ['writing', 'logged', 'skipped', 'retrying', 'failed'] as const;

/** ISO instant (with offset), or a calendar date (UTC day). */
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** The filters, as query parameters. Unknown parameters are refused, so a misspelt filter never silently shows everything. */
export const historyFilterSchema = z
  .object({
    /** A number (any part of it, in any format) or the first letters of the contact's or company's name. */
    q: z.string().trim().max(100).optional(),
    /** The HubSpot user (owner id). */
    ownerId: z.string().trim().regex(/^\d+$/, 'must be a HubSpot owner id').optional(),
    direction: z.enum(['inbound', 'outbound', 'internal']).optional(),
    /** answered; missed (inbound, not answered); unanswered (outbound, not answered). */
    outcome: z.enum(['answered', 'missed', 'unanswered']).optional(),
    /** logged; not_logged (any other state); or one state. */
    logged: z.enum(['logged', 'not_logged', 'skipped', 'retrying', 'failed', 'writing']).optional(),
    /** Calls that started at or after `from` and before `to` (a date `to` includes its whole day). */
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict();

export const historyPageSchema = historyFilterSchema
  .extend({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict()
  .refine((q) => !q.from || !q.to || rangeOf(q).from! < rangeOf(q).to!, { message: 'must be after `from`', path: ['to'] });

export type HistoryFilter = z.output<typeof historyFilterSchema>;
export type HistoryPage = z.output<typeof historyPageSchema>;

/** A page ends after this row: `(started_at, cdr_id)`, opaque to clients. */
interface Cursor {
  startedAt: Date;
  cdrId: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.startedAt.toISOString(), c.cdrId])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const [at, cdrId] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    const startedAt = new Date(String(at));
    if (typeof cdrId === 'string' && typeof at === 'string' && !Number.isNaN(startedAt.getTime())) return { startedAt, cdrId };
  } catch {
    /* reported below */
  }
  throw new ValidationError('query.cursor: not a cursor this server gave (use nextCursor from the previous page)', [
    { field: 'query.cursor', message: 'not a cursor this server gave' },
  ]);
}

function rangeOf(f: Pick<HistoryFilter, 'from' | 'to'>): { from?: Date; to?: Date } {
  const day = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
  return {
    from: f.from ? new Date(day(f.from) ? `${f.from}T00:00:00Z` : f.from) : undefined,
    // A calendar date as the end includes that day.
    to: f.to ? new Date(day(f.to) ? Date.parse(`${f.to}T00:00:00Z`) + 86_400_000 : Date.parse(f.to)) : undefined,
  };
}

/**
 * The search box as a full-text query over `call_logs.search` (migration 0006): the document holds
 * the name's words and every digit suffix of the number, so each typed word is a prefix query. A
 * query made only of phone characters is one number (`+1 (415) 555` → `1415555:*`). Null: nothing
 * left to search for.
 */
export function searchQuery(q: string): string | null {
  const text = q.trim();
  if (/^[\d\s()+./-]+$/.test(text)) {
    const digits = text.replace(/\D/g, '');
    return digits ? `'${digits}':*` : null;
  }
  // Only letters and digits reach to_tsquery: its operators (& | ! : * ( ) ') cannot be injected.
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
  return words.length ? words.map((w) => `'${w}':*`).join(' & ') : null;
}

/** The WHERE clause of the filters. */
export function historyWhere(f: HistoryFilter): SQL {
  const parts: (SQL | undefined)[] = [];
  if (f.ownerId) parts.push(eq(callLogs.ownerId, f.ownerId));
  if (f.direction) parts.push(eq(callLogs.direction, f.direction));
  if (f.outcome === 'answered') parts.push(eq(callLogs.status, 'answered'));
  if (f.outcome === 'missed') parts.push(eq(callLogs.direction, 'inbound'), ne(callLogs.status, 'answered'));
  if (f.outcome === 'unanswered') parts.push(ne(callLogs.direction, 'inbound'), ne(callLogs.status, 'answered'));
  // Written as the partial index's predicate, so the planner uses it.
  if (f.logged === 'not_logged') parts.push(sql`${callLogs.state} <> 'logged'`);
  else if (f.logged === 'logged') parts.push(eq(callLogs.state, 'logged'));
  else if (f.logged) parts.push(eq(callLogs.state, f.logged), sql`${callLogs.state} <> 'logged'`);
  const { from, to } = rangeOf(f);
  if (from) parts.push(gte(callLogs.startedAt, from));
  if (to) parts.push(lt(callLogs.startedAt, to));
  const tsquery = f.q ? searchQuery(f.q) : null;
  if (tsquery) parts.push(sql`${callLogs.search} @@ to_tsquery('simple', ${tsquery})`);
  return and(...parts) ?? sql`true`;
}

export type HistoryRow = typeof callLogs.$inferSelect;

/** The columns a list shows (not the search document). */
const { search: _search, ...listed } = getTableColumns(callLogs);

/** One page, newest first: `limit` rows and the cursor of the next page (null on the last). */
export async function readHistoryPage(db: Db, page: HistoryPage): Promise<{ rows: HistoryRow[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const where = after
    ? // A row comparison: one range condition on the (started_at, cdr_id) indexes.
      and(historyWhere(page), sql`(${callLogs.startedAt}, ${callLogs.cdrId}) < (${after.startedAt.toISOString()}::timestamptz, ${after.cdrId})`)
    : historyWhere(page);
  const rows = (await db
    .select(listed)
    .from(callLogs)
    .where(where)
    .orderBy(desc(callLogs.startedAt), desc(callLogs.cdrId))
    .limit(page.limit + 1)) as HistoryRow[];
  const more = rows.length > page.limit;
  if (more) rows.pop();
  const last = rows.at(-1);
  return { rows, nextCursor: more && last ? encodeCursor(last) : null };
}

/** Every row matching the filters, newest first, `chunk` rows per query (the CSV export). */
export async function* readHistory(db: Db, filter: HistoryFilter, chunk = 1000): AsyncGenerator<HistoryRow[]> {
  let cursor: string | undefined;
  do {
    const page = await readHistoryPage(db, { ...filter, cursor, limit: chunk } as HistoryPage);
    if (page.rows.length) yield page.rows;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
