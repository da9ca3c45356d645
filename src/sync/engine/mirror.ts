/**
 * A HubSpot → Spokes mirror: the engine's other direction, for a connector that
 * keeps a local copy of some HubSpot properties (the booking connector's routing
 * data, issue 14 M5). A connector declares the object types and hands over a
 * sink (its own table); the mirror does the reading, the checkpoint, the audit
 * of each pass and the health counts:
 * - **full pass**: walks each object type by `hs_object_id` (`GT` the last id,
 *   200 a page — never near the search's 10,000-result ceiling), then the sink
 *   drops the rows the pass did not see (deleted or merged in HubSpot);
 * - **incremental pass**: the windowed loop by last-modified time, ascending,
 *   from the checkpoint less an overlap; past the ceiling the window restarts
 *   from the last timestamp read. Records read twice (the overlap, a restart's
 *   ties, a page boundary moving under an edit) are written once;
 * - **refresh**: reads given ids (a HubSpot webhook said they changed), writes
 *   what HubSpot holds and removes what it no longer has.
 * The checkpoint moves only after the sink committed the page it covers, so a
 * crash re-reads, never skips. docs/sync-engine.md, "HubSpot → Spokes mirrors".
 */
import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { SpokesError } from '../../errors.ts';
import type { HubSpotApi } from '../../hubspot/api.ts';
import type { Checkpoints } from '../checkpoints.ts';
import { defineCheckpoint } from '../checkpoints.ts';
import type { ConnectorAudit, CauseType } from '../audit-log.ts';

export const MIRROR_PAGE = 200;
/** HubSpot's search answers at most 10,000 results per query (reference §F). */
const SEARCH_CEILING = 10_000;
/** HubSpot's batch read takes 100 ids (reference §2.1). */
const BATCH_READ = 100;

export interface MirrorObject {
  /** HubSpot's API name (`contacts`, `companies`). */
  api: string;
  /** Its last-modified property: `lastmodifieddate` for contacts, `hs_lastmodifieddate` for the others (reference §2.4). */
  lastModified: string;
  /** Read on every record besides the listed properties (the sink's keys: e-mail, domain, owner…). */
  base: readonly string[];
}

/** One HubSpot record as read: every requested property (null when empty) and its last-modified time. */
export interface MirroredRecord {
  id: string;
  properties: Record<string, string | null>;
  modifiedAt: number | null;
}

/** Where a connector keeps its copy. Each call commits before it resolves. */
export interface MirrorSink<K extends string> {
  /** One page; `fullPass` is the start (ms) of the full pass that read it, null otherwise. */
  upsert(type: K, records: MirroredRecord[], fullPass: number | null): Promise<void>;
  /** After a full pass of `type`: drops the rows it did not see; answers how many. */
  removeUnseen(type: K, fullPass: number): Promise<number>;
  /** Drops records HubSpot no longer has (a refresh found them gone); answers how many. */
  remove(type: K, ids: readonly string[]): Promise<number>;
  /** Rows kept per object type: the mirror's health. */
  count(): Promise<Record<K, number>>;
}

export interface MirrorDefinition<K extends string> {
  /** The checkpoint's name and the audit's cause (`booking.property-sync`). */
  name: string;
  /** The object types, in the order a pass walks them. */
  objects: Record<K, MirrorObject>;
  /** The incremental window starts this long before the checkpoint (clock skew, late index updates). */
  overlapMs: number;
}

export interface MirrorPass<K extends string> {
  mode: 'full' | 'incremental';
  counts: Record<K, number>;
  removed: number;
  /** HubSpot requests the pass made. */
  requests: number;
}

/** What a pass needs of the connector's context. */
export interface MirrorDeps {
  hubspot: HubSpotApi;
  checkpoints: Checkpoints;
  audit: ConnectorAudit;
}

export interface PassOptions<K extends string> {
  /** Keys the checkpoint and the audit entries. */
  connectionId: string;
  mode: 'full' | 'incremental';
  /** The listed properties per object type (the base ones are always read). */
  properties: Record<K, readonly string[]>;
  cause: { type: CauseType; ref: string };
  /** Counted into the pass's `requests` (e.g. the connector's own calls in the same run). */
  onRequest?: () => void;
}

export const mirrorCheckpointSchema = z.record(z.string(), z.number().int().nonnegative());

export function defineMirror<K extends string>(def: MirrorDefinition<K>): HubSpotMirror<K> {
  return new HubSpotMirror(def);
}

export class HubSpotMirror<K extends string> {
  readonly definition: MirrorDefinition<K>;
  readonly checkpoint;
  constructor(def: MirrorDefinition<K>) {
    this.definition = def;
    this.checkpoint = defineCheckpoint(def.name, mirrorCheckpointSchema);
  }

  get types(): K[] {
    return Object.keys(this.definition.objects) as K[];
  }

  /**
   * One pass. With no checkpoint yet, an incremental pass is a full one. The audit log gets one
   * entry per pass (`succeeded` with the counts, or `failed` with the error, which is rethrown).
   */
  async pass(deps: MirrorDeps, sink: MirrorSink<K>, opts: PassOptions<K>): Promise<MirrorPass<K>> {
    const stored = (await deps.checkpoints.get(opts.connectionId, this.checkpoint)) ?? {};
    const mark = Object.fromEntries(this.types.map((t) => [t, stored[t] ?? 0])) as Record<K, number>;
    const full = opts.mode === 'full' || this.types.every((t) => mark[t] === 0);
    const pass: MirrorPass<K> = {
      mode: full ? 'full' : 'incremental',
      counts: Object.fromEntries(this.types.map((t) => [t, 0])) as Record<K, number>,
      removed: 0,
      requests: 0,
    };
    const startedAt = Date.now();
    const reader = new Reader(deps.hubspot, () => {
      pass.requests++;
      opts.onRequest?.();
    });
    const commit = (type: K, value: number) => {
      mark[type] = value;
      return deps.checkpoints.set(opts.connectionId, this.checkpoint, { ...mark });
    };
    try {
      for (const type of this.types) {
        const object = this.definition.objects[type];
        const props = [...new Set([...object.base, object.lastModified, ...opts.properties[type]])];
        const save = async (records: MirroredRecord[]) => {
          await sink.upsert(type, records, full ? startedAt : null);
          pass.counts[type] += records.length;
        };
        if (full) {
          await reader.walkById(object, props, save);
          pass.removed += await sink.removeUnseen(type, startedAt);
          await commit(type, Math.max(0, startedAt - this.definition.overlapMs));
        } else {
          await reader.walkModified(object, props, Math.max(0, mark[type] - this.definition.overlapMs), async (records, newest) => {
            await save(records);
            if (newest > mark[type]) await commit(type, newest);
          });
        }
      }
    } catch (err) {
      await this.#audit(deps, opts, pass, err as Error);
      throw err;
    }
    await this.#audit(deps, opts, pass);
    return pass;
  }

  /** Reads the given records (by id) and writes what HubSpot holds now; ids HubSpot lacks are removed. */
  async refresh(
    deps: Pick<MirrorDeps, 'hubspot'>,
    sink: MirrorSink<K>,
    ids: Partial<Record<K, readonly string[]>>,
    properties: Record<K, readonly string[]>,
  ): Promise<{ read: number; removed: number; requests: number }> {
    const report = { read: 0, removed: 0, requests: 0 };
    const reader = new Reader(deps.hubspot, () => report.requests++);
    for (const type of this.types) {
      const wanted = [...new Set(ids[type] ?? [])];
      if (!wanted.length) continue;
      const object = this.definition.objects[type];
      const { found, gone } = await reader.readByIds(object, [...new Set([...object.base, object.lastModified, ...properties[type]])], wanted);
      await sink.upsert(type, found, null);
      report.read += found.length;
      report.removed += await sink.remove(type, gone);
    }
    return report;
  }

  /** The health counts: rows kept per object type, and how far each incremental window has read. */
  async health(checkpoints: Checkpoints, sink: MirrorSink<K>, connectionId: string | null) {
    const mark = connectionId ? await checkpoints.get(connectionId, this.checkpoint) : undefined;
    return {
      counts: await sink.count(),
      readUpTo: Object.fromEntries(this.types.map((t) => [t, mark?.[t] ? new Date(mark[t]).toISOString() : null])) as Record<K, string | null>,
    };
  }

  async #audit(deps: MirrorDeps, opts: PassOptions<K>, pass: MirrorPass<K>, err?: Error) {
    const counts = this.types.map((t) => `${pass.counts[t]} ${this.definition.objects[t].api}`).join(', ');
    await deps.audit.record({
      connectionId: opts.connectionId,
      target: 'spokes',
      objectType: this.types.map((t) => this.definition.objects[t].api).join('+'),
      operation: `mirror ${pass.mode} pass: ${counts}, ${pass.removed} removed, ${pass.requests} HubSpot requests`,
      cause: opts.cause,
      idempotencyKey: null,
      outcome: err ? 'failed' : 'succeeded',
      error: err?.message ?? null,
    });
  }
}

type SearchRequest = Parameters<Client['crm']['objects']['searchApi']['doSearch']>[1];

/** The HubSpot reads of a pass, each counted. */
class Reader {
  readonly #hubspot: HubSpotApi;
  readonly #counted: () => void;
  constructor(hubspot: HubSpotApi, counted: () => void) {
    this.#hubspot = hubspot;
    this.#counted = counted;
  }

  async walkById(object: MirrorObject, props: string[], save: (records: MirroredRecord[]) => Promise<void>): Promise<void> {
    const pageAfter = (lastId: string) =>
      this.#search(object, {
        filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: lastId }] }],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties: props,
        limit: MIRROR_PAGE,
      });
    let page = await pageAfter('0');
    for (;;) {
      // The next page is asked for while this one is written: HubSpot's time and the database's overlap.
      const next = page.results.length === MIRROR_PAGE ? pageAfter(page.results.at(-1)!.id) : null;
      next?.catch(() => {});
      await save(page.results);
      if (!next) return;
      page = await next;
    }
  }

  /** Each page is handed over with the newest last-modified time read so far. */
  async walkModified(object: MirrorObject, props: string[], since: number, save: (records: MirroredRecord[], newest: number) => Promise<void>): Promise<void> {
    let from = since;
    let newest = 0;
    const written = new Map<string, number | null>();
    for (;;) {
      let after = 0;
      let lastSeen = from;
      for (;;) {
        const page = await this.#search(object, {
          filterGroups: [{ filters: [{ propertyName: object.lastModified, operator: 'GTE', value: String(from) }] }],
          sorts: [{ propertyName: object.lastModified, direction: 'ASCENDING' }],
          properties: props,
          limit: MIRROR_PAGE,
          after: String(after),
        });
        // De-dup: a record this pass already wrote at the same version is not written again.
        const fresh = page.results.filter((r) => !written.has(r.id) || written.get(r.id) !== r.modifiedAt);
        for (const r of page.results) {
          written.set(r.id, r.modifiedAt);
          lastSeen = Math.max(lastSeen, r.modifiedAt ?? 0);
        }
        newest = Math.max(newest, lastSeen);
        await save(fresh, newest);
        if (!page.next) return;
        after = Number(page.next);
        if (after + MIRROR_PAGE > SEARCH_CEILING) break;
      }
      // The ceiling: a new query from the last timestamp read (its ties are read again, and skipped).
      if (lastSeen <= from)
        throw new SpokesError('internal', `more than ${SEARCH_CEILING} ${object.api} records share one last-modified time: run a full sync`);
      from = lastSeen;
    }
  }

  async readByIds(object: MirrorObject, props: string[], ids: string[]): Promise<{ found: MirroredRecord[]; gone: string[] }> {
    const found: MirroredRecord[] = [];
    const gone: string[] = [];
    for (let i = 0; i < ids.length; i += BATCH_READ) {
      const chunk = ids.slice(i, i + BATCH_READ);
      this.#counted();
      const answer = await this.#hubspot.call(
        `mirror: read ${object.api}`,
        (c) => c.crm.objects.batchApi.read(object.api, { inputs: chunk.map((id) => ({ id })), properties: props, propertiesWithHistory: [] }, false),
        { rateLimitRetries: 5 },
      );
      const records = answer.results.map((r) => toRecord(object, r));
      found.push(...records);
      // A merged-away id answers with the surviving record, under the survivor's id: the old one is gone.
      const returned = new Set(records.map((r) => r.id));
      gone.push(...chunk.filter((id) => !returned.has(id)));
    }
    return { found, gone };
  }

  async #search(object: MirrorObject, request: Record<string, unknown>): Promise<{ results: MirroredRecord[]; next: string | undefined }> {
    this.#counted();
    const answer = await this.#hubspot.call(
      `mirror: search ${object.api}`,
      (c) => c.crm.objects.searchApi.doSearch(object.api, request as unknown as SearchRequest),
      {
        rateLimitRetries: 5,
      },
    );
    const seen = new Map<string, MirroredRecord>();
    for (const r of answer.results) seen.set(r.id, toRecord(object, r));
    return { results: [...seen.values()], next: answer.paging?.next?.after };
  }
}

function toRecord(object: MirrorObject, r: { id: string; properties: Record<string, string | null> }): MirroredRecord {
  const modified = Date.parse(r.properties[object.lastModified] ?? '');
  return { id: r.id, properties: r.properties, modifiedAt: Number.isNaN(modified) ? null : modified };
}
