/**
 * Everything the telephony connector holds in one process, built once from
 * its ConnectorContext: the PBX connection and its adapter, the bindings, the
 * event router and listener, the live bus and the batch writer for calls.
 */
import { eq } from 'drizzle-orm';
import type { ConnectorConfig, ConnectorContext, ConnectorQueue } from '../../platform/connector.ts';
import type { Database, Db } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import type { HubSpotService } from '../../hubspot/service.ts';
import type { PhoneIndexing } from '../../hubspot/phone/index.ts';
import type { Sandboxes } from '../../sandbox/sandboxes.ts';
import { BatchWriter } from '../../hubspot/batch-writer.ts';
import { AddressPolicy } from '../../net/address-policy.ts';
import { PbxStore } from './pbx-store.ts';
import { ConflictError } from '../../errors.ts';
import { PbxRegistry } from './pbx-registry.ts';
import { BindingStore } from './bindings.ts';
import { LiveBus } from './live.ts';
import { EventStreams } from './event-streams.ts';
import { EventRouter } from './router.ts';
import { EventListener } from './event-listener.ts';
import { applyWrapUpJob, syncContactJob, type TelephonyJobDeps } from './jobs.ts';
import { AgentCalls } from './agent-calls.ts';
import { AutoCreatedContacts } from './auto-create.ts';
import { CrmReader } from '../../hubspot/crm-reader.ts';
import { portalCache } from '../../hubspot/portal.ts';
import { EngagementFinder } from '../../hubspot/engagement-finder.ts';
import { SYNC_PROPERTIES } from './contact-sync.ts';
import { RecordingLinks, STORED_LINK_TTL_MS } from './recording-links.ts';
import { callingSettingsService } from '../../hubspot/calling-settings-routes.ts';
import { callLogs } from './schema.ts';

/** What telephony's modules take from its ConnectorContext, under the names they use. */
export interface TelephonyServices {
  config: ConnectorConfig;
  log: Logger;
  database: { db: Db; query: Database['query'] };
  secretBox: SecretBox;
  /** The HubSpot connection (`hubspot.api` for every call). */
  hubspot: HubSpotService;
  phone: PhoneIndexing;
  queue: ConnectorQueue;
  readonly sandboxes?: Sandboxes;
}

export interface TelephonyContext {
  services: TelephonyServices;
  /** The connector's context: its connections, lifecycle, sync records. */
  connector: ConnectorContext;
  store: PbxStore;
  registry: PbxRegistry;
  bindings: BindingStore;
  live: LiveBus;
  /** The open server-sent-event streams of this process. */
  streams: EventStreams;
  writer: BatchWriter;
  router: EventRouter;
  listener: EventListener;
  jobDeps: TelephonyJobDeps;
  /** Signed, expiring links to call recordings, and their revocation. */
  recordingLinks: RecordingLinks;
  /** The HubSpot calling app (id) whose recording URL HubSpot calls, when one is configured; cached a minute. */
  callingApp(): Promise<{ appId: number } | null>;
  /** The calls salespeople's calling widgets take part in (agent-calls.ts). */
  agentCalls: AgentCalls;
  /** Set while live events are shared with the other processes (PostgreSQL). */
  stopLiveRelay?: () => Promise<void>;
}

/** By the connector's process-wide context (`ctx.base`: a job's context is a copy with its job's log). */
const contexts = new WeakMap<ConnectorContext<any, any>, TelephonyContext>();

/** The connector's state for a process, built on first use (from any of its contexts, out of `ctx.base`). */
export function telephonyContext(ctx: ConnectorContext<any, any>): TelephonyContext {
  let t = contexts.get(ctx.base);
  if (!t) {
    t = createTelephonyContext(ctx.base);
    contexts.set(ctx.base, t);
  }
  return t;
}

/** The context, when this process built one (shutdown: nothing to stop otherwise). */
export function existingTelephonyContext(ctx: ConnectorContext<any, any>): TelephonyContext | undefined {
  return contexts.get(ctx.base);
}

function servicesFrom(ctx: ConnectorContext): TelephonyServices {
  return {
    config: ctx.config,
    log: ctx.log,
    database: { db: ctx.db, query: ctx.query },
    secretBox: ctx.secretBox,
    hubspot: ctx.hubspotConnection,
    get phone() {
      return ctx.phone;
    },
    queue: ctx.queue,
    get sandboxes() {
      return ctx.sandboxes();
    },
  };
}

function createTelephonyContext(connector: ConnectorContext): TelephonyContext {
  const services = servicesFrom(connector);
  const log = services.log;
  const db = services.database.db;
  const store = new PbxStore(connector.connections, connector.checkpoints);
  // Enqueues by job object, the payload checked by tsc; the platform refuses a job the connector does not declare.
  const queue = () => connector.queue;
  const registry = new PbxRegistry(store, log, new AddressPolicy(services.config.pbxAddresses));
  const bindings = new BindingStore(db);
  const live = new LiveBus();
  // Calls are found again by their external id, auto-created contacts by their phone, after an unknown outcome.
  // Two requests in flight are plenty under HubSpot's ~10 requests/s; fewer small batches wait for the budget
  // after a 429, and more calls join the next (full) one.
  const writer = new BatchWriter({ api: services.hubspot.api, log, identity: { calls: 'hs_call_external_id', contacts: 'phone' }, maxInFlight: 2 });
  const autoCreate = new AutoCreatedContacts({ db, api: services.hubspot.api, writer, index: services.phone.index, log });
  const portal = portalCache(services.hubspot);
  const router = new EventRouter({
    log,
    store,
    bindings,
    phone: services.phone,
    hubspot: services.hubspot,
    queue,
    live,
    autoCreate,
    defaultRegion: services.config.defaultRegion,
    portal,
    callRecorded: async (callId) => (await db.select({ cdrId: callLogs.cdrId }).from(callLogs).where(eq(callLogs.callId, callId)).limit(1)).length > 0,
  });
  const listener = new EventListener({ log, store, registry, router });
  const recordingLinks = new RecordingLinks(db, services.secretBox, () => services.hubspot.publicUrl);
  let app: { at: number; value: Promise<{ appId: number } | null> } | undefined;
  const callingApp = () => {
    if (!app || Date.now() - app.at > 60_000) {
      const value = callingSettingsService(services)
        .credentials()
        .then(
          (c) => (c ? { appId: c.appId } : null),
          () => null,
        );
      app = { at: Date.now(), value };
    }
    return app.value;
  };
  const jobDeps: TelephonyJobDeps = {
    store,
    registry,
    sync: {
      log,
      connectionId: async () => {
        const id = await store.id();
        if (!id) throw new ConflictError('Connect the phone system first.');
        return id;
      },
      links: connector.links,
      syncErrors: connector.syncErrors,
      reader: new CrmReader({ api: services.hubspot.api, properties: SYNC_PROPERTIES, purpose: 'reading CRM records to sync to the PBX' }),
      adapter: () => registry.adapter(),
      inflight: new Map(),
    },
    logging: {
      db,
      log,
      hubspot: services.hubspot,
      phone: services.phone,
      writer,
      autoCreate,
      store,
      bindings,
      defaultRegion: services.config.defaultRegion,
      portal,
      finder: new EngagementFinder(services.hubspot.api),
      recordingUrl: (rowId) => recordingLinks.url(rowId, STORED_LINK_TTL_MS),
      callingApp,
      async associate(engagementId, contactId, companyId) {
        // HubSpot's default association types (call → contact 194, call → company 182): the record's timeline.
        for (const [type, id] of [
          ['contacts', contactId],
          ['companies', companyId],
        ] as const) {
          if (id)
            await services.hubspot.api.call("putting a call on its record's timeline", (c) =>
              c.crm.associations.v4.basicApi.createDefault('calls', engagementId, type, id),
            );
        }
      },
      async applyWrapUp(callId, ownerId, version) {
        await queue().enqueue(applyWrapUpJob, { callId, ownerId, version: version.toISOString() });
      },
      async onContactCall(match, cdr) {
        const connection = await store.get();
        const sync = connection?.settings.contactSync;
        if (cdr.direction !== 'inbound' || !sync?.enabled || !sync.modules.includes(match.objectType === 'contact' ? 'contacts' : 'companies')) return;
        await queue().enqueue(syncContactJob, { objectType: match.objectType, objectId: match.objectId, callId: cdr.callId });
      },
    },
  };
  const agentCalls = new AgentCalls({ db, live, api: services.hubspot.api });
  return {
    services,
    connector,
    store,
    registry,
    bindings,
    live,
    streams: new EventStreams(),
    writer,
    router,
    listener,
    jobDeps,
    recordingLinks,
    callingApp,
    agentCalls,
  };
}
