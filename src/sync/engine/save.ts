/**
 * One page of remote records through the engine: validate (the sync's zod
 * model), filter (the connector's rule, the remote-side filters, the e-mail
 * switch), merge records sharing an e-mail (D8), map and coerce, skip what
 * HubSpot already holds from us (the stored hash: echo suppression and
 * de-duplication of the window overlap), match by e-mail, apply the conflict
 * rule, write 100 per call — then commit the index, record links, sync errors
 * and audit entries in one transaction. A dry run stops before the writes.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { AuditEntry, AuditLog } from '../audit-log.ts';
import { hashValues, type RecordLinks, type RecordLink } from '../record-links.ts';
import type { SyncErrors } from '../sync-errors.ts';
import { recordLinks, syncErrors } from '../schema.ts';
import { conflictsNeedRead } from './plan.ts';
import { resolveToHubSpot } from './conflicts.ts';
import { mergeNewest, type Merged } from './merge.ts';
import { CoercionError, hubspotProperties, writesHubSpot } from './mappings.ts';
import { emailKey, filterReason, type SyncSettings } from './settings.ts';
import { syncRecords, type SourceState } from './schema.ts';
import type { HubSpotContact, HubSpotSide } from './hubspot-side.ts';
import type { SaveSummary, SourceRecord, SyncDefinition } from './types.ts';
import type { Preview } from './preview.ts';

export interface SaveEnv {
  db: Db;
  def: SyncDefinition<any, any>;
  connector: string;
  connectionId: string;
  settings: SyncSettings;
  config: unknown;
  hub: HubSpotSide;
  links: RecordLinks;
  syncErrors: SyncErrors;
  audit: AuditLog;
  log: Logger;
  signal: AbortSignal;
  /** Dry run: decisions go here, nothing is written. */
  preview?: Preview;
  cause: string;
}

interface Row {
  src: SourceRecord;
  identity: string | null;
  state: SourceState;
  reason: string | null;
  hubspotId: string | null;
}

interface Group {
  identity: string;
  email: string | null;
  merged: Merged;
  /** Every non-excluded member (this page's and earlier ones'). */
  memberIds: string[];
  link: RecordLink | null;
}

export async function saveRecords(env: SaveEnv, items: readonly unknown[]): Promise<SaveSummary> {
  const { def, settings, connectionId } = env;
  const summary: SaveSummary = { created: 0, updated: 0, unchanged: 0, excluded: 0, failing: 0 };
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
  const ids = [...rows.keys()];
  // Where these records were before: a record whose e-mail changed (or that left the filter) leaves its old group.
  const before = ids.length
    ? await env.db
        .select({ remoteId: syncRecords.remoteId, identity: syncRecords.identity })
        .from(syncRecords)
        .where(and(eq(syncRecords.connectionId, connectionId), eq(syncRecords.sync, def.name), inArray(syncRecords.remoteId, ids)))
    : [];
  const identities = new Set<string>();
  for (const r of rows.values()) if (r.identity) identities.add(r.identity);
  for (const b of before) if (b.identity) identities.add(b.identity);
  const idList = [...identities];
  const others = idList.length
    ? await env.db
        .select()
        .from(syncRecords)
        .where(
          and(
            eq(syncRecords.connectionId, connectionId),
            eq(syncRecords.sync, def.name),
            inArray(syncRecords.identity, idList),
            sql`${syncRecords.state} <> 'excluded'`,
            ids.length
              ? sql`${syncRecords.remoteId} not in (${sql.join(
                  ids.map((i) => sql`${i}`),
                  sql`, `,
                )})`
              : undefined,
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

  const groups: Group[] = [];
  const leftGroups: string[] = [];
  for (const identity of idList) {
    const members = [
      ...[...rows.values()].filter((r) => r.identity === identity).map((r) => r.src),
      ...others.filter((o) => o.identity === identity).map((o) => ({ id: o.remoteId, modifiedAt: o.modifiedAt, values: o.values })),
    ];
    const link = links.get(identity) ?? null;
    if (!members.length) {
      // Every record of this contact left (filter, e-mail changed): excluded, never deleted in HubSpot (D7, §B.5).
      if (link && link.state === 'synced') leftGroups.push(identity);
      continue;
    }
    groups.push({
      identity,
      email: identity.startsWith('id:') ? null : identity,
      merged: mergeNewest(members),
      memberIds: members.map((m) => m.id),
      link,
    });
  }

  // Map and coerce; what HubSpot already holds from us is not written again.
  const mappings = settings.mappings.filter(writesHubSpot);
  const toWrite: { g: Group; desired: Record<string, string>; hash: string }[] = [];
  const groupFailure = new Map<string, string>();
  const groupHash = new Map<string, string>();
  for (const g of groups) {
    let desired: Record<string, string>;
    try {
      desired = hubspotProperties(mappings, (f) => g.merged.values[f] ?? null);
    } catch (err) {
      if (!(err instanceof CoercionError)) throw err;
      groupFailure.set(g.identity, err.message);
      continue;
    }
    if (g.email) desired.email = g.email;
    const hash = hashValues(desired);
    groupHash.set(g.identity, hash);
    if (g.link?.state === 'synced' && g.link.hashToHubspot === hash && g.link.hubspotId) continue;
    toWrite.push({ g, desired, hash });
  }

  // Match and resolve conflicts: read what HubSpot holds when the rule or a filter needs it (always in a dry run).
  const needRead = !!env.preview || conflictsNeedRead(settings);
  let found = { byEmail: new Map<string, HubSpotContact>(), byId: new Map<string, HubSpotContact>() };
  if (needRead && toWrite.length) {
    const props = [...new Set([...mappings.map((m) => m.hubspot), ...settings.filters.hubspot.map((f) => f.field)])];
    found = await env.hub.read(
      toWrite.filter((w) => w.g.email && !w.g.link?.hubspotId).map((w) => w.g.email!),
      toWrite.filter((w) => w.g.link?.hubspotId).map((w) => w.g.link!.hubspotId!),
      props,
      env.signal,
    );
  }
  type Op = { w: (typeof toWrite)[number]; op: 'create' | 'update' | 'upsert'; id?: string; properties: Record<string, string> };
  const ops: Op[] = [];
  const groupState = new Map<string, { state: SourceState; reason: string | null; hubspotId: string | null }>();
  for (const w of toWrite) {
    const { g } = w;
    const linkedId = g.link?.hubspotId ?? undefined;
    if (!needRead) {
      ops.push(
        linkedId
          ? { w, op: 'update', id: linkedId, properties: w.desired }
          : g.email
            ? { w, op: 'upsert', properties: w.desired }
            : { w, op: 'create', properties: w.desired },
      );
      continue;
    }
    const existing = linkedId ? found.byId.get(linkedId) : g.email ? found.byEmail.get(g.email) : undefined;
    const hsReason = existing && filterReason(settings.filters.hubspot, (f) => existing.properties[f]);
    if (hsReason) {
      groupState.set(g.identity, { state: 'excluded', reason: `HubSpot ${hsReason}`, hubspotId: existing.id });
      continue;
    }
    const properties = resolveToHubSpot(w.desired, existing, g.merged.newest, settings.conflict, settings.mappings);
    if (existing && Object.keys(properties).length === 0) {
      groupState.set(g.identity, { state: 'synced', reason: null, hubspotId: existing.id });
      continue;
    }
    if (existing) ops.push({ w, op: 'update', id: existing.id, properties });
    else if (linkedId)
      ops.push({ w, op: 'create', properties: w.desired }); // the linked contact is gone (deleted in HubSpot): made again
    else ops.push({ w, op: 'create', properties: w.desired });
  }

  if (env.preview) {
    env.preview.add({ rows: [...rows.values()], failed, groups, groupFailure, ops, unchanged: groups.length - toWrite.length, left: leftGroups });
    return env.preview.summaryOf(rows.size, failed.length, groupFailure.size, ops);
  }

  // Write: 100 inputs per call, coalesced by the BatchWriter; each input gets its own answer.
  const audits: AuditEntry[] = [];
  await Promise.all(
    ops.map(async (o) => {
      const { g } = o.w;
      const idempotencyKey = `${env.connector}:${connectionId}:${def.name}:${g.identity}:${o.w.hash}`;
      const base = {
        connector: env.connector,
        connectionId,
        target: 'hubspot',
        objectType: 'contact',
        cause: { type: 'record' as const, ref: `${g.memberIds.map((id) => def.describe(id)).join(', ')} (${env.cause})` },
        idempotencyKey,
      };
      try {
        const written =
          o.op === 'update'
            ? await env.hub.writer.update('contacts', { id: o.id!, properties: o.properties })
            : o.op === 'upsert'
              ? await env.hub.writer.upsert('contacts', { id: g.email!, idProperty: 'email', properties: o.properties })
              : await env.hub.writer.create('contacts', { properties: o.properties });
        const created = o.op === 'create' || (o.op === 'upsert' && written.created === true);
        if (created) summary.created++;
        else summary.updated++;
        audits.push({ ...base, objectId: written.id, operation: created ? 'create' : 'update', outcome: 'succeeded' });
        groupState.set(g.identity, { state: 'synced', reason: null, hubspotId: written.id });
      } catch (err) {
        const reason = (err as Error).message;
        audits.push({ ...base, objectId: o.id ?? null, operation: o.op === 'update' ? 'update' : 'create', outcome: 'failed', error: reason });
        groupState.set(g.identity, { state: 'failing', reason: `HubSpot refused the write: ${reason}`, hubspotId: o.id ?? null });
      }
    }),
  );
  for (const [identity, reason] of groupFailure) groupState.set(identity, { state: 'failing', reason, hubspotId: links.get(identity)?.hubspotId ?? null });
  for (const g of groups) if (!groupState.has(g.identity)) groupState.set(g.identity, { state: 'synced', reason: null, hubspotId: g.link?.hubspotId ?? null });

  // Commit the page: the index, links, errors and audit entries together.
  const now = new Date();
  await env.db.transaction(async (tx) => {
    const indexRows = [...rows.values()].map((r) => {
      const gs = r.identity ? groupState.get(r.identity) : undefined;
      const state = r.state === 'excluded' ? 'excluded' : (gs?.state ?? 'synced');
      if (r.state === 'excluded') summary.excluded++;
      return {
        connectionId,
        sync: def.name,
        remoteId: r.src.id,
        identity: r.identity,
        modifiedAt: r.src.modifiedAt,
        values: r.src.values,
        state,
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
    for (let i = 0; i < indexRows.length; i += 500) {
      await tx
        .insert(syncRecords)
        .values(indexRows.slice(i, i + 500))
        .onConflictDoUpdate({
          target: [syncRecords.connectionId, syncRecords.sync, syncRecords.remoteId],
          set: {
            identity: sql`excluded.identity`,
            modifiedAt: sql`excluded.modified_at`,
            values: sql`excluded.values`,
            state: sql`excluded.state`,
            reason: sql`excluded.reason`,
            hubspotId: sql`excluded.hubspot_id`,
            updatedAt: now,
          },
        });
    }
    // Earlier records of a group share its outcome.
    for (const g of groups) {
      const gs = groupState.get(g.identity)!;
      const earlier = g.memberIds.filter((id) => !rows.has(id));
      if (earlier.length)
        await tx
          .update(syncRecords)
          .set({ state: gs.state, reason: gs.reason, hubspotId: gs.hubspotId, updatedAt: now })
          .where(and(eq(syncRecords.connectionId, connectionId), eq(syncRecords.sync, def.name), inArray(syncRecords.remoteId, earlier)));
    }
    for (const identity of leftGroups) {
      await env.links.markExcluded({ connectionId, objectType: def.name, remoteId: identity }, 'no record of the app matches the filters any more', tx);
    }
    const synced = groups.filter((g) => {
      const gs = groupState.get(g.identity)!;
      return gs.state === 'synced' && gs.hubspotId;
    });
    if (synced.length) {
      // Another identity's stale link to the same contact (its e-mail changed in HubSpot) gives way.
      const pairs = sql.join(
        synced.map((g) => sql`(${g.identity}, ${groupState.get(g.identity)!.hubspotId})`),
        sql`, `,
      );
      await tx.execute(sql`
        delete from ${recordLinks} where ${recordLinks.connectionId} = ${connectionId} and ${recordLinks.objectType} = ${def.name}
          and ${recordLinks.hubspotId} in (${sql.join(
            synced.map((g) => sql`${groupState.get(g.identity)!.hubspotId}`),
            sql`, `,
          )})
          and (${recordLinks.remoteId}, ${recordLinks.hubspotId}) not in (${pairs})`);
      for (let i = 0; i < synced.length; i += 500) {
        const chunk = synced.slice(i, i + 500).map((g) => ({
          connectionId,
          objectType: def.name,
          remoteId: g.identity,
          hubspotId: groupState.get(g.identity)!.hubspotId,
          state: 'synced' as const,
          reason: null,
          attempts: 0,
          hashToHubspot: groupHash.get(g.identity) ?? null,
          updatedAt: now,
          syncedAt: now,
        }));
        await tx
          .insert(recordLinks)
          .values(chunk)
          .onConflictDoUpdate({
            target: [recordLinks.connectionId, recordLinks.objectType, recordLinks.remoteId],
            set: {
              hubspotId: sql`excluded.hubspot_id`,
              state: 'synced',
              reason: null,
              attempts: 0,
              hashToHubspot: sql`excluded.hash_to_hubspot`,
              updatedAt: now,
              syncedAt: now,
            },
          });
      }
      const memberIds = synced.flatMap((g) => g.memberIds);
      for (let i = 0; i < memberIds.length; i += 1_000) {
        await tx
          .update(syncErrors)
          .set({ resolvedAt: now })
          .where(
            and(
              eq(syncErrors.connectionId, connectionId),
              eq(syncErrors.objectType, def.name),
              inArray(syncErrors.recordId, memberIds.slice(i, i + 1_000)),
              isNull(syncErrors.resolvedAt),
            ),
          );
      }
      for (const g of synced) if (ops.every((o) => o.w.g !== g)) summary.unchanged += g.memberIds.filter((id) => rows.has(id)).length;
    }
    for (const g of groups) {
      const gs = groupState.get(g.identity)!;
      const key = { connectionId, objectType: def.name, remoteId: g.identity };
      if (gs.state === 'failing') {
        await env.links.markFailing(key, gs.reason ?? 'failed', tx);
        summary.failing += g.memberIds.length;
        for (const id of g.memberIds.filter((m) => rows.has(m))) await recordError(env, id, gs.reason ?? 'failed', tx);
      } else if (gs.state === 'excluded') {
        await env.links.markExcluded(key, gs.reason ?? 'excluded', tx);
        summary.excluded += g.memberIds.length;
      }
    }
    for (const f of failed) {
      summary.failing++;
      await recordError(env, f.id, f.reason, tx);
    }
    await env.audit.record(audits, tx);
  });
  return summary;
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
