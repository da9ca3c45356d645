/**
 * The connector platform of one process: the registry of connectors, the
 * shared stores (connections, record links, checkpoints, sync errors, audit
 * log), one `ConnectorContext` per connector, the connectors' jobs adapted for
 * the queue (each job opens its connection first), their job gates, schedules
 * and streams. Built by the runtime; HTTP mounting is in ./http.ts.
 */
import { ConflictError, AuthExpiredError, NotFoundError, SpokesError } from '../errors.ts';
import type { JobDefinition } from '../jobs/job.ts';
import type { Services } from '../services.ts';
import type { Sandboxes } from '../sandbox/sandboxes.ts';
import { Connections, scopedConnections } from '../connections/store.ts';
import { RecordLinks } from '../sync/record-links.ts';
import { Checkpoints } from '../sync/checkpoints.ts';
import { SyncErrors } from '../sync/sync-errors.ts';
import { AuditLog, connectorAudit } from '../sync/audit-log.ts';
import { SyncEngine } from '../sync/engine/engine.ts';
import { auditRetentionJobs, scheduleAuditRetention } from '../sync/audit-retention.ts';
import { OAuthTokens } from '../oauth/tokens.ts';
import type { OAuthClient } from '../oauth/provider.ts';
import type { AnyConnector, ConnectorContext, ConnectorJob, ConnectorJobContext } from './connector.ts';
import { StreamRunner } from './streams.ts';
import type { Db } from '../db/open.ts';
import { signLink } from './signed-links.ts';
import * as lifecycle from '../connections/lifecycle.ts';
import type { WebhookEvent } from '../hubspot/webhooks/events.ts';

export interface PlatformOptions {
  services: Services;
  connectors: readonly AnyConnector[];
}

/** How long the job gates' view of the connections is reused (every gate asks every few seconds). */
const GATE_CACHE_MS = 1_000;

export class Platform {
  readonly connectors: ReadonlyMap<string, AnyConnector>;
  readonly connections: Connections;
  readonly links: RecordLinks;
  readonly checkpoints: Checkpoints;
  readonly syncErrors: SyncErrors;
  readonly audit: AuditLog;
  readonly tokens: OAuthTokens;
  readonly syncEngine: SyncEngine;
  readonly #services: Services;
  readonly #contexts = new Map<string, ConnectorContext>();
  readonly #abort = new AbortController();
  readonly #streams: StreamRunner[] = [];
  readonly #processes: AnyConnector[] = [];
  #gateView: { at: number; value: Promise<Set<string>> } | undefined;

  /** The database, for commands that keep their own stores (`spokes users`). */
  get db(): Db {
    return this.#services.database.db;
  }

  /** Where people reach this Spokes (links printed by commands). */
  get publicUrl(): string {
    return this.#services.config.publicUrl.replace(/\/+$/, '');
  }

  constructor(opts: PlatformOptions) {
    const { services } = opts;
    this.#services = services;
    const map = new Map<string, AnyConnector>();
    for (const c of opts.connectors) {
      if (map.has(c.manifest.slug)) throw new Error(`two connectors are named "${c.manifest.slug}"`);
      map.set(c.manifest.slug, c);
    }
    this.connectors = map;
    const { db } = services.database;
    this.connections = new Connections(db, services.secretBox, (slug) => {
      const c = map.get(slug);
      return c && { slug, single: c.manifest.connections === 'one', settings: c.settings, credentials: c.credentials };
    });
    this.links = new RecordLinks(db);
    this.checkpoints = new Checkpoints(db);
    this.syncErrors = new SyncErrors(db);
    this.audit = new AuditLog(db);
    this.syncEngine = new SyncEngine({
      db,
      hubspot: () => services.hubspot.api,
      links: this.links,
      checkpoints: this.checkpoints,
      syncErrors: this.syncErrors,
      audit: this.audit,
      log: services.log.child({ component: 'sync' }),
    });
    this.tokens = new OAuthTokens({
      database: services.database,
      connections: this.connections,
      log: services.log.child({ component: 'oauth' }),
      providerOf: (slug) => {
        const c = map.get(slug);
        return c?.manifest.oauth && { provider: c.manifest.oauth, client: () => this.oauthClient(slug) };
      },
      onRefused: async () => {
        this.#gateView = undefined;
        await services.queue?.refreshGates();
      },
    });
  }

  connector(slug: string): AnyConnector {
    const c = this.connectors.get(slug);
    if (!c) throw new NotFoundError(`There is no connector "${slug}"; known: ${[...this.connectors.keys()].join(', ') || 'none'}.`);
    return c;
  }

  /** The OAuth client of a connector: its app's credentials and Spokes' callback URL. */
  async oauthClient(slug: string): Promise<OAuthClient> {
    const c = this.connector(slug);
    if (!c.manifest.oauth || !c.oauthApp) throw new ConflictError(`${c.manifest.name} does not connect through OAuth.`);
    const app = await c.oauthApp(this.context(slug));
    return { ...app, redirectUri: `${this.#services.hubspot.publicUrl}/oauth/${slug}/callback` };
  }

  /** The connector's context in this process (built once). */
  context(slug: string): ConnectorContext {
    let ctx = this.#contexts.get(slug);
    if (ctx) return ctx;
    const connector = this.connector(slug);
    const services = this.#services;
    const log = services.log.child({ connector: slug });
    const jobNames = new Set(connector.jobs.map((j) => j.name));
    const own = <J extends { name: string }>(job: J): J => {
      if (!jobNames.has(job.name)) throw new SpokesError('internal', `connector ${slug} used job "${job.name}", which it does not declare`);
      return job;
    };
    const { config } = services;
    ctx = {
      connector: slug,
      get base() {
        return ctx!;
      },
      log,
      get hubspot() {
        return services.hubspot.api;
      },
      hubspotConnection: services.hubspot,
      get phone() {
        return services.phone;
      },
      secretBox: services.secretBox,
      config: {
        defaultRegion: config.defaultRegion,
        pbxAddresses: config.pbxAddresses,
        databaseUrl: config.databaseUrl,
        sandboxMode: config.sandboxMode,
      },
      lifecycle: {
        connect: (input, opts) => lifecycle.connect(this, slug, input, opts),
        checkConnection: (input, opts) => lifecycle.checkConnection(this, slug, input, opts),
        enable: async (id) => lifecycle.enable(this, await this.#ownConnection(slug, id)),
        disable: async (id) => lifecycle.disable(this, await this.#ownConnection(slug, id)),
        disconnect: async (id) => lifecycle.disconnect(this, await this.#ownConnection(slug, id)),
      },
      sandboxes: () => services.sandboxes,
      queue: {
        enqueue: async (job, payload, opts) => services.queue.enqueue(own(job) as never, payload as never, opts),
        enqueueMany: async (job, payloads, opts) => services.queue.enqueueMany(own(job) as never, payloads as never, opts),
        invalidPayload: (job, payload) => services.queue.invalidPayload(own(job) as never, payload as never),
        job: async (job, id) => services.queue.job(own(job), id),
        findJobs: async (job, filter) => services.queue.findJobs(own(job), filter),
        runNow: async (job, id) => services.queue.runNow(own(job), id),
        retryFailed: async (opts) => services.queue.retryFailed({ queue: own({ name: opts.queue }).name, ids: opts.ids }),
        deleteJob: async (job, id) => services.queue.deleteJob(own(job), id),
      },
      connections: scopedConnections(this.connections, slug),
      links: this.links,
      checkpoints: this.checkpoints,
      syncErrors: this.syncErrors,
      audit: connectorAudit(this.audit, slug, log),
      sync: this.syncEngine.forConnector(slug),
      oauth: { accessToken: (connectionId) => this.#ownToken(slug, connectionId) },
      signedLinks: { sign: (path, ttl) => signLink(services.secretBox, slug, path, ttl) },
      get publicUrl() {
        return services.hubspot.publicUrl;
      },
      db: services.database.db,
      query: (statement) => services.database.query(statement),
      signal: this.#abort.signal,
    };
    this.#contexts.set(slug, ctx);
    return ctx;
  }

  async #ownToken(slug: string, connectionId: string): Promise<string> {
    return this.tokens.accessToken(await this.#ownConnection(slug, connectionId));
  }

  /** The id of a connection of this connector, or a 404 (a connector acts on its own connections only). */
  async #ownConnection(slug: string, connectionId: string): Promise<string> {
    const found = await this.connections.get(connectionId);
    if (found?.connector !== slug) throw new NotFoundError(`There is no ${slug} connection "${connectionId}".`);
    return connectionId;
  }

  /** Every connector's jobs, as the queue runs them: gated per connector, each opening its connection first. */
  jobs(): JobDefinition[] {
    const jobs: JobDefinition[] = [
      ...auditRetentionJobs(() => ({ audit: this.audit, retentionDays: this.#services.config.auditRetentionDays, log: this.#services.log })),
    ];
    for (const connector of this.connectors.values()) {
      for (const job of connector.jobs) jobs.push(this.#adapt(connector, job));
    }
    return jobs;
  }

  #adapt(connector: AnyConnector, job: ConnectorJob): JobDefinition {
    const slug = connector.manifest.slug;
    const { run, ...definition } = job;
    return {
      ...definition,
      // One gate per connector: closed while one of its connections needs re-authorization (or HubSpot does).
      gate: `connector:${slug}`,
      run: async (payload, jobCtx) => {
        const connectionId = (payload as { connectionId?: unknown } | null)?.connectionId;
        let connection: ConnectorJobContext['connection'] | undefined;
        if (typeof connectionId === 'string') {
          const view = await this.connections.get(connectionId);
          if (!view || view.connector !== slug) {
            jobCtx.log.info({ connectionId }, 'the connection is gone: job skipped');
            return { applied: false, skipped: 'connection gone' };
          }
          if (view.choice === 'disabled') {
            jobCtx.log.info({ connectionId }, 'the connection is disabled: job skipped');
            return { applied: false, skipped: 'connection disabled' };
          }
          // The gate closes within seconds; a job fetched before that waits its turn again.
          if (view.state === 'needs_reauthorization') throw new AuthExpiredError(view.reason ?? `connection ${connectionId} needs re-authorization`);
          connection = (await this.connections.open(connectionId)) as never;
        }
        const base = this.context(slug);
        const ctx: ConnectorJobContext = {
          ...base,
          ...jobCtx,
          get connection() {
            if (!connection) throw new SpokesError('internal', `job ${job.name} has no connectionId in its payload`);
            return connection;
          },
        };
        const result = await run(payload, ctx);
        if (typeof connectionId === 'string') await this.connections.touch(connectionId);
        return result;
      },
    };
  }

  /** The job gates the queue checks every few seconds: `connector:<slug>` → may its jobs run? */
  gates(): Record<string, () => Promise<boolean>> {
    const gates: Record<string, () => Promise<boolean>> = {};
    for (const connector of this.connectors.values()) {
      const slug = connector.manifest.slug;
      const needsHubSpot = connector.manifest.hubspotScopes.length > 0;
      gates[`connector:${slug}`] = async () => {
        if (needsHubSpot && !(await this.#services.hubspot.usable())) return false;
        return !(await this.#needingReauthorization()).has(slug);
      };
    }
    return gates;
  }

  #needingReauthorization(): Promise<Set<string>> {
    if (this.#gateView && Date.now() - this.#gateView.at < GATE_CACHE_MS) return this.#gateView.value;
    const value = this.connections.connectorsNeedingReauthorization();
    this.#gateView = { at: Date.now(), value };
    value.catch(() => {
      this.#gateView = undefined;
    });
    return value;
  }

  /** A connection's state changed: re-read the gates now. */
  async refreshGates(): Promise<void> {
    this.#gateView = undefined;
    await this.#services.queue?.refreshGates();
  }

  /** Installs schedules (serving process) and starts the streams (one leader among serving processes). */
  async start(role: { server: boolean; worker: boolean }): Promise<void> {
    for (const connector of this.connectors.values()) {
      const start = connector.process?.start;
      if (!start) continue;
      this.#processes.push(connector);
      await start(this.context(connector.manifest.slug), role);
    }
    if (!role.server) return;
    const { queue, config, log } = this.#services;
    await scheduleAuditRetention(queue);
    for (const connector of this.connectors.values()) {
      // pg-boss keys allow letters, digits, `_`, `-`, `.` and `/`: the job's name and the schedule's place.
      for (const [i, s] of (connector.schedules ?? []).entries()) await queue.schedule(s.job as never, s.cron, s.payload, `${s.job.name}/${i}`);
      for (const stream of connector.streams ?? []) {
        const runner = new StreamRunner({
          name: `${connector.manifest.slug}:${stream.name}`,
          databaseUrl: config.databaseUrl,
          log: log.child({ connector: connector.manifest.slug, stream: stream.name }),
          run: (signal) => stream.run(this.context(connector.manifest.slug), signal),
        });
        this.#streams.push(runner);
        runner.start();
      }
    }
  }

  /**
   * A verified HubSpot webhook delivery: every connector with `hubspotEvents` turns the events into jobs,
   * enqueued now. One connector's failure is logged and does not keep the others' jobs back.
   */
  async hubspotEvents(events: readonly WebhookEvent[]): Promise<void> {
    for (const connector of this.connectors.values()) {
      if (!connector.hubspotEvents) continue;
      const ctx = this.context(connector.manifest.slug);
      try {
        for (const e of await connector.hubspotEvents.handle(events, ctx))
          await ctx.queue.enqueue(e.job, e.payload, { startAfterSeconds: e.startAfterSeconds });
      } catch (err) {
        ctx.log.error({ err: (err as Error).message }, 'HubSpot webhook events: the connector could not enqueue its jobs');
      }
    }
  }

  /** Sandbox mode: each connector with an emulator sets itself up against it. */
  async setUpSandbox(sandboxes: Sandboxes): Promise<void> {
    for (const connector of this.connectors.values()) {
      if (!connector.emulator) continue;
      const slug = connector.manifest.slug;
      // Imported here: the lifecycle module builds on this one.
      const lifecycle = await import('../connections/lifecycle.ts');
      await connector.emulator.setUp(this.context(slug), sandboxes, {
        connect: async (input) => ({ id: (await lifecycle.connect(this, slug, input)).id }),
        enable: async (id) => {
          await lifecycle.enable(this, id);
        },
      });
    }
  }

  /** Streams end, contexts' signals abort; the queue is stopped by the runtime afterwards. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#streams.map((s) => s.stop()));
    for (const connector of this.#processes.reverse()) {
      await connector.process
        ?.stop?.(this.context(connector.manifest.slug))
        .catch((err: Error) => this.#services.log.warn({ err: err.message }, 'connector stop failed'));
    }
  }

  /** True while this process runs the named stream (`<connector>:<stream>`): it is the leader. */
  leads(name: string): boolean {
    return this.#streams.some((s) => s.name === name && s.leader);
  }
}
