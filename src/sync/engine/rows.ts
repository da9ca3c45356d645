/**
 * The first step of saving a page, with no database: each remote record
 * validated with the sync's zod model (a bad record fails alone), then the
 * connector's rule, the remote-side filters and the valid-e-mail switch (→
 * excluded with the reason), and its identity — the e-mail lower-cased, or
 * `id:<remote id>` when the switch is off and there is none. Also where the
 * records were before (their stored identity), for a record that changes group.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import { emailKey, filterReason, type SyncSettings } from './settings.ts';
import { syncRecords, type SourceState } from './schema.ts';
import type { SourceRecord, SyncDefinition } from './types.ts';

export interface Row {
  src: SourceRecord;
  identity: string | null;
  state: SourceState;
  reason: string | null;
  hubspotId: string | null;
}

/** A page's records: the valid ones by remote id (the newest of duplicates), and those that failed validation. */
export interface PageRows {
  rows: Map<string, Row>;
  failed: { id: string; reason: string }[];
}

export interface RowsEnv {
  def: SyncDefinition<any, any>;
  settings: SyncSettings;
  config: unknown;
  log: Logger;
}

export function readRows(env: RowsEnv, items: readonly unknown[]): PageRows {
  const { def, settings } = env;
  const rows = new Map<string, Row>();
  const failed: { id: string; reason: string }[] = [];
  for (const item of items) {
    const parsed = def.remote.safeParse(item);
    if (!parsed.success) {
      const id = String((item as { id?: unknown })?.id ?? '');
      const reason = `the app's record does not fit: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      if (id) failed.push({ id, reason });
      else env.log.warn({ reason }, 'a record without an id was skipped');
      continue;
    }
    const src = def.toSource(parsed.data);
    const prev = rows.get(src.id);
    if (prev && prev.src.modifiedAt >= src.modifiedAt) continue;
    const rawEmail = src.values[def.emailField];
    const key = emailKey(rawEmail);
    let reason = def.include?.(parsed.data, env.config) ?? filterReason(settings.filters.remote, (f) => src.values[f]);
    if (!reason && !key && settings.emailOnly) reason = rawEmail?.trim() ? `invalid e-mail "${rawEmail.trim()}"` : 'no e-mail';
    rows.set(src.id, { src, identity: reason ? null : (key ?? `id:${src.id}`), state: reason ? 'excluded' : 'synced', reason, hubspotId: null });
  }
  return { rows, failed };
}

/** The stored identity of each of these records (a record whose e-mail changed, or that left the filter, leaves its old group). */
export async function storedIdentities(db: Db, connectionId: string, sync: string, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (!ids.length) return new Map();
  const before = await db
    .select({ remoteId: syncRecords.remoteId, identity: syncRecords.identity })
    .from(syncRecords)
    .where(and(eq(syncRecords.connectionId, connectionId), eq(syncRecords.sync, sync), inArray(syncRecords.remoteId, [...ids])));
  return new Map(before.map((b) => [b.remoteId, b.identity]));
}

/** The newest and oldest modification time of a page's valid records (0 and Infinity when none). */
export function timeSpan(page: PageRows): { newest: number; oldest: number } {
  let newest = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const r of page.rows.values()) {
    const t = r.src.modifiedAt.getTime();
    if (t > newest) newest = t;
    if (t && t < oldest) oldest = t;
  }
  return { newest, oldest };
}
