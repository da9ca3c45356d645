/**
 * HubSpot → the app (direction `to_remote` or `both`): contacts created or
 * changed in HubSpot since the last push that no record of the app stands for
 * yet become new records there (Sansan: `POST /bizCards`; its API cannot
 * update a card, so only new contacts are pushed). The link is stored with the
 * hash of the values the new record will map back to, so when it comes back
 * in the app's feed it is recognised as Spokes' own write and not bounced.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Client } from '@hubspot/api-client';
import { defineCheckpoint, type Checkpoints } from '../checkpoints.ts';
import { hashValues } from '../record-links.ts';
import { recordLinks } from '../schema.ts';
import { hubspotProperties, toRemoteValue, writesHubSpot, writesRemote } from './mappings.ts';
import { syncRecords } from './schema.ts';
import { emailKey } from './settings.ts';
import type { SaveEnv } from './save.ts';

const pushCheckpoint = z.object({ since: z.string() });

export interface PushResult {
  pushed: number;
  skipped: number;
  failed: number;
}

export async function pushNewContacts(
  env: SaveEnv & { createRemote: (values: Record<string, string>) => Promise<unknown>; startAt: Date },
  checkpoints: Checkpoints,
): Promise<PushResult> {
  const { def, settings, connectionId } = env;
  const result: PushResult = { pushed: 0, skipped: 0, failed: 0 };
  const toRemote = settings.mappings.filter(writesRemote);
  if (!toRemote.length) return result;
  const cp = defineCheckpoint(`${def.name}.push`, pushCheckpoint);
  const since = (await checkpoints.get(connectionId, cp))?.since ?? env.startAt.toISOString();
  const properties = [...new Set(['email', 'lastmodifieddate', ...toRemote.map((m) => m.hubspot)])];
  let after: string | undefined;
  let newest = since;
  for (let page = 0; page < 100; page++) {
    const answer = (await env.hub.search(
      (client: Client) =>
        client.crm.contacts.searchApi.doSearch({
          filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' as never, value: String(Date.parse(since)) }] }],
          sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
          properties,
          limit: 100,
          after: after as never,
        } as never),
      env.signal,
    )) as { results: { id: string; properties: Record<string, string | null> }[]; paging?: { next?: { after?: string } } };
    const emails = answer.results.map((r) => emailKey(r.properties.email)).filter((e): e is string => !!e);
    const known = new Set<string>();
    if (emails.length) {
      for (const l of await env.db
        .select({ id: recordLinks.remoteId })
        .from(recordLinks)
        .where(and(eq(recordLinks.connectionId, connectionId), eq(recordLinks.objectType, def.name), inArray(recordLinks.remoteId, emails))))
        known.add(l.id);
      for (const r of await env.db
        .select({ id: syncRecords.identity })
        .from(syncRecords)
        .where(and(eq(syncRecords.connectionId, connectionId), eq(syncRecords.sync, def.name), inArray(syncRecords.identity, emails))))
        if (r.id) known.add(r.id);
    }
    for (const contact of answer.results) {
      const modified = contact.properties.lastmodifieddate ?? since;
      if (modified > newest) newest = modified;
      const email = emailKey(contact.properties.email);
      if (!email || known.has(email)) {
        result.skipped++;
        continue;
      }
      const values: Record<string, string> = {};
      for (const m of toRemote) {
        const v = toRemoteValue(m, contact.properties[m.hubspot]);
        if (v !== null && m.remote.length === 1) values[m.remote[0]!] = v;
      }
      const base = {
        connector: env.connector,
        connectionId,
        target: env.connector,
        objectType: def.name,
        operation: 'create',
        cause: { type: 'record' as const, ref: `contact ${contact.id}` },
        idempotencyKey: `${env.connector}:${connectionId}:${def.name}:push:${contact.id}:${hashValues(values)}`,
      };
      try {
        const created = def.remote.parse(await env.createRemote(values));
        const src = def.toSource(created);
        // What the new record maps back to: equal to what HubSpot holds, so its return is not written again.
        const back = hubspotProperties(settings.mappings.filter(writesHubSpot), (f) => src.values[f] ?? null);
        back.email = email;
        await env.db.transaction(async (tx) => {
          await env.links.markSynced(
            { connectionId, objectType: def.name, remoteId: email },
            { hubspotId: contact.id, hashToHubspot: hashValues(back), hashToRemote: hashValues(values) },
            tx,
          );
          await tx
            .insert(syncRecords)
            .values({
              connectionId,
              sync: def.name,
              remoteId: src.id,
              identity: email,
              modifiedAt: src.modifiedAt,
              values: src.values,
              state: 'synced',
              hubspotId: contact.id,
            })
            .onConflictDoNothing();
          await env.audit.record({ ...base, objectId: src.id, outcome: 'succeeded' }, tx);
        });
        known.add(email);
        result.pushed++;
      } catch (err) {
        result.failed++;
        await env.audit.record({ ...base, outcome: 'failed', error: (err as Error).message });
        env.log.warn({ contactId: contact.id, err: (err as Error).message }, 'could not create the record in the app');
      }
    }
    after = answer.paging?.next?.after;
    if (!after) break;
  }
  await checkpoints.set(connectionId, cp, { since: newest });
  return result;
}
