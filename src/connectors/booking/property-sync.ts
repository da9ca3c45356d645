/**
 * The property sync (M5–M7), HubSpot → Spokes: the listed Contact and Company
 * properties of every record, for the routing API. A small puller of its own
 * until the generic sync engine (src/sync/, issue 12) lands, kept apart so it
 * can move onto it:
 * - full (nightly, and the manual button): walks each object type by
 *   `hs_object_id` (`GT` the last id, 200 a page — never near the search's
 *   10,000-result ceiling), then drops the rows it did not see;
 * - incremental (every few minutes): records modified since the checkpoint
 *   (`lastmodifieddate` for contacts, `hs_lastmodifieddate` for companies —
 *   HubSpot's names, reference §2.4), ascending, a minute of overlap; past the
 *   ceiling the window restarts from the last timestamp read.
 * The checkpoint (src/sync/checkpoints.ts) holds each type's last-modified mark.
 */
import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { SpokesError } from '../../errors.ts';
import { defineCheckpoint } from '../../sync/checkpoints.ts';
import type { ConnectorContext } from '../../platform/connector.ts';
import { normalizeDomain, type CrmRow, type Owner, type PropertyStore, type SyncRun } from './property-store.ts';

export const PAGE = 200;
/** HubSpot's search answers at most 10,000 results per query (reference §F). */
const SEARCH_CEILING = 10_000;
const OVERLAP_MS = 60_000;

export const propertyCheckpoint = defineCheckpoint(
  'booking.property-sync',
  z.object({ contact: z.number().int().nonnegative(), company: z.number().int().nonnegative() }),
);

const OBJECTS = {
  contact: { api: 'contacts', lastModified: 'lastmodifieddate', base: ['email', 'hubspot_owner_id', 'associatedcompanyid'] },
  company: { api: 'companies', lastModified: 'hs_lastmodifieddate', base: ['domain', 'name', 'hubspot_owner_id'] },
} as const;
type ObjectType = keyof typeof OBJECTS;

interface Found {
  id: string;
  properties: Record<string, string | null>;
}

export class PropertySync {
  readonly #store: PropertyStore;
  constructor(store: PropertyStore) {
    this.#store = store;
  }

  /** M6: every listed name exists in HubSpot? Reads the property lists only; writes nothing to HubSpot or the synced values. */
  async test(ctx: Pick<ConnectorContext, 'hubspot'>): Promise<{ at: string; ok: boolean; missing: { objectType: ObjectType; name: string }[] }> {
    const state = await this.#store.state();
    const missing: { objectType: ObjectType; name: string }[] = [];
    for (const [objectType, names] of [
      ['contact', state.contactProperties],
      ['company', state.companyProperties],
    ] as const) {
      if (names.length === 0) continue;
      const all = await ctx.hubspot.call(`listing ${objectType} properties`, (c) => c.crm.properties.coreApi.getAll(OBJECTS[objectType].api, false));
      const known = new Set(all.results.map((p) => p.name));
      for (const name of names) if (!known.has(name)) missing.push({ objectType, name });
    }
    const result = { at: new Date().toISOString(), ok: missing.length === 0, missing };
    await this.#store.saveTest(result);
    return result;
  }

  /**
   * One run. Answers null when another is running (the scheduler's turn is simply skipped).
   * `connectionId` keys the checkpoint: the booking connection the sync belongs to.
   */
  async run(
    ctx: Pick<ConnectorContext, 'hubspot' | 'checkpoints' | 'log'>,
    connectionId: string,
    mode: SyncRun['mode'],
    trigger: SyncRun['trigger'],
  ): Promise<SyncRun | null> {
    if (!(await this.#store.begin(mode))) return null;
    const startedAt = new Date();
    const run: SyncRun = { mode, trigger, startedAt: startedAt.toISOString(), finishedAt: '', contacts: 0, companies: 0, removed: 0, requests: 0 };
    let owners: Owner[] | undefined;
    try {
      const state = await this.#store.state();
      const lists = { contact: state.contactProperties, company: state.companyProperties };
      const mark = (await ctx.checkpoints.get(connectionId, propertyCheckpoint)) ?? { contact: 0, company: 0 };
      const full = mode === 'full' || (mark.contact === 0 && mark.company === 0);
      run.mode = full ? 'full' : 'incremental';
      const next = { ...mark };
      for (const type of ['company', 'contact'] as const) {
        const props = [...OBJECTS[type].base, OBJECTS[type].lastModified, ...lists[type]];
        const save = async (page: Found[]) => {
          await this.#store.upsert(page.map((r) => toRow(type, r, lists[type], full ? startedAt.getTime() : null)));
          run[type === 'contact' ? 'contacts' : 'companies'] += page.length;
        };
        if (full) {
          await this.#walkById(ctx, run, type, props, save);
          run.removed += await this.#store.removeUnseen(type, startedAt.getTime());
          next[type] = Math.max(0, startedAt.getTime() - OVERLAP_MS);
        } else {
          next[type] = await this.#walkModified(ctx, run, type, props, mark[type], save);
        }
      }
      owners = await this.#owners(ctx, run);
      await ctx.checkpoints.set(connectionId, propertyCheckpoint, next);
    } catch (err) {
      run.error = (err as Error).message;
      throw err;
    } finally {
      run.finishedAt = new Date().toISOString();
      await this.#store.finish(run, owners);
    }
    return run;
  }

  async #walkById(ctx: Pick<ConnectorContext, 'hubspot'>, run: SyncRun, type: ObjectType, props: string[], save: (p: Found[]) => Promise<void>) {
    const pageAfter = (lastId: string) =>
      this.#search(ctx, run, type, {
        filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: lastId }] }],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties: props,
        limit: PAGE,
      });
    let page = await pageAfter('0');
    for (;;) {
      // The next page is asked for while this one is written: HubSpot's time and the database's overlap.
      const next = page.results.length === PAGE ? pageAfter(page.results.at(-1)!.id) : null;
      next?.catch(() => {});
      await save(page.results);
      if (!next) return;
      page = await next;
    }
  }

  /** Answers the new mark: the newest last-modified time read, less the overlap. */
  async #walkModified(
    ctx: Pick<ConnectorContext, 'hubspot'>,
    run: SyncRun,
    type: ObjectType,
    props: string[],
    since: number,
    save: (p: Found[]) => Promise<void>,
  ): Promise<number> {
    const property = OBJECTS[type].lastModified;
    let from = Math.max(0, since - OVERLAP_MS);
    let newest = since;
    for (;;) {
      let after = 0;
      let lastSeen = from;
      for (;;) {
        const page = await this.#search(ctx, run, type, {
          filterGroups: [{ filters: [{ propertyName: property, operator: 'GTE', value: String(from) }] }],
          sorts: [{ propertyName: property, direction: 'ASCENDING' }],
          properties: props,
          limit: PAGE,
          after: String(after),
        });
        await save(page.results);
        for (const r of page.results) lastSeen = Math.max(lastSeen, Date.parse(r.properties[property] ?? '') || 0);
        newest = Math.max(newest, lastSeen);
        if (!page.next) return newest;
        after = Number(page.next);
        if (after + PAGE > SEARCH_CEILING) break;
      }
      // The ceiling: a new query from the last timestamp read (its ties are read again, harmlessly).
      if (lastSeen <= from) throw new SpokesError('internal', `more than ${SEARCH_CEILING} ${type} records share one last-modified time: run a full sync`);
      from = lastSeen;
    }
  }

  async #search(ctx: Pick<ConnectorContext, 'hubspot'>, run: SyncRun, type: ObjectType, request: Record<string, unknown>) {
    run.requests++;
    const answer = await ctx.hubspot.call(
      `property sync: search ${OBJECTS[type].api}`,
      (c: Client) =>
        c.crm.objects.searchApi.doSearch(OBJECTS[type].api, request as unknown as Parameters<Client['crm']['objects']['searchApi']['doSearch']>[1]),
      { rateLimitRetries: 5 },
    );
    return {
      results: answer.results.map((r) => ({ id: r.id, properties: r.properties as Record<string, string | null> })),
      next: answer.paging?.next?.after,
    };
  }

  async #owners(ctx: Pick<ConnectorContext, 'hubspot'>, run: SyncRun): Promise<Owner[]> {
    const owners: Owner[] = [];
    let after: string | undefined;
    do {
      run.requests++;
      const page = await ctx.hubspot.call('property sync: owners', (c) => c.crm.owners.ownersApi.getPage(undefined, after, 500, false));
      for (const o of page.results)
        owners.push({ id: o.id, email: o.email ?? '', name: [o.firstName, o.lastName].filter(Boolean).join(' ') || (o.email ?? o.id) });
      after = page.paging?.next?.after;
    } while (after);
    return owners;
  }
}

function toRow(type: ObjectType, r: Found, listed: string[], fullRun: number | null): CrmRow {
  const p = r.properties;
  const properties = Object.fromEntries(listed.map((name) => [name, p[name] ?? null]));
  const modified = Date.parse(p[OBJECTS[type].lastModified] ?? '');
  return {
    objectType: type,
    hubspotId: r.id,
    lookupKey: type === 'contact' ? p.email?.trim().toLowerCase() || null : p.domain ? normalizeDomain(p.domain) : null,
    ownerId: p.hubspot_owner_id || null,
    companyId: type === 'contact' ? p.associatedcompanyid || null : null,
    properties: type === 'company' ? { name: p.name ?? null, ...properties } : properties,
    modifiedAt: Number.isNaN(modified) ? null : new Date(modified),
    fullRun,
    syncedAt: new Date(),
  };
}
