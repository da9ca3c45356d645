/**
 * The connector contract (issue 11): the one object a connector's folder
 * exports, `src/connectors/<slug>/index.ts`. It declares what the platform
 * runs for it — a manifest, zod schemas for its settings, credentials and
 * connect input, lifecycle functions, jobs, schedules, webhooks, routes,
 * long-lived streams and a sandbox hook — and never reaches for the database,
 * the job queue or the HTTP server itself: everything comes through `ctx`.
 *
 * docs/architecture.md draws the layers; docs/connectors/adding-a-connector.md
 * walks through a minimal connector (test/platform/example-connector/).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { JobContext, JobDefinition } from '../jobs/job.ts';
import type { EnqueueResult, JobQueue } from '../jobs/queue.ts';
import type { HubSpotApi } from '../hubspot/api.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import type { SandboxSystem, Sandboxes } from '../sandbox/sandboxes.ts';
import type { ConnectionsApi, Connection, ConnectionView } from '../connections/store.ts';
import type { RecordLinks } from '../sync/record-links.ts';
import type { Checkpoints } from '../sync/checkpoints.ts';
import type { SyncErrors } from '../sync/sync-errors.ts';
import type { ConnectorAudit } from '../sync/audit-log.ts';
import type { ConnectorSyncEngine } from '../sync/engine/engine.ts';
import type { SyncDefinition } from '../sync/engine/types.ts';
import type { Database, Db } from '../db/open.ts';
import type { Config } from '../config.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { HubSpotService } from '../hubspot/service.ts';
import type { PhoneIndexing } from '../hubspot/phone/index.ts';
import type { CallOptions } from '../connections/lifecycle.ts';
import type { ApiConnection } from './wire.ts';
import type { WebhookEvent } from '../hubspot/webhooks/events.ts';

export interface ConnectorManifest {
  /** URL-safe identifier, also the folder name, the job-name prefix and the admin API prefix (`/api/<slug>`). */
  slug: string;
  /** Shown in the admin UI. */
  name: string;
  /** Feature ids of SPEC.md this connector implements (T3, D2…). */
  features: readonly string[];
  /** The HubSpot scopes its work needs; each is one the HubSpot app asks for, required or optional (test/platform/scopes.test.ts). */
  hubspotScopes: readonly string[];
  /**
   * `one`: at most one connection (one Salesforce org per HubSpot account, S1) — the database
   * refuses a second; `many`: as many as the admin adds (several Sansan API keys, D2).
   */
  connections: 'one' | 'many';
  /** Its connection is set up on its own admin page (a form with more than the connect input): the Overview links there. */
  ownPage?: boolean;
  /** The remote system's OAuth 2.0 facts, when connections are made through OAuth (src/oauth). */
  oauth?: OAuthProvider;
}

/** What `status` reports about one connection: shown on the Overview and by `spokes connections show`. */
export interface ConnectorStatus {
  health: 'ok' | 'degraded' | 'down';
  /** One line an admin can act on ("Listening for calls", "The PBX refuses the credentials"). */
  summary: string;
  /** Anything else worth showing, as plain JSON (never a secret). */
  details?: Record<string, unknown>;
}

/** What `connect` hands back once the remote system accepted the input. */
export interface ConnectResult<Settings, Credentials> {
  /** What the admin sees for this connection (the PBX's address, the org's name). */
  label: string;
  credentials: Credentials;
  /** Initial settings; default: the settings schema applied to `{}` (its defaults). */
  settings?: Settings;
  /** What the remote said about itself (version, org id): shown, never secret. */
  info?: Record<string, unknown>;
}

/**
 * The lifecycle, called by the admin API, the CLI and tests alike (src/connections/lifecycle.ts
 * does the bookkeeping around each: validation, storage, state, job gates).
 */
export interface ConnectorLifecycle<Settings, Credentials, ConnectInput> {
  /** Checks the input against the remote system first; throwing stores nothing. */
  connect(ctx: ConnectorContext<Settings, Credentials>, input: ConnectInput): Promise<ConnectResult<Settings, Credentials>>;
  /** Before the connection is switched on (e.g. subscribe to the remote's webhooks). */
  enable?(ctx: ConnectorContext<Settings, Credentials>, connection: Connection<Settings, Credentials>): Promise<void>;
  /** Before the connection is switched off. */
  disable?(ctx: ConnectorContext<Settings, Credentials>, connection: Connection<Settings, Credentials>): Promise<void>;
  /**
   * Clean up at the remote before the connection is deleted (T10: release the phonebook). Its
   * settings may no longer validate (`null` then): a broken connection can always be removed.
   */
  disconnect(ctx: ConnectorContext<Settings, Credentials>, connection: Connection<Settings | null, Credentials>): Promise<void>;
  status(ctx: ConnectorContext<Settings, Credentials>, connection: Connection<Settings, Credentials>): Promise<ConnectorStatus>;
}

/** A job type of a connector: a `JobDefinition` whose handler gets the connector's context. */
export interface ConnectorJob<P extends z.ZodType = z.ZodType, Settings = unknown, Credentials = unknown> extends Omit<JobDefinition<P>, 'run'> {
  /**
   * Its name starts with the connector's slug (`sansan.sync-cards`). When the payload has a
   * `connectionId`, the runtime opens that connection first: a job for a connection that is gone
   * or disabled completes without running, one whose connection needs re-authorization waits.
   */
  run(payload: z.output<P>, ctx: ConnectorJobContext<Settings, Credentials>): Promise<unknown>;
}

export interface ConnectorJobContext<Settings = unknown, Credentials = unknown> extends JobContext, ConnectorContext<Settings, Credentials> {
  /** The payload's connection, opened (settings validated, credentials unsealed). Throws when the payload names none. */
  readonly connection: Connection<Settings, Credentials>;
}

/** A periodic job (pg-boss cron, UTC): fan out per connection from inside the job when needed. */
export interface Schedule<P extends z.ZodType = z.ZodType> {
  job: ConnectorJob<P, any, any>;
  /** Five-field cron, e.g. every five minutes. */
  cron: string;
  payload: z.input<P>;
}

/** A webhook the remote system calls: verified over the raw body, turned into jobs, answered at once (STYLE.md rule 9). */
export interface WebhookDefinition<Settings = unknown, Credentials = unknown> {
  /** Mounted at `/webhooks/<slug>/<path>` (Fastify syntax, e.g. `events/:connectionId`). */
  path: string;
  /** Checks the signature with `timingSafeEqual` over the exact bytes received. */
  verify(request: WebhookRequest, ctx: ConnectorContext<Settings, Credentials>): Promise<WebhookVerdict> | WebhookVerdict;
  /** The jobs the (verified) delivery becomes; they are enqueued before the remote gets its 2xx. */
  toJobs(request: WebhookRequest, ctx: ConnectorContext<Settings, Credentials>, verdict: Verified): Promise<readonly Enqueue[]>;
}

export interface WebhookRequest {
  raw: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
}

export interface Verified {
  ok: true;
  /** The connection the delivery is for, when the verification found it (its secret matched). */
  connectionId?: string;
}
export interface Refused {
  ok: false;
  /** Why, for the log and the 401 body (never the expected signature). */
  reason: string;
}
export type WebhookVerdict = Verified | Refused;

/** A job to enqueue, typed by the job object: `{ job: syncCard, payload: { … } }`. */
export interface Enqueue<P extends z.ZodType = z.ZodType> {
  job: ConnectorJob<P, any, any>;
  payload: z.input<P>;
  startAfterSeconds?: number;
}

/** Builds an `Enqueue` with the payload checked against the job's schema by `tsc`. */
export function enqueueOf<P extends z.ZodType>(job: ConnectorJob<P, any, any>, payload: z.input<P>, opts: { startAfterSeconds?: number } = {}): Enqueue<P> {
  return { job, payload, ...opts };
}

/**
 * Who may call a public route group: every route outside `/api/` declares it. `page` is a page
 * anyone may load (it signs in by itself); `signed-link` is checked by the runtime (an HMAC of
 * the path and expiry, made by `ctx.signedLinks`); `agent`, `signature` and `token` (a bearer
 * token the connector issues to machine callers) need `authorize`.
 */
export type PublicRouteAuth = 'agent' | 'signed-link' | 'signature' | 'token' | 'page';

export type PublicRoutes<Settings, Credentials> = {
  /** Absolute path prefix (`/recordings`), outside `/api/`, `/admin`, `/webhooks/`, `/oauth/` and `/ui/`. */
  prefix: string;
  register(router: FastifyInstance, ctx: ConnectorContext<Settings, Credentials>): void | Promise<void>;
} & (
  | { auth: 'page' | 'signed-link'; authorize?: undefined }
  | { auth: 'agent' | 'signature' | 'token'; authorize(request: FastifyRequest, ctx: ConnectorContext<Settings, Credentials>): Promise<void> }
);

/** A long-lived listener (the PBX event stream): the runtime runs it in one process only. */
export interface StreamDefinition<Settings = unknown, Credentials = unknown> {
  name: string;
  /** Runs until `signal` aborts (shutdown, or leadership lost); returning or throwing restarts it after a pause. */
  run(ctx: ConnectorContext<Settings, Credentials>, signal: AbortSignal): Promise<void>;
}

export interface Connector<Settings = unknown, Credentials = unknown, ConnectInput = unknown> {
  manifest: ConnectorManifest;
  /** Validated on every read of a connection's settings; a row that no longer fits shows `error`. */
  settings: z.ZodType<Settings>;
  /** Sealed as one blob (src/secrets); never shown after entry. */
  credentials: z.ZodType<Credentials>;
  /** What the admin (or the CLI, or a test) gives to connect; a bad field is a 400 naming it. */
  connectInput: z.ZodType<ConnectInput>;
  lifecycle: ConnectorLifecycle<Settings, Credentials, ConnectInput>;
  jobs: readonly ConnectorJob<any, Settings, Credentials>[];
  schedules?: readonly Schedule[];
  webhooks?: readonly WebhookDefinition<Settings, Credentials>[];
  routes?: {
    /** Mounted at `/api/<slug>/…`: an admin session, and its CSRF token on changes (src/web/admin). */
    admin?(router: FastifyInstance, ctx: ConnectorContext<Settings, Credentials>): void | Promise<void>;
    public?: readonly PublicRoutes<Settings, Credentials>[];
  };
  streams?: readonly StreamDefinition<Settings, Credentials>[];
  /**
   * HubSpot webhook events (`POST /webhooks/hubspot`, src/hubspot/webhooks) it reacts to: each verified
   * delivery's events are handed over before HubSpot gets its 200; the answer is the jobs to enqueue
   * (keep it fast: filter and enqueue, do the work in the job). Which events arrive is the HubSpot app's
   * subscriptions (HUBSPOT_WEBHOOKS).
   */
  hubspotEvents?: {
    handle(events: readonly WebhookEvent[], ctx: ConnectorContext<Settings, Credentials>): Promise<readonly Enqueue[]> | readonly Enqueue[];
  };
  /** The syncs it declares (src/sync/engine): their health is shown by the admin API, the UI and `spokes sync status`. */
  syncs?: readonly SyncDefinition<any, any>[];
  /**
   * Per-process upkeep beside the streams: `start` once the queue runs (every process, with its role:
   * e.g. relaying live events between serving processes), `stop` on shutdown after the streams ended
   * and before the queue stops (flush what is buffered, close clients).
   */
  process?: {
    start?(ctx: ConnectorContext<Settings, Credentials>, role: { server: boolean; worker: boolean }): Promise<void>;
    stop?(ctx: ConnectorContext<Settings, Credentials>): Promise<void>;
  };
  /**
   * With `manifest.oauth`: the credentials of the app registered at the provider (from the
   * configuration, or saved by the admin). The callback URL is Spokes' own: `<public URL>/oauth/<slug>/callback`.
   */
  oauthApp?(ctx: ConnectorContext<Settings, Credentials>): Promise<{ clientId: string; clientSecret: string }>;
  /**
   * Sandbox mode: set yourself up against your emulator, so `npm start` comes up ready — typically
   * connect (with the emulator's credentials, through your own `connect`) unless connected, and enable.
   * Runs at every start in sandbox mode: check what is already there.
   */
  emulator?: {
    system: SandboxSystem;
    setUp(ctx: ConnectorContext<Settings, Credentials>, sandboxes: Sandboxes, lifecycle: SandboxLifecycle<ConnectInput>): Promise<void>;
  };
}

/** A registry holds connectors of different types; each keeps its own types inside its folder. */
export type AnyConnector = Connector<any, any, any>;

/** The lifecycle functions an emulator's `setUp` may call for its own connector (src/connections/lifecycle.ts). */
export interface SandboxLifecycle<ConnectInput> {
  connect(input: ConnectInput): Promise<{ id: string }>;
  enable(connectionId: string): Promise<void>;
}

/** The typed queue a connector gets: enqueue by job object, its own jobs only. */
export interface ConnectorQueue {
  enqueue<P extends z.ZodType>(job: ConnectorJob<P, any, any>, payload: z.input<P>, opts?: { startAfterSeconds?: number }): Promise<EnqueueResult>;
  /** Many payloads of one job in one insert (a back-fill). */
  enqueueMany<P extends z.ZodType>(job: ConnectorJob<P, any, any>, payloads: z.input<P>[], opts?: { startAfterSeconds?: number }): Promise<EnqueueResult[]>;
  /** Why `enqueue` would refuse this payload, or undefined: to skip one bad item of a batch. */
  invalidPayload<P extends z.ZodType>(job: ConnectorJob<P, any, any>, payload: z.input<P>): Error | undefined;
  /** One of the connector's jobs by id (its state, attempts, data), or null. */
  job(job: ConnectorJob<any, any, any>, id: string): ReturnType<JobQueue['job']>;
  /** The connector's jobs of a type by id or by their data (`{ payload: { id } }`). */
  findJobs(job: ConnectorJob<any, any, any>, filter: { id?: string; data?: object; limit?: number }): ReturnType<JobQueue['findJobs']>;
  /** A job waiting for its retry delay runs now. */
  runNow(job: ConnectorJob<any, any, any>, id: string): Promise<void>;
  /** Failed jobs of one of the connector's job types (`queue`: its name) run again. */
  retryFailed(opts: { queue: string; ids?: readonly string[] }): Promise<number>;
  deleteJob(job: ConnectorJob<any, any, any>, id: string): Promise<void>;
}

/** The platform's lifecycle of the connector's own connections (src/connections/lifecycle.ts), for its own admin pages. */
export interface ConnectionLifecycle<Settings = unknown, Credentials = unknown> {
  connect(rawInput: unknown, opts?: CallOptions): Promise<ApiConnection>;
  /** Runs the connector's `connect` (the remote checked) without storing anything. */
  checkConnection(rawInput: unknown, opts?: CallOptions): Promise<ConnectResult<Settings, Credentials>>;
  enable(connectionId: string): Promise<ApiConnection>;
  disable(connectionId: string): Promise<ApiConnection>;
  disconnect(connectionId: string): Promise<{ disconnected: string }>;
}

/** What a connector reads of the configuration. */
export type ConnectorConfig = Readonly<Pick<Config, 'defaultRegion' | 'pbxAddresses' | 'databaseUrl' | 'sandboxMode'>>;

/** Signed links for `signed-link` public routes: an HMAC of the path and its expiry. */
export interface SignedLinks {
  /** `path?exp=…&sig=…`; valid `ttlSeconds` (default 7 days). */
  sign(path: string, ttlSeconds?: number): string;
}

/**
 * What a connector's code gets — and nothing else: no database handle, no pg-boss, no Fastify
 * root (STYLE.md rule 5). One per connector per process; a job's context adds its connection.
 */
export interface ConnectorContext<Settings = unknown, Credentials = unknown> {
  readonly connector: string;
  /**
   * The connector's context for the whole process: itself, or, in a job's context (a copy with
   * the job's log and signal), the one it was copied from. State a connector builds once per
   * process is keyed by it and built from it.
   */
  readonly base: ConnectorContext<Settings, Credentials>;
  log: Logger;
  /** The HubSpot account's client: current token, the shared rate budget (X4), errors mapped. */
  hubspot: HubSpotApi;
  /**
   * The HubSpot connection itself, beside its API: the connected account and the app, Spokes'
   * OAuth callback (a "Sign in with HubSpot" comes back through it), the public URL.
   */
  hubspotConnection: HubSpotService;
  /** Caller matching without calling HubSpot: every contact's and company's numbers (T4, T5, T7, T8). */
  phone: PhoneIndexing;
  /** Seals and signs with the installation key, each value bound to what it is for. */
  secretBox: SecretBox;
  config: ConnectorConfig;
  lifecycle: ConnectionLifecycle<Settings, Credentials>;
  /** The emulators, in sandbox mode on the serving process once they run; undefined otherwise (asked each time: they start later). */
  sandboxes(): Sandboxes | undefined;
  queue: ConnectorQueue;
  /** This connector's connections: settings validated on read, credentials sealed. */
  connections: ConnectionsApi<Settings, Credentials>;
  links: RecordLinks;
  checkpoints: Checkpoints;
  syncErrors: SyncErrors;
  /** Every write to HubSpot or the remote goes through `audit.write` (X3). */
  audit: ConnectorAudit;
  /** The sync engine (src/sync/engine): runs, previews, resyncs and reports a connector's declared syncs. */
  sync: ConnectorSyncEngine;
  /** OAuth access tokens of this connector's connections (manifest.oauth): refreshed single-flight. */
  oauth: { accessToken(connectionId: string): Promise<string> };
  signedLinks: SignedLinks;
  /** The external URL of Spokes (webhook and OAuth redirect URLs are built from it). */
  readonly publicUrl: string;
  /** The database, for the connector's own tables only (its folder's `schema.ts`, one migration). */
  readonly db: Db;
  /** A raw statement on that database: its rows, on both engines. */
  readonly query: Database['query'];
  /** Aborted when the process shuts down (a job's context: when its lease ends). */
  signal: AbortSignal;
}

/** Re-exported for connector code: the shapes the connection store hands out. */
export type { Connection, ConnectionView };

const SLUG = /^[a-z][a-z0-9-]{1,30}$/;

/**
 * Declares a connector, checking what `tsc` cannot: a URL-safe slug, job names under it, unique
 * webhook paths and public prefixes outside the platform's own.
 */
export function defineConnector<Settings, Credentials, ConnectInput>(
  c: Connector<Settings, Credentials, ConnectInput>,
): Connector<Settings, Credentials, ConnectInput> {
  const { slug } = c.manifest;
  if (!SLUG.test(slug)) throw new Error(`connector slug "${slug}" must be lowercase letters, digits and dashes`);
  for (const job of c.jobs) {
    if (!job.name.startsWith(`${slug}.`)) throw new Error(`job "${job.name}" of connector ${slug} must be named "${slug}.<verb-noun>"`);
  }
  for (const s of c.schedules ?? []) {
    if (!c.jobs.includes(s.job as never)) throw new Error(`schedule of "${s.job.name}" names a job connector ${slug} does not declare`);
  }
  const paths = (c.webhooks ?? []).map((w) => w.path);
  if (new Set(paths).size !== paths.length) throw new Error(`connector ${slug} declares a webhook path twice`);
  for (const group of c.routes?.public ?? []) {
    if (!/^\/[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(group.prefix) || /^\/(api|admin|webhooks|oauth|ui|healthz|metrics)(\/|$)/.test(group.prefix)) {
      throw new Error(`public route prefix "${group.prefix}" of connector ${slug} is not allowed`);
    }
  }
  if (c.manifest.oauth && !c.oauthApp) throw new Error(`connector ${slug} has an OAuth provider but no oauthApp()`);
  return c;
}

/** Declares a connector job; its payload type is inferred from `schema` and checked at every enqueue. */
export function defineConnectorJob<P extends z.ZodType, Settings = unknown, Credentials = unknown>(
  job: ConnectorJob<P, Settings, Credentials>,
): ConnectorJob<P, Settings, Credentials> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(job.name)) throw new Error(`invalid job name "${job.name}"`);
  return job;
}
