/**
 * The sync engine (issue 13): runs a declared sync for one connection — the
 * initial pass, then incremental passes, one windowed loop whose checkpoint
 * advances only after each page's writes have committed — or previews it (dry
 * run), reports its health and resyncs records. One pass per connection at a
 * time in this process; passes run in the one process that runs the
 * connector's stream, so they never overlap across processes either.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { HubSpotApi } from '../../hubspot/api.ts';
import type { Logger } from '../../logger.ts';
import type { AuditLog } from '../audit-log.ts';
import type { Checkpoints } from '../checkpoints.ts';
import type { RecordLinks } from '../record-links.ts';
import type { SyncErrors } from '../sync-errors.ts';
import { recordLinks } from '../schema.ts';
import { HubSpotSide } from './hubspot-side.ts';
import { validateMappings } from './mappings.ts';
import { settingsHash } from './plan.ts';
import { Preview, type PreviewReport } from './preview.ts';
import { saveRecords, type SaveEnv } from './save.ts';
import { pushNewContacts } from './push.ts';
import { PagePipeline } from './pipeline.ts';
import { PassGate, PassRunningError } from './pass-lock.ts';
import { readRows, timeSpan } from './rows.ts';
import { syncRecords } from './schema.ts';
import type { SyncSettings } from './settings.ts';
import type { PullOptions, SaveSummary, SyncDefinition, SyncRunContext, WindowCheckpoint } from './types.ts';

export interface SyncEngineDeps {
  db: Db;
  hubspot: () => HubSpotApi;
  links: RecordLinks;
  checkpoints: Checkpoints;
  syncErrors: SyncErrors;
  audit: AuditLog;
  log: Logger;
}

export interface RunOptions<Config> {
  connectionId: string;
  settings: SyncSettings;
  config: Config;
  /** For the audit log: why this pass runs (`initial pass`, `incremental pass`, `resync`). */
  cause?: string;
  signal?: AbortSignal;
}

export interface PassResult extends SaveSummary {
  initial: boolean;
  /** HubSpot contacts created in the app (direction to_remote or both). */
  pushed?: number;
  pages: number;
  hubspotRequests: number;
}

/** A connector's view of the engine: bound to its slug. */
export type ConnectorSyncEngine = ReturnType<SyncEngine['forConnector']>;

export class SyncEngine {
  readonly #deps: SyncEngineDeps;
  readonly #passes: PassGate;

  constructor(deps: SyncEngineDeps) {
    this.#deps = deps;
    this.#passes = new PassGate(deps.db);
  }

  forConnector(connector: string) {
    return {
      run: <R, C>(def: SyncDefinition<R, C>, opts: RunOptions<C>) => this.run(connector, def, opts),
      dryRun: <R, C>(def: SyncDefinition<R, C>, opts: RunOptions<C> & { limit?: number }) => this.dryRun(connector, def, opts),
      resync: <R, C>(def: SyncDefinition<R, C>, opts: RunOptions<C> & { remoteIds: readonly string[] }) => this.resync(connector, def, opts),
      resyncAll: (def: SyncDefinition<any, any>, connectionId: string) => this.resyncAll(def, connectionId),
      health: (def: SyncDefinition<any, any>, connectionId: string) => this.health(def, connectionId),
      validate: (def: SyncDefinition<any, any>, settings: SyncSettings, signal?: AbortSignal) => this.validate(def, settings, signal),
    };
  }

  /** Mappings checked against HubSpot's contact property definitions (and the app's fields): a 400 naming each bad one. */
  async validate(def: SyncDefinition<any, any>, settings: SyncSettings, signal?: AbortSignal): Promise<void> {
    const properties = await new HubSpotSide(this.#deps.hubspot(), this.#deps.log).properties(signal);
    validateMappings(settings.mappings, properties, def.remoteFields);
  }

  /** One pass: initial while the initial pass is not done (or the settings changed), else incremental. */
  async run<R, C>(connector: string, def: SyncDefinition<R, C>, opts: RunOptions<C>): Promise<PassResult> {
    return this.#passes.exclusive(opts.connectionId, def.name, async (lockLost) => {
      // The pass stops when its lock goes (another process may take it); the caller's signal stops it too.
      opts = { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, lockLost]) : lockLost };
      const hub = new HubSpotSide(this.#deps.hubspot(), this.#deps.log);
      const hash = settingsHash(opts.settings, opts.config);
      let cp = await this.#deps.checkpoints.get(opts.connectionId, def.checkpoint);
      if (!cp || cp.settingsHash !== hash) {
        // New or changed settings: the initial pass again, every record re-evaluated (its stored hash forgotten).
        if (cp) await this.#forgetHashes(opts.connectionId, def.name);
        cp = { watermark: null, initialDone: false, settingsHash: hash, initialFrom: null, initialTo: null, processed: 0, lastPassAt: null };
        await this.#deps.checkpoints.set(opts.connectionId, def.checkpoint, cp);
      }
      const initial = !cp.initialDone;
      const result: PassResult = { initial, pages: 0, created: 0, updated: 0, unchanged: 0, excluded: 0, failing: 0, hubspotRequests: 0 };
      const ctx = this.#context(connector, def, opts, hub, undefined, initial ? 'initial pass' : 'incremental pass');
      const state = { cp };
      const env = this.#env(connector, def, opts, hub, initial ? 'initial pass' : 'incremental pass');
      ctx.pull = async (pull) => {
        const s = await this.#pull(env, opts, pull, state, result);
        await hub.flush();
        return s;
      };
      await def.run(ctx);
      if (opts.settings.direction !== 'to_hubspot' && def.createRemote) {
        // HubSpot → the app: contacts changed since two-way (or HubSpot → app) was switched on and not in the app yet.
        const createRemote = def.createRemote.bind(def);
        result.pushed = (
          await pushNewContacts(
            { ...this.#env(connector, def, opts, hub, 'push'), createRemote: (values) => createRemote(values, ctx), startAt: new Date() },
            this.#deps.checkpoints,
          )
        ).pushed;
      }
      result.hubspotRequests = hub.requests;
      return result;
    });
  }

  async #pull<C>(env: SaveEnv, opts: RunOptions<C>, pull: PullOptions, state: { cp: WindowCheckpoint }, result: PassResult): Promise<SaveSummary> {
    const { def } = env;
    const signal = opts.signal ?? new AbortController().signal;
    const from = state.cp.watermark ? new Date(Math.max(pull.epoch.getTime(), Date.parse(state.cp.watermark) - pull.overlapMs)) : pull.epoch;
    // Open-ended: the remote's clock is not ours (a window ending at our "now" would miss a card stamped by a clock ahead).
    const to = new Date(Math.max(Date.now(), from.getTime()) + OPEN_END_MS);
    if (from >= to) return result;
    const pipeline = new PagePipeline(env);
    // Pages whose writes are in flight, in order; the checkpoint passes a page only once it and every page before it have committed.
    const inFlight: { done: Promise<SaveSummary>; settled: boolean; newest: number; oldest: number; count: number }[] = [];
    const settleHead = async () => {
      const page = inFlight[0]!;
      const summary = await page.done;
      inFlight.shift();
      result.pages++;
      for (const k of ['created', 'updated', 'unchanged', 'excluded', 'failing'] as const) result[k] += summary[k];
      const newest = Math.max(page.newest, state.cp.watermark ? Date.parse(state.cp.watermark) : 0);
      // The initial pass's progress bar runs from its oldest record to the time it started.
      if (!state.cp.initialDone && !state.cp.initialFrom && Number.isFinite(page.oldest)) {
        state.cp = { ...state.cp, initialFrom: new Date(page.oldest).toISOString(), initialTo: new Date().toISOString() };
      }
      state.cp = { ...state.cp, watermark: newest ? new Date(newest).toISOString() : state.cp.watermark, processed: state.cp.processed + page.count };
    };
    let pending = pull.fetchPage({ from, to }, null, signal);
    try {
      for (;;) {
        signal.throwIfAborted();
        const page = await pending;
        // The next page is read while this one is written (the remote's and HubSpot's limits are separate).
        if (page.next) {
          pending = pull.fetchPage({ from, to }, page.next, signal);
          pending.catch(() => {});
        }
        const rows = readRows(env, page.items);
        const entry = { done: pipeline.add(rows), settled: false, ...timeSpan(rows), count: page.items.length };
        entry.done.then(
          () => (entry.settled = true),
          () => (entry.settled = true),
        );
        inFlight.push(entry);
        let advanced = false;
        const held = () => inFlight.reduce((n, p) => n + p.count, 0);
        while (inFlight.length && (inFlight.length >= PAGES_IN_FLIGHT || held() >= RECORDS_IN_FLIGHT || inFlight[0]!.settled || !page.next)) {
          await settleHead();
          advanced = true;
        }
        if (!page.next) break;
        if (advanced) await this.#deps.checkpoints.set(opts.connectionId, def.checkpoint, state.cp);
      }
    } catch (err) {
      // Nothing of this pass keeps running once it has failed; the checkpoint stays before the failed page.
      await Promise.allSettled(inFlight.map((p) => p.done));
      await pending.catch(() => {});
      throw err;
    }
    state.cp = { ...state.cp, initialDone: true, lastPassAt: new Date().toISOString() };
    await this.#deps.checkpoints.set(opts.connectionId, def.checkpoint, state.cp);
    return result;
  }

  /** Dry run (X5): reads the app (up to `limit` records) and HubSpot, reports the decisions, writes nothing. */
  async dryRun<R, C>(connector: string, def: SyncDefinition<R, C>, opts: RunOptions<C> & { limit?: number }): Promise<PreviewReport> {
    const hub = new HubSpotSide(this.#deps.hubspot(), this.#deps.log);
    const preview = new Preview();
    const limit = opts.limit ?? 2_000;
    const ctx = this.#context(connector, def, opts, hub, preview, 'dry run');
    ctx.pull = async (pull) => {
      const signal = opts.signal ?? new AbortController().signal;
      const window = { from: pull.epoch, to: new Date(Date.now() + OPEN_END_MS) };
      let token: string | null = null;
      for (;;) {
        const page = await pull.fetchPage(window, token, signal);
        await ctx.save(page.items);
        if (!page.next) break;
        if (preview.report.scanned >= limit) {
          preview.report.truncated = true;
          break;
        }
        token = page.next;
      }
      return { created: 0, updated: 0, unchanged: 0, excluded: 0, failing: 0 };
    };
    await def.run(ctx);
    return preview.report;
  }

  /** Reads the records again and writes them whatever their stored hash says (health's "Resync"). */
  async resync<R, C>(connector: string, def: SyncDefinition<R, C>, opts: RunOptions<C> & { remoteIds: readonly string[] }): Promise<SaveSummary> {
    return this.#passes.exclusive(opts.connectionId, def.name, async () => {
      if (!def.fetchByIds) throw new Error(`sync ${def.name} cannot read records by id`);
      const hub = new HubSpotSide(this.#deps.hubspot(), this.#deps.log);
      const ctx = this.#context(connector, def, opts, hub, undefined, 'resync');
      const identities = await this.#deps.db
        .select({ identity: syncRecords.identity })
        .from(syncRecords)
        .where(
          and(
            eq(syncRecords.connectionId, opts.connectionId),
            eq(syncRecords.sync, def.name),
            sql`${syncRecords.remoteId} in (${sql.join(
              opts.remoteIds.map((i) => sql`${i}`),
              sql`, `,
            )})`,
          ),
        );
      for (const { identity } of identities) {
        if (identity)
          await this.#deps.db
            .update(recordLinks)
            .set({ hashToHubspot: null })
            .where(and(eq(recordLinks.connectionId, opts.connectionId), eq(recordLinks.objectType, def.name), eq(recordLinks.remoteId, identity)));
      }
      const items = await def.fetchByIds(opts.remoteIds, ctx);
      const found = new Set(items.map((i) => String((i as { id?: unknown }).id)));
      for (const id of opts.remoteIds) if (!found.has(id)) await ctx.fail(id, 'the app no longer has this record (deleted, or no longer visible to this key)');
      const summary = await ctx.save(items);
      await hub.flush();
      return summary;
    });
  }

  /** Bulk resync: forget every stored hash and run the initial pass again on the next pass. */
  /**
   * Every record re-evaluated by the next pass, from the start. A pass running now would save its checkpoint
   * over the cleared one, so this is refused (409) while one runs, here or in another process.
   */
  async resyncAll(def: SyncDefinition<any, any>, connectionId: string): Promise<void> {
    if (this.#passes.running(connectionId, def.name)) throw new PassRunningError(connectionId, 'here');
    await this.#passes.exclusive(connectionId, def.name, async () => {
      await this.#forgetHashes(connectionId, def.name);
      await this.#deps.checkpoints.delete(connectionId, def.checkpoint);
    });
  }

  /** Sync health (X3): counts, the failing and excluded records with their reasons, merges (D8), the pass's progress. */
  async health(def: SyncDefinition<any, any>, connectionId: string) {
    const { db } = this.#deps;
    const where = and(eq(syncRecords.connectionId, connectionId), eq(syncRecords.sync, def.name));
    const counts = await db.select({ state: syncRecords.state, n: sql<number>`count(*)::int` }).from(syncRecords).where(where).groupBy(syncRecords.state);
    const list = (state: 'failing' | 'excluded') =>
      db
        .select({
          remoteId: syncRecords.remoteId,
          reason: syncRecords.reason,
          email: sql<string | null>`${syncRecords.values}->>${def.emailField}`,
          at: syncRecords.updatedAt,
        })
        .from(syncRecords)
        .where(and(where, eq(syncRecords.state, state)))
        .orderBy(sql`${syncRecords.updatedAt} desc`)
        .limit(50);
    const [failing, excluded] = await Promise.all([list('failing'), list('excluded')]);
    const mergedRows = await db.execute(sql`
      select identity, count(*)::int as n from ${syncRecords}
      where connection_id = ${connectionId} and sync = ${def.name} and state <> 'excluded' and identity is not null
      group by identity having count(*) > 1 order by identity limit 20`);
    const merges = [];
    const { mergeNewest } = await import('./merge.ts');
    const { describeSources } = await import('./preview.ts');
    for (const row of (mergedRows as unknown as { rows: { identity: string }[] }).rows) {
      const members = await db
        .select()
        .from(syncRecords)
        .where(and(where, eq(syncRecords.identity, row.identity), sql`${syncRecords.state} <> 'excluded'`));
      const merged = mergeNewest(members.map((m) => ({ id: m.remoteId, modifiedAt: m.modifiedAt, values: m.values })));
      merges.push({
        email: row.identity,
        records: merged.members,
        hubspotId: members[0]?.hubspotId ?? null,
        fields: merged.sources,
        summary: describeSources(merged),
      });
    }
    const cp = await this.#deps.checkpoints.get(connectionId, def.checkpoint).catch(() => undefined);
    const n = (s: string) => counts.find((c) => c.state === s)?.n ?? 0;
    return {
      counts: { synced: n('synced'), excluded: n('excluded'), failing: n('failing') },
      failing: failing.map((f) => ({ ...f, at: f.at.toISOString() })),
      excluded: excluded.map((f) => ({ ...f, at: f.at.toISOString() })),
      merges,
      pass: cp ? { initialDone: cp.initialDone, watermark: cp.watermark, processed: cp.processed, lastPassAt: cp.lastPassAt, progress: progressOf(cp) } : null,
    };
  }

  #context<R, C>(
    connector: string,
    def: SyncDefinition<R, C>,
    opts: RunOptions<C>,
    hub: HubSpotSide,
    preview: Preview | undefined,
    cause: string,
  ): SyncRunContext<R, C> {
    const deps = this.#deps;
    const env = this.#env(connector, def, opts, hub, cause, preview);
    const { log, signal } = env;
    return {
      connectionId: opts.connectionId,
      config: opts.config,
      dryRun: !!preview,
      log,
      signal,
      pull: async () => {
        throw new Error('pull is set by the engine');
      },
      save: (items) => saveRecords(env, items),
      fail: async (remoteId, reason) => {
        if (preview) return;
        await deps.db
          .update(syncRecords)
          .set({ state: 'failing', reason, updatedAt: new Date() })
          .where(and(eq(syncRecords.connectionId, opts.connectionId), eq(syncRecords.sync, def.name), eq(syncRecords.remoteId, remoteId)));
        await deps.syncErrors.record({ connectionId: opts.connectionId, category: 'rejected', objectType: def.name, recordId: remoteId, reason });
      },
      parse: (item) => def.remote.parse(item),
    };
  }

  #env<R, C>(connector: string, def: SyncDefinition<R, C>, opts: RunOptions<C>, hub: HubSpotSide, cause: string, preview?: Preview): SaveEnv {
    const deps = this.#deps;
    const log = deps.log.child({ connector, connectionId: opts.connectionId, sync: def.name });
    const signal = opts.signal ?? new AbortController().signal;
    return {
      db: deps.db,
      def,
      connector,
      connectionId: opts.connectionId,
      settings: opts.settings,
      config: opts.config,
      hub,
      links: deps.links,
      syncErrors: deps.syncErrors,
      audit: deps.audit,
      log,
      signal,
      preview,
      cause: opts.cause ?? cause,
    };
  }

  async #forgetHashes(connectionId: string, sync: string): Promise<void> {
    await this.#deps.db
      .update(recordLinks)
      .set({ hashToHubspot: null })
      .where(and(eq(recordLinks.connectionId, connectionId), eq(recordLinks.objectType, sync)));
  }
}

/** How far past our clock a window reaches. */
const OPEN_END_MS = 24 * 3_600_000;

/**
 * Pages whose writes may be in flight at once, and the records they may hold together (bounds memory:
 * each holds its records until committed). Enough to keep HubSpot's budget busy — ~1,000 writes/s, so
 * RECORDS_IN_FLIGHT is a few seconds of it — without holding a whole backlog.
 */
const PAGES_IN_FLIGHT = 16;
const RECORDS_IN_FLIGHT = 2_400;

/** The initial pass's progress (0–1) by how much of its time window is behind the watermark; 1 once done. */
function progressOf(cp: WindowCheckpoint): number {
  if (cp.initialDone) return 1;
  if (!cp.initialFrom || !cp.initialTo || !cp.watermark) return 0;
  const from = Date.parse(cp.initialFrom);
  const span = Date.parse(cp.initialTo) - from;
  return span > 0 ? Math.max(0, Math.min(1, (Date.parse(cp.watermark) - from) / span)) : 0;
}
