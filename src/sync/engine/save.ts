/**
 * One page of remote records through the engine: validate and filter
 * (`rows.ts`), group by identity and merge records sharing an e-mail (D8,
 * `groups.ts`), map and coerce, skip what HubSpot already holds from us (the
 * stored hash: echo suppression and de-duplication of the window overlap),
 * match by e-mail, apply the conflict rule, write 100 per call — then commit
 * the index, record links, sync errors and audit entries in one transaction
 * (`commit.ts`). A dry run stops before the writes.
 */
import type { Db } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { AuditEntry, AuditLog } from '../audit-log.ts';
import { hashValues, type RecordLinks } from '../record-links.ts';
import type { SyncErrors } from '../sync-errors.ts';
import { commitPage, type GroupOutcome } from './commit.ts';
import { conflictsNeedRead } from './plan.ts';
import { resolveToHubSpot } from './conflicts.ts';
import { loadGroups, type Group } from './groups.ts';
import { CoercionError, hubspotProperties, writesHubSpot } from './mappings.ts';
import { readRows, type PageRows } from './rows.ts';
import { filterReason, type SyncSettings } from './settings.ts';
import type { HubSpotContact, HubSpotSide } from './hubspot-side.ts';
import type { SaveSummary, SyncDefinition } from './types.ts';
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

export function saveRecords(env: SaveEnv, items: readonly unknown[]): Promise<SaveSummary> {
  return saveRows(env, readRows(env, items));
}

type Write = { g: Group; desired: Record<string, string>; hash: string };
type Op = { w: Write; op: 'create' | 'update' | 'upsert'; id?: string; properties: Record<string, string> };

/** Saves a page's validated rows; resolves once committed (the pipeline runs several at once, on disjoint identities). */
export async function saveRows(env: SaveEnv, page: PageRows): Promise<SaveSummary> {
  const { settings } = env;
  const summary: SaveSummary = { created: 0, updated: 0, unchanged: 0, excluded: 0, failing: 0 };
  const { rows, failed } = page;
  const t0 = performance.now();
  const { groups, left, links } = await loadGroups(env, page);
  const t1 = performance.now();

  // Map and coerce; what HubSpot already holds from us is not written again.
  const mappings = settings.mappings.filter(writesHubSpot);
  const toWrite: Write[] = [];
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
  const ops: Op[] = [];
  const groupState = new Map<string, GroupOutcome>();
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
    // No contact, or the linked one is gone (deleted in HubSpot): made (again).
    ops.push(existing ? { w, op: 'update', id: existing.id, properties } : { w, op: 'create', properties: w.desired });
  }

  if (env.preview) {
    env.preview.add({ rows: [...rows.values()], failed, groups, groupFailure, ops, unchanged: groups.length - toWrite.length, left });
    return env.preview.summaryOf(rows.size, failed.length, groupFailure.size, ops);
  }

  const audits = await writeOps(env, ops, groupState, summary);
  const t2 = performance.now();
  for (const [identity, reason] of groupFailure) groupState.set(identity, { state: 'failing', reason, hubspotId: links.get(identity)?.hubspotId ?? null });
  const written = new Set(ops.map((o) => o.w.g.identity));
  await commitPage(
    env,
    {
      page,
      groups: groups.map((g) => ({
        identity: g.identity,
        memberIds: g.memberIds,
        outcome: groupState.get(g.identity) ?? { state: 'synced', reason: null, hubspotId: g.link?.hubspotId ?? null },
        hash: groupHash.get(g.identity) ?? null,
        written: written.has(g.identity),
      })),
      left,
      audits,
    },
    summary,
  );
  const ms = (t: number) => Math.round(t);
  env.log.debug(
    { records: rows.size, writes: ops.length, groupsMs: ms(t1 - t0), writeMs: ms(t2 - t1), commitMs: ms(performance.now() - t2) },
    'saved a page (or part of one)',
  );
  return summary;
}

/** Writes 100 inputs per call, coalesced by the BatchWriter (with every other page in flight); each input gets its own answer. */
async function writeOps(env: SaveEnv, ops: Op[], groupState: Map<string, GroupOutcome>, summary: SaveSummary): Promise<AuditEntry[]> {
  const { def, connectionId } = env;
  const audits: AuditEntry[] = [];
  await Promise.all(
    ops.map(async (o) => {
      const { g } = o.w;
      const base = {
        connector: env.connector,
        connectionId,
        target: 'hubspot',
        objectType: 'contact',
        cause: { type: 'record' as const, ref: `${g.memberIds.map((id) => def.describe(id)).join(', ')} (${env.cause})` },
        idempotencyKey: `${env.connector}:${connectionId}:${def.name}:${g.identity}:${o.w.hash}`,
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
  return audits;
}
