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
import { sql } from 'drizzle-orm';
import { hostname } from 'node:os';
import type { Database } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { HubSpotApi } from '../api.ts';
import { HUBSPOT } from '../manifest.ts';
import { IndexCursors } from './index-cursors.ts';
import type { PhoneIndex, PhoneObjectType } from './phone-index.ts';
import { archivedIds, modifiedMs, searchPage, toPhoneRecord, type ApiRecord, type SearchPage } from './hubspot-records.ts';

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
      pageSize: HUBSPOT.searchPageSize,
      resultCap: HUBSPOT.searchResultCap,
      overlapMs: 5 * 60_000,
      leaseMs: 120_000,
      archivedPages: 20,
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
      if (mode === 'full' || !state.lastFullBuildAt || state.buildStartedAt)
        return await this.#fullBuild(portalId, type, owner, state.buildStartedAt, state.buildCursor ?? 0, signal);
      return await this.#incremental(portalId, type, owner, state.modifiedAfter, signal);
    } finally {
      await this.#cursors.release(portalId, type, owner);
    }
  }

  async #fullBuild(portalId: number, type: PhoneObjectType, owner: string, startedAt: Date | null, from: number, signal?: AbortSignal): Promise<TypeReport> {
    const resumed = startedAt !== null;
    const buildStart = startedAt ?? (await this.#cursors.startBuild(portalId, type, owner));
    const report: TypeReport = { objectType: type, ran: resumed ? 'resumed-full' : 'full', records: 0, searches: 0, removed: 0 };
    this.#opts.log.info({ objectType: type, resumed, from }, 'phone index: full build');
    // Pages save `t - 1` (records tied on t may continue on the next page); the scan's end saves t itself.
    let newest = resumed ? from : 0;
    for await (const page of this.#scan(type, resumed ? from : 0, report, signal)) {
      await this.#opts.index.upsert(
        portalId,
        page.records.map((r) => toPhoneRecord(type, r)),
      );
      newest = Math.max(newest, page.lastModified);
      this.#progress(type, 'full', page.records.length, report, page.lastModified - 1);
      if (!(await this.#cursors.saveProgress(portalId, type, owner, { buildCursor: page.lastModified - 1 }, this.#opts.leaseMs)))
        return { ...report, ran: 'lease-lost' };
    }
    report.removed = await this.#opts.index.removeIndexedBefore(portalId, type, buildStart);
    if (!(await this.#cursors.finishBuild(portalId, type, owner, newest))) return { ...report, ran: 'lease-lost' };
    // A build rewrites every row: reclaim the old versions and refresh the planner's statistics
    // (PGlite has no autovacuum; on PostgreSQL this only comes earlier than autovacuum would).
    await this.#opts.database.query(sql`vacuum analyze phone_index`);
    await this.#opts.index.warm(portalId);
    this.#opts.log.info({ objectType: type, records: report.records, removed: report.removed, searches: report.searches }, 'phone index: full build done');
    return report;
  }

  async #incremental(portalId: number, type: PhoneObjectType, owner: string, modifiedAfter: number, signal?: AbortSignal): Promise<TypeReport> {
    const report: TypeReport = { objectType: type, ran: 'incremental', records: 0, searches: 0, removed: 0 };
    let newest: number | undefined;
    for await (const page of this.#scan(type, Math.max(0, modifiedAfter - this.#opts.overlapMs), report, signal)) {
      await this.#opts.index.upsert(
        portalId,
        page.records.map((r) => toPhoneRecord(type, r)),
      );
      newest = page.lastModified;
      this.#progress(type, 'incremental', page.records.length, report, page.lastModified - 1);
      if (!(await this.#cursors.saveProgress(portalId, type, owner, { modifiedAfter: page.lastModified - 1 }, this.#opts.leaseMs)))
        return { ...report, ran: 'lease-lost' };
    }
    // Everything up to the last timestamp was read (later arrivals at it are what the overlap re-reads).
    if (newest !== undefined && !(await this.#cursors.saveProgress(portalId, type, owner, { modifiedAfter: newest }, this.#opts.leaseMs)))
      return { ...report, ran: 'lease-lost' };
    // Search never returns deleted records: HubSpot lists them apart (archived=true).
    const deleted = await archivedIds(this.#opts.api, type, this.#opts.archivedPages, signal);
    for (let i = 0; i < deleted.ids.length; i += 1_000) report.removed += await this.#opts.index.remove(portalId, type, deleted.ids.slice(i, i + 1_000));
    if (!deleted.complete)
      this.#opts.log.info(
        { objectType: type, pages: this.#opts.archivedPages },
        'phone index: more deleted records than one pass reads; the nightly full build removes the rest',
      );
    return report;
  }

  /**
   * Pages of records modified after `from`, ascending, each page's last timestamp with it.
   * The next page is requested while the caller writes this one (the search budget, not the
   * database, then sets the pace).
   */
  async *#scan(type: PhoneObjectType, from: number, report: TypeReport, signal?: AbortSignal): AsyncGenerator<{ records: ApiRecord[]; lastModified: number }> {
    const fetchPage = (w: ScanWindow) => {
      signal?.throwIfAborted();
      const page = searchPage(this.#opts.api, type, { modifiedAfter: w.cursor, tie: w.tie, after: w.after, limit: this.#opts.pageSize }, signal);
      page.catch(() => {}); // awaited below; a consumer that stops early must not leave it unhandled
      return page;
    };
    let window: ScanWindow | null = { cursor: from, after: 0 };
    let pending = fetchPage(window);
    while (window) {
      const page = await pending;
      report.searches++;
      const current: ScanWindow = window;
      window = nextWindow(type, current, page, this.#opts.pageSize, this.#opts.resultCap);
      if (window) pending = fetchPage(window);
      const last = page.results.at(-1);
      const boundary = current.boundary;
      const fresh = boundary ? page.results.filter((r) => !(boundary.ids.has(r.id) && modifiedMs(type, r) === boundary.modifiedAt)) : page.results;
      if (last && fresh.length) yield { records: fresh, lastModified: modifiedMs(type, last) };
    }
  }

  #progress(type: PhoneObjectType, mode: SyncMode, records: number, report: TypeReport, cursor: number): void {
    report.records += records;
    this.#opts.onPage?.({ objectType: type, mode, records, total: report.records, cursor });
  }
}

interface ScanWindow {
  /** Records modified after this (ms)… */
  cursor: number;
  after: number;
  /** …or, while draining a timestamp shared by more records than the cap, that timestamp by id. */
  tie?: { modifiedAt: number; afterId: string };
  /** Records at the restart timestamp the previous query already returned: not yielded twice. */
  boundary?: { modifiedAt: number; ids: Set<string> };
}

/**
 * Where to read after `page`: its next page, or — when that page would cross the result cap —
 * the same query restarted from the last timestamp seen (`GT t-1`, so records tied on `t` are
 * not lost), or by id within one timestamp when a whole cap's worth share it. Null: done.
 */
function nextWindow(type: PhoneObjectType, w: ScanWindow, page: SearchPage, pageSize: number, resultCap: number): ScanWindow | null {
  const last = page.results.at(-1);
  const next = page.paging?.next?.after;
  if (!last || next === undefined) {
    // A drained timestamp: go on after it.
    return w.tie ? { cursor: w.tie.modifiedAt, after: 0 } : null;
  }
  if (Number(next) + pageSize <= resultCap) return { ...w, after: Number(next) };
  if (w.tie) return { cursor: w.cursor, after: 0, tie: { modifiedAt: w.tie.modifiedAt, afterId: last.id } };
  const lastModified = modifiedMs(type, last);
  // Restarting at a timestamp the window started from would loop: drain it by id.
  if (lastModified - 1 <= w.cursor) return { cursor: w.cursor, after: 0, tie: { modifiedAt: lastModified, afterId: '0' } };
  return {
    cursor: lastModified - 1,
    after: 0,
    boundary: { modifiedAt: lastModified, ids: new Set(page.results.filter((r) => modifiedMs(type, r) === lastModified).map((r) => r.id)) },
  };
}
