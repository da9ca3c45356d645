/**
 * Fills and refreshes the phone index from HubSpot's search API (reference §3):
 * records sorted ascending by their last-modified property with a `GT` filter on
 * the cursor, 200 per page. A query can page through 10,000 results only, so
 * before the next page would cross that cap the query restarts from the last
 * timestamp it saw (`GT t-1`, re-reading the records tied on `t`; more than a
 * cap's worth sharing one timestamp are drained by id). The cursor is saved
 * after every page, so a killed build resumes where it stopped.
 *
 * - full build: every record; then rows it did not rewrite are removed (deleted in HubSpot);
 * - incremental pass: records modified since the cursor (minus an overlap, for
 *   search's indexing delay), plus the archived list to drop deleted records.
 * The first pass for a portal, or one after an interrupted build, is a full build.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { HubSpotApi } from '../api.ts';
import { HUBSPOT } from '../manifest.ts';
import { IndexCursors } from './index-cursors.ts';
import type { PhoneIndex, PhoneObjectType } from './phone-index.ts';
import { archivedIds, modifiedMs, searchPage, toPhoneRecord, type ApiRecord } from './hubspot-records.ts';

export type SyncMode = 'full' | 'incremental';

export interface PhoneIndexSyncOptions {
  database: Database;
  api: HubSpotApi;
  index: PhoneIndex;
  log: Logger;
  /** §3: 200 results per search page. */
  pageSize?: number;
  /** §3: 10,000 results per query. */
  resultCap?: number;
  /** Re-read this much before the incremental cursor: search indexes changes with a delay (§3). */
  overlapMs?: number;
  /** How long a pass holds its lease without saving progress. */
  leaseMs?: number;
  /** Pages of archived records the incremental pass reads to drop deleted ones. */
  archivedPages?: number;
  /** Called after each page (progress bars, tests). */
  onPage?(progress: PageProgress): void;
}

export interface PageProgress {
  objectType: PhoneObjectType;
  mode: SyncMode;
  records: number;
  /** Records read so far in this pass. */
  total: number;
  cursor: number;
}

export interface TypeReport {
  objectType: PhoneObjectType;
  /** What ran: a full build (new or resumed), an incremental pass, or nothing (another worker holds the lease). */
  ran: 'full' | 'resumed-full' | 'incremental' | 'busy' | 'lease-lost';
  records: number;
  searches: number;
  removed: number;
}

export class PhoneIndexSync {
  readonly #opts: Required<Omit<PhoneIndexSyncOptions, 'onPage'>> & Pick<PhoneIndexSyncOptions, 'onPage'>;
  readonly #cursors: IndexCursors;

  constructor(opts: PhoneIndexSyncOptions) {
    this.#opts = {
      pageSize: HUBSPOT.searchPageSize, resultCap: HUBSPOT.searchResultCap, overlapMs: 5 * 60_000, leaseMs: 120_000, archivedPages: 20,
      ...opts,
    };
    this.#cursors = new IndexCursors(opts.database.db);
  }

  /** Runs a pass for contacts, then companies, for the connected portal. */
  async run(mode: SyncMode, signal?: AbortSignal): Promise<TypeReport[]> {
    const portalId = await this.#opts.api.portalId();
    const reports: TypeReport[] = [];
    for (const type of ['contact', 'company'] as const) reports.push(await this.runType(portalId, type, mode, signal));
    return reports;
  }

  async runType(portalId: number, type: PhoneObjectType, mode: SyncMode, signal?: AbortSignal): Promise<TypeReport> {
    const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
    const { leaseMs } = this.#opts;
    if (!(await this.#cursors.acquire(portalId, type, owner, leaseMs))) {
      this.#opts.log.info({ objectType: type }, 'phone index: another worker is running a pass');
      return { objectType: type, ran: 'busy', records: 0, searches: 0, removed: 0 };
    }
    try {
      const state = (await this.#cursors.read(portalId, type))!;
      if (mode === 'full' || !state.lastFullBuildAt || state.buildStartedAt) return await this.#fullBuild(portalId, type, owner, state.buildStartedAt, state.buildCursor ?? 0, signal);
      return await this.#incremental(portalId, type, owner, state.modifiedAfter, signal);
    } finally {
      await this.#cursors.release(portalId, type, owner);
    }
  }

  async #fullBuild(portalId: number, type: PhoneObjectType, owner: string, startedAt: Date | null, from: number, signal?: AbortSignal): Promise<TypeReport> {
    const resumed = startedAt !== null;
    const buildStart = startedAt ?? await this.#cursors.startBuild(portalId, type, owner);
    const report: TypeReport = { objectType: type, ran: resumed ? 'resumed-full' : 'full', records: 0, searches: 0, removed: 0 };
    this.#opts.log.info({ objectType: type, resumed, from }, 'phone index: full build');
    // Pages save `t - 1` (records tied on t may continue on the next page); the scan's end saves t itself.
    let newest = resumed ? from : 0;
    for await (const page of this.#scan(type, resumed ? from : 0, report, signal)) {
      await this.#opts.index.upsert(portalId, page.records.map((r) => toPhoneRecord(type, r)));
      newest = Math.max(newest, page.lastModified);
      this.#progress(type, 'full', page.records.length, report, page.lastModified - 1);
      if (!(await this.#cursors.saveProgress(portalId, type, owner, { buildCursor: page.lastModified - 1 }, this.#opts.leaseMs))) return { ...report, ran: 'lease-lost' };
    }
    report.removed = await this.#opts.index.removeIndexedBefore(portalId, type, buildStart);
    if (!(await this.#cursors.finishBuild(portalId, type, owner, newest))) return { ...report, ran: 'lease-lost' };
    this.#opts.log.info({ objectType: type, records: report.records, removed: report.removed, searches: report.searches }, 'phone index: full build done');
    return report;
  }

  async #incremental(portalId: number, type: PhoneObjectType, owner: string, modifiedAfter: number, signal?: AbortSignal): Promise<TypeReport> {
    const report: TypeReport = { objectType: type, ran: 'incremental', records: 0, searches: 0, removed: 0 };
    let newest: number | undefined;
    for await (const page of this.#scan(type, Math.max(0, modifiedAfter - this.#opts.overlapMs), report, signal)) {
      await this.#opts.index.upsert(portalId, page.records.map((r) => toPhoneRecord(type, r)));
      newest = page.lastModified;
      this.#progress(type, 'incremental', page.records.length, report, page.lastModified - 1);
      if (!(await this.#cursors.saveProgress(portalId, type, owner, { modifiedAfter: page.lastModified - 1 }, this.#opts.leaseMs))) return { ...report, ran: 'lease-lost' };
    }
    // Everything up to the last timestamp was read (later arrivals at it are what the overlap re-reads).
    if (newest !== undefined && !(await this.#cursors.saveProgress(portalId, type, owner, { modifiedAfter: newest }, this.#opts.leaseMs))) return { ...report, ran: 'lease-lost' };
    // Search never returns deleted records: HubSpot lists them apart (archived=true).
    const deleted = await archivedIds(this.#opts.api, type, this.#opts.archivedPages, signal);
    for (let i = 0; i < deleted.ids.length; i += 1_000) report.removed += await this.#opts.index.remove(portalId, type, deleted.ids.slice(i, i + 1_000));
    if (!deleted.complete) this.#opts.log.info({ objectType: type, pages: this.#opts.archivedPages }, 'phone index: more deleted records than one pass reads; the nightly full build removes the rest');
    return report;
  }

  /**
   * Pages of records modified after `from`, ascending, each page's last timestamp with it.
   * Restarts the query before the result cap; drains timestamps shared by more records than the cap.
   */
  async *#scan(type: PhoneObjectType, from: number, report: TypeReport, signal?: AbortSignal): AsyncGenerator<{ records: ApiRecord[]; lastModified: number }> {
    const { pageSize, resultCap } = this.#opts;
    let cursor = from;
    let after = 0;
    let tie: { modifiedAt: number; afterId: string } | undefined;
    // Records at the restart timestamp the previous query already returned: not yielded twice.
    let boundary: { modifiedAt: number; ids: Set<string> } | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const page = await searchPage(this.#opts.api, type, { modifiedAfter: cursor, tie, after, limit: pageSize }, signal);
      report.searches++;
      const last = page.results.at(-1);
      const fresh = boundary ? page.results.filter((r) => !(boundary!.ids.has(r.id) && modifiedMs(type, r) === boundary!.modifiedAt)) : page.results;
      if (last && fresh.length) yield { records: fresh, lastModified: modifiedMs(type, last) };
      const next = page.paging?.next?.after;
      if (!last || next === undefined) {
        if (!tie) return;
        // That timestamp is drained: go on after it.
        cursor = tie.modifiedAt;
        tie = undefined;
        after = 0;
        continue;
      }
      if (Number(next) + pageSize <= resultCap) {
        after = Number(next);
        continue;
      }
      // The next page would cross the cap: restart from where this query got to.
      after = 0;
      if (tie) {
        tie.afterId = last.id;
        continue;
      }
      const lastModified = modifiedMs(type, last);
      if (lastModified - 1 <= cursor) {
        // A whole cap's worth of records share one timestamp: restarting at it would loop.
        tie = { modifiedAt: lastModified, afterId: '0' };
        boundary = undefined;
        continue;
      }
      cursor = lastModified - 1;
      boundary = { modifiedAt: lastModified, ids: new Set(page.results.filter((r) => modifiedMs(type, r) === lastModified).map((r) => r.id)) };
    }
  }

  #progress(type: PhoneObjectType, mode: SyncMode, records: number, report: TypeReport, cursor: number): void {
    report.records += records;
    this.#opts.onPage?.({ objectType: type, mode, records, total: report.records, cursor });
  }
}
