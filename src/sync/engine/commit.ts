/**
 * The last step of saving a page: one transaction with the index rows
 * (`sync_records`), the record links (`hash_to_hubspot`), sync errors opened
 * and resolved, and one audit entry per write — multi-row statements, so a
 * page costs a handful of round trips whatever its size.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { AuditEntry } from '../audit-log.ts';
import { recordLinks, syncErrors } from '../schema.ts';
import type { PageRows } from './rows.ts';
import { syncRecords, type SourceState } from './schema.ts';
import type { SaveEnv } from './save.ts';
import type { SaveSummary } from './types.ts';

export interface GroupOutcome {
  state: SourceState;
  reason: string | null;
  hubspotId: string | null;
}

export interface PageOutcome {
  page: PageRows;
  /** Identity → its members (this page's and earlier ones'), its state, and the hash of what HubSpot holds from us. */
  groups: { identity: string; memberIds: string[]; outcome: GroupOutcome; hash: string | null; written: boolean }[];
  /** Identities every record of which left (their links become excluded). */
  left: string[];
  audits: AuditEntry[];
}

const CHUNK = 500;

export async function commitPage(env: SaveEnv, o: PageOutcome, summary: SaveSummary): Promise<void> {
  const { def, connectionId } = env;
  const { rows, failed } = o.page;
  const byIdentity = new Map(o.groups.map((g) => [g.identity, g]));
  const now = new Date();
  const indexRows = [...rows.values()].map((r) => {
    const gs = r.identity ? byIdentity.get(r.identity)?.outcome : undefined;
    if (r.state === 'excluded') summary.excluded++;
    return {
      connectionId,
      sync: def.name,
      remoteId: r.src.id,
      identity: r.identity,
      modifiedAt: r.src.modifiedAt,
      values: r.src.values,
      state: r.state === 'excluded' ? ('excluded' as const) : (gs?.state ?? 'synced'),
      reason: r.state === 'excluded' ? r.reason : (gs?.reason ?? null),
      hubspotId: gs?.hubspotId ?? null,
      updatedAt: now,
    };
  });
  for (const f of failed) {
    indexRows.push({
      connectionId,
      sync: def.name,
      remoteId: f.id,
      identity: null,
      modifiedAt: now,
      values: {},
      state: 'failing',
      reason: f.reason,
      hubspotId: null,
      updatedAt: now,
    });
  }
  // Earlier records of a group share its outcome.
  const earlier = o.groups.flatMap((g) =>
    g.memberIds.filter((id) => !rows.has(id)).map((id) => sql`(${id}, ${g.outcome.state}, ${g.outcome.reason}, ${g.outcome.hubspotId})`),
  );
  const synced = o.groups.filter((g) => g.outcome.state === 'synced' && g.outcome.hubspotId);
  await env.db.transaction(async (tx) => {
    if (indexRows.length)
      await tx.execute(sql`
        insert into ${syncRecords} (connection_id, sync, remote_id, identity, modified_at, values, state, reason, hubspot_id, updated_at)
        select ${connectionId}, ${def.name}, u.remote_id, u.identity, u.modified_at::timestamptz, u.values::jsonb, u.state, u.reason, u.hubspot_id, ${now}
        from unnest(${texts(indexRows.map((r) => r.remoteId))}, ${texts(indexRows.map((r) => r.identity))}, ${texts(indexRows.map((r) => r.modifiedAt.toISOString()))},
          ${texts(indexRows.map((r) => JSON.stringify(r.values)))}, ${texts(indexRows.map((r) => r.state))}, ${texts(indexRows.map((r) => r.reason))},
          ${texts(indexRows.map((r) => r.hubspotId))}) as u(remote_id, identity, modified_at, values, state, reason, hubspot_id)
        on conflict (connection_id, sync, remote_id) do update set identity = excluded.identity, modified_at = excluded.modified_at,
          values = excluded.values, state = excluded.state, reason = excluded.reason, hubspot_id = excluded.hubspot_id, updated_at = excluded.updated_at`);
    for (let i = 0; i < earlier.length; i += CHUNK) {
      await tx.execute(sql`
        update ${syncRecords} set state = v.state::text, reason = v.reason::text, hubspot_id = v.hubspot_id::text, updated_at = ${now}
        from (values ${sql.join(earlier.slice(i, i + CHUNK), sql`, `)}) as v(remote_id, state, reason, hubspot_id)
        where ${syncRecords.connectionId} = ${connectionId} and ${syncRecords.sync} = ${def.name} and ${syncRecords.remoteId} = v.remote_id::text`);
    }
    for (const identity of o.left) {
      await env.links.markExcluded({ connectionId, objectType: def.name, remoteId: identity }, 'no record of the app matches the filters any more', tx);
    }
    if (synced.length) await commitLinks(tx, env, synced, now);
    for (const g of o.groups) {
      const key = { connectionId, objectType: def.name, remoteId: g.identity };
      if (g.outcome.state === 'failing') {
        await env.links.markFailing(key, g.outcome.reason ?? 'failed', tx);
        summary.failing += g.memberIds.length;
        for (const id of g.memberIds.filter((m) => rows.has(m))) await recordError(env, id, g.outcome.reason ?? 'failed', tx);
      } else if (g.outcome.state === 'excluded') {
        await env.links.markExcluded(key, g.outcome.reason ?? 'excluded', tx);
        summary.excluded += g.memberIds.length;
      } else if (!g.written && g.outcome.hubspotId) summary.unchanged += g.memberIds.filter((id) => rows.has(id)).length;
    }
    for (const f of failed) {
      summary.failing++;
      await recordError(env, f.id, f.reason, tx);
    }
    await env.audit.record(o.audits, tx);
  });
}

/** The links of the groups now in sync (with the hash written), and their members' open sync errors resolved. */
async function commitLinks(tx: Db, env: SaveEnv, synced: PageOutcome['groups'], now: Date): Promise<void> {
  const { def, connectionId } = env;
  // Another identity's stale link to the same contact (its e-mail changed in HubSpot) gives way.
  const identities = texts(synced.map((g) => g.identity));
  const hubspotIds = texts(synced.map((g) => g.outcome.hubspotId));
  await tx.execute(sql`
    delete from ${recordLinks} where ${recordLinks.connectionId} = ${connectionId} and ${recordLinks.objectType} = ${def.name}
      and ${recordLinks.hubspotId} = any(${hubspotIds})
      and (${recordLinks.remoteId}, ${recordLinks.hubspotId}) not in (select * from unnest(${identities}, ${hubspotIds}))`);
  await tx.execute(sql`
    insert into ${recordLinks} (connection_id, object_type, remote_id, hubspot_id, state, reason, attempts, hash_to_hubspot, updated_at, synced_at)
    select ${connectionId}, ${def.name}, u.remote_id, u.hubspot_id, 'synced', null, 0, u.hash, ${now}, ${now}
    from unnest(${identities}, ${hubspotIds}, ${texts(synced.map((g) => g.hash))}) as u(remote_id, hubspot_id, hash)
    on conflict (connection_id, object_type, remote_id) do update set hubspot_id = excluded.hubspot_id, state = 'synced', reason = null, attempts = 0,
      hash_to_hubspot = excluded.hash_to_hubspot, updated_at = excluded.updated_at, synced_at = excluded.synced_at`);
  await tx
    .update(syncErrors)
    .set({ resolvedAt: now })
    .where(
      and(
        eq(syncErrors.connectionId, connectionId),
        eq(syncErrors.objectType, def.name),
        sql`${syncErrors.recordId} = any(${texts(synced.flatMap((g) => g.memberIds))})`,
        isNull(syncErrors.resolvedAt),
      ),
    );
}

/** A list as one `text[]` parameter (a page's rows in one statement, without a parameter per value). */
function texts(values: readonly (string | null)[]) {
  return sql`${sql.param(values)}::text[]`;
}

async function recordError(env: SaveEnv, remoteId: string, reason: string, tx: Db): Promise<void> {
  const retry = env.def.retry?.(env.connectionId, remoteId);
  await env.syncErrors.record(
    {
      connectionId: env.connectionId,
      category: /HubSpot refused/.test(reason) ? 'rejected' : 'validation',
      objectType: env.def.name,
      recordId: remoteId,
      reason,
      ...(retry ? { retry: retry as never } : {}),
    },
    tx,
  );
}
