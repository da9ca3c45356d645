/**
 * The property sync (M5–M7), HubSpot → Spokes: the listed Contact and Company
 * properties of every record, for the routing API — declared as a mirror of the
 * sync engine (src/sync/engine/mirror.ts), which does the reading: the full pass
 * by `hs_object_id` that drops unseen rows (nightly, and the manual button), the
 * incremental pass by last-modified time with a minute of overlap (every few
 * minutes), and the refresh of given ids (HubSpot webhooks). This file adds what
 * is the connector's own: the run lock and the manual rule (property-store.ts),
 * the sync test (M6), the sink that turns records into routing rows, and
 * HubSpot's owners.
 */
import type { ConnectorContext } from '../../platform/connector.ts';
import { defineMirror, type MirroredRecord, type MirrorSink } from '../../sync/engine/mirror.ts';
import { normalizeDomain, type CrmRow, type Owner, type PropertyStore, type SyncRun, type SyncState } from './property-store.ts';

type ObjectType = 'contact' | 'company';

export const propertyMirror = defineMirror<ObjectType>({
  name: 'booking.property-sync',
  objects: {
    company: { api: 'companies', lastModified: 'hs_lastmodifieddate', base: ['domain', 'name', 'hubspot_owner_id'] },
    contact: { api: 'contacts', lastModified: 'lastmodifieddate', base: ['email', 'hubspot_owner_id', 'associatedcompanyid'] },
  },
  overlapMs: 60_000,
});

/** The checkpoint of the property sync (its stored shape is unchanged since before the mirror). */
export const propertyCheckpoint = propertyMirror.checkpoint;

type Ctx = Pick<ConnectorContext, 'hubspot' | 'checkpoints' | 'audit'>;

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
      const api = propertyMirror.definition.objects[objectType].api;
      const all = await ctx.hubspot.call(`listing ${objectType} properties`, (c) => c.crm.properties.coreApi.getAll(api, false));
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
  async run(ctx: Ctx, connectionId: string, mode: SyncRun['mode'], trigger: SyncRun['trigger']): Promise<SyncRun | null> {
    if (!(await this.#store.begin(mode))) return null;
    const run: SyncRun = { mode, trigger, startedAt: new Date().toISOString(), finishedAt: '', contacts: 0, companies: 0, removed: 0, requests: 0 };
    let owners: Owner[] | undefined;
    try {
      const state = await this.#store.state();
      const pass = await propertyMirror.pass(ctx, this.sink(state), {
        connectionId,
        mode,
        properties: lists(state),
        cause: { type: trigger === 'manual' ? 'person' : 'schedule', ref: `${mode} property sync (${trigger})` },
      });
      Object.assign(run, { mode: pass.mode, contacts: pass.counts.contact, companies: pass.counts.company, removed: pass.removed, requests: pass.requests });
      owners = await this.#owners(ctx, run);
    } catch (err) {
      run.error = (err as Error).message;
      throw err;
    } finally {
      run.finishedAt = new Date().toISOString();
      await this.#store.finish(run, owners);
    }
    return run;
  }

  /** HubSpot said these records changed: read them now (no run lock: a write by id never conflicts with a pass). */
  async refresh(ctx: Pick<ConnectorContext, 'hubspot'>, ids: Partial<Record<ObjectType, readonly string[]>>) {
    const state = await this.#store.state();
    return propertyMirror.refresh(ctx, this.sink(state), ids, lists(state));
  }

  /** The mirror's sink: the routing rows of the store, with the listed properties of this run. */
  sink(state: Pick<SyncState, 'contactProperties' | 'companyProperties'>): MirrorSink<ObjectType> {
    const listed = lists(state);
    return {
      upsert: (type, records, fullPass) => this.#store.upsert(records.map((r) => toRow(type, r, listed[type], fullPass))),
      removeUnseen: (type, fullPass) => this.#store.removeUnseen(type, fullPass),
      remove: (type, ids) => this.#store.remove(type, ids),
      count: async () => {
        const n = await this.#store.counts();
        return { contact: n.contacts, company: n.companies };
      },
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

function lists(state: Pick<SyncState, 'contactProperties' | 'companyProperties'>): Record<ObjectType, readonly string[]> {
  return { contact: state.contactProperties, company: state.companyProperties };
}

function toRow(type: ObjectType, r: MirroredRecord, listed: readonly string[], fullRun: number | null): CrmRow {
  const p = r.properties;
  const properties = Object.fromEntries(listed.map((name) => [name, p[name] ?? null]));
  return {
    objectType: type,
    hubspotId: r.id,
    lookupKey: type === 'contact' ? p.email?.trim().toLowerCase() || null : p.domain ? normalizeDomain(p.domain) : null,
    ownerId: p.hubspot_owner_id || null,
    companyId: type === 'contact' ? p.associatedcompanyid || null : null,
    properties: type === 'company' ? { name: p.name ?? null, ...properties } : properties,
    modifiedAt: r.modifiedAt === null ? null : new Date(r.modifiedAt),
    fullRun,
    syncedAt: new Date(),
  };
}
