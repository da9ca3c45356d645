/**
 * A page's records grouped by identity with the records of the same identity
 * seen before (`sync_records`), merged newest-first field by field (D8), each
 * with its record link — and the identities every record of which has left
 * (their contact becomes excluded; never deleted in HubSpot, D7).
 */
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { RecordLink } from '../record-links.ts';
import { recordLinks } from '../schema.ts';
import { mergeNewest, type Merged } from './merge.ts';
import { storedIdentities, type PageRows } from './rows.ts';
import { syncRecords } from './schema.ts';
import type { SaveEnv } from './save.ts';

export interface Group {
  identity: string;
  email: string | null;
  merged: Merged;
  /** Every non-excluded member (this page's and earlier ones'). */
  memberIds: string[];
  link: RecordLink | null;
}

export async function loadGroups(env: SaveEnv, page: PageRows): Promise<{ groups: Group[]; left: string[]; links: Map<string, RecordLink> }> {
  const { def, connectionId } = env;
  const ids = [...page.rows.keys()];
  const before = await storedIdentities(env.db, connectionId, def.name, ids);
  const identities = new Set<string>();
  for (const r of page.rows.values()) if (r.identity) identities.add(r.identity);
  for (const identity of before.values()) if (identity) identities.add(identity);
  const idList = [...identities];
  const others = idList.length
    ? await env.db
        .select({ remoteId: syncRecords.remoteId, identity: syncRecords.identity, modifiedAt: syncRecords.modifiedAt, values: syncRecords.values })
        .from(syncRecords)
        .where(
          and(
            eq(syncRecords.connectionId, connectionId),
            eq(syncRecords.sync, def.name),
            inArray(syncRecords.identity, idList),
            sql`${syncRecords.state} <> 'excluded'`,
            ids.length ? notInArray(syncRecords.remoteId, ids) : undefined,
          ),
        )
    : [];
  const linkRows = idList.length
    ? await env.db
        .select()
        .from(recordLinks)
        .where(and(eq(recordLinks.connectionId, connectionId), eq(recordLinks.objectType, def.name), inArray(recordLinks.remoteId, idList)))
    : [];
  const links = new Map(linkRows.map((l) => [l.remoteId, l as unknown as RecordLink]));

  const members = new Map<string, { id: string; modifiedAt: Date; values: Record<string, string | null> }[]>();
  const add = (identity: string, m: { id: string; modifiedAt: Date; values: Record<string, string | null> }) => {
    const list = members.get(identity);
    if (list) list.push(m);
    else members.set(identity, [m]);
  };
  for (const r of page.rows.values()) if (r.identity) add(r.identity, r.src);
  for (const o of others) if (o.identity) add(o.identity, { id: o.remoteId, modifiedAt: o.modifiedAt, values: o.values });

  const groups: Group[] = [];
  const left: string[] = [];
  for (const identity of idList) {
    const list = members.get(identity) ?? [];
    const link = links.get(identity) ?? null;
    if (!list.length) {
      // Every record of this contact left (filter, e-mail changed): excluded, never deleted in HubSpot (D7, §B.5).
      if (link && link.state === 'synced') left.push(identity);
      continue;
    }
    groups.push({ identity, email: identity.startsWith('id:') ? null : identity, merged: mergeNewest(list), memberIds: list.map((m) => m.id), link });
  }
  return { groups, left, links };
}
