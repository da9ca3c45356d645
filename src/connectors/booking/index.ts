/**
 * Meeting booking → HubSpot meetings (issue 14, SPEC M1–M8): Cal.com's
 * webhooks and immedio-style booking webhooks, verified, enqueued and
 * answered at once; each booking chain becomes one HubSpot meeting per the
 * meeting type's settings; and the property sync that keeps Contact and
 * Company values in Spokes for the routing API.
 *
 * One connection holds the sources' webhook secrets (the admin enters the
 * secret configured at Cal.com / immedio; never shown again). Connecting and
 * disconnecting go through the platform's connection routes, so the admin
 * role check that guards them covers M1. Meeting-type and property-sync
 * settings live in the connector's own tables and outlive a disconnect (M2).
 */
import { z } from 'zod';
import { defineConnector, defineConnectorJob, enqueueOf, type ConnectorContext, type WebhookDefinition } from '../../platform/connector.ts';
import { Bookings } from './bookings.ts';
import { MeetingTypes } from './meeting-types.ts';
import { applyChain, archiveAbsorbed, OwnerDirectory } from './meetings.ts';
import { bookingEventSchema, parseDelivery, SOURCE_NAMES, SOURCES, type Source } from './payloads.ts';
import { PropertyStore } from './property-store.ts';
import { PropertySync } from './property-sync.ts';
import { checkCalcomSignature, checkImmedioSignature } from './signatures.ts';
import { registerBookingAdminRoutes } from './admin-routes.ts';
import { setUpBookingSandbox } from './sandbox.ts';
import { eventsToRefresh, refreshRecordsJob } from './hubspot-events.ts';
import { RoutingTokens, routingApiForMachines } from './routing-token.ts';

const secret = z.string().trim().min(8, 'a webhook secret is at least 8 characters').max(200);
const connectInput = z
  .object({ calcomSecret: secret.optional(), immedioSecret: secret.optional() })
  .strict()
  .refine((i) => i.calcomSecret || i.immedioSecret, { message: 'give the webhook secret of Cal.com, of immedio, or both', path: ['calcomSecret'] });
const credentials = z.object({ calcomSecret: z.string().optional(), immedioSecret: z.string().optional() });
const settings = z.object({}).strip();
type Settings = z.infer<typeof settings>;
type Credentials = z.infer<typeof credentials>;
export type BookingContext = ConnectorContext<Settings, Credentials>;

/** The connector's stores over its own tables, one set per database handle. */
const stores = new WeakMap<
  object,
  { bookings: Bookings; types: MeetingTypes; properties: PropertyStore; sync: PropertySync; owners: OwnerDirectory; tokens: RoutingTokens }
>();
export function storesOf(ctx: Pick<ConnectorContext, 'db'>) {
  let s = stores.get(ctx.db);
  if (!s) {
    const properties = new PropertyStore(ctx.db);
    s = {
      bookings: new Bookings(ctx.db),
      types: new MeetingTypes(ctx.db),
      properties,
      sync: new PropertySync(properties),
      owners: new OwnerDirectory(),
      tokens: new RoutingTokens(ctx.db, properties),
    };
    stores.set(ctx.db, s);
  }
  return s;
}

export const webhookPath = (source: Source, connectionId: string) => `/webhooks/booking/${source}/${connectionId}`;

const recordBooking = defineConnectorJob({
  name: 'booking.record-booking',
  schema: z.object({ connectionId: z.string(), event: bookingEventSchema }),
  // The same delivery again (a retry, a duplicate) is the same job: enqueueing it is a no-op while it is retained.
  idempotencyKey: (p) => `${p.event.source}:${p.event.uid}:${p.event.trigger}:${p.event.at}`,
  concurrency: 4,
  retry: { limit: 8, delaySeconds: 1, maxDelaySeconds: 300 },
  async run(p, ctx) {
    const s = storesOf(ctx);
    const e = p.event;
    const cause = `${e.source} ${e.trigger} ${e.uid}`;
    const { rootUid, absorbedMeetingId } = await s.bookings.record(e);
    if (absorbedMeetingId) await archiveAbsorbed(ctx, absorbedMeetingId, cause);
    return { rootUid, outcome: await applyChain(s, ctx, e.source, rootUid, cause) };
  },
});

const syncProperties = defineConnectorJob({
  name: 'booking.sync-properties',
  schema: z.object({ mode: z.enum(['full', 'incremental']), trigger: z.enum(['schedule', 'manual']), key: z.string().optional() }),
  idempotencyKey: (p) => `${p.mode}:${p.trigger}:${p.key ?? ''}`,
  retry: { limit: 2, delaySeconds: 30 },
  leaseSeconds: 3_600,
  heartbeatSeconds: 30,
  async run(p, ctx) {
    // The property sync belongs to the (one) booking connection; none enabled: nothing to sync for.
    const connection = (await ctx.connections.list()).find((c) => c.choice === 'enabled');
    if (!connection) return { skipped: 'no enabled booking connection' };
    const run = await storesOf(ctx).sync.run(ctx, connection.id, p.mode, p.trigger);
    return run ?? { skipped: 'another property sync is running' };
  },
});

const refreshRecords = refreshRecordsJob(storesOf);

function sourceWebhook(source: Source): WebhookDefinition<Settings, Credentials> {
  return {
    path: `${source}/:connectionId`,
    async verify(request, ctx) {
      const id = request.params.connectionId ?? '';
      const view = id.length <= 100 ? await ctx.connections.get(id) : null;
      if (view?.choice !== 'enabled') return { ok: false, reason: 'no enabled booking connection at this URL' };
      const creds = (await ctx.connections.open(id)).credentials;
      const key = source === 'calcom' ? creds.calcomSecret : creds.immedioSecret;
      if (!key) return { ok: false, reason: `this connection has no ${SOURCE_NAMES[source]} webhook secret` };
      const check = source === 'calcom' ? checkCalcomSignature(request.headers, request.raw, key) : checkImmedioSignature(request.headers, request.raw, key);
      return check.ok ? { ok: true, connectionId: id } : check;
    },
    async toJobs(request, _ctx, verdict) {
      const event = parseDelivery(source, request.raw);
      return event ? [enqueueOf(recordBooking, { connectionId: verdict.connectionId!, event })] : [];
    },
  };
}

export const booking = defineConnector<Settings, Credentials, z.infer<typeof connectInput>>({
  manifest: {
    slug: 'booking',
    name: 'Meeting booking',
    features: ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8'],
    hubspotScopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.companies.read', 'crm.objects.owners.read'],
    connections: 'one',
  },
  settings,
  credentials,
  connectInput,
  lifecycle: {
    async connect(_ctx, input) {
      const names = SOURCES.filter((s) => (s === 'calcom' ? input.calcomSecret : input.immedioSecret)).map((s) => SOURCE_NAMES[s]);
      return { label: names.join(' and '), credentials: { calcomSecret: input.calcomSecret, immedioSecret: input.immedioSecret }, settings: {} };
    },
    async disconnect() {
      // Nothing to undo at the sources (the admin removes the webhook there); meeting types are kept (M2).
    },
    async status(ctx, connection) {
      const sources = SOURCES.filter((s) => (s === 'calcom' ? connection.credentials.calcomSecret : connection.credentials.immedioSecret));
      const s = storesOf(ctx);
      const state = await s.properties.state();
      const lastRun = state.lastRun as { finishedAt?: string; error?: string } | null;
      return {
        health: lastRun?.error ? 'degraded' : 'ok',
        summary: `Receiving bookings from ${sources.map((x) => SOURCE_NAMES[x]).join(' and ')}`,
        details: {
          webhookUrls: Object.fromEntries(sources.map((x) => [x, `${ctx.publicUrl}${webhookPath(x, connection.id)}`])),
          bookingsSeen: await s.bookings.count(),
          lastPropertySync: lastRun?.finishedAt ?? null,
          ...(lastRun?.error ? { propertySyncError: lastRun.error } : {}),
        },
      };
    },
  },
  jobs: [recordBooking, syncProperties, refreshRecords],
  schedules: [
    { job: syncProperties, cron: '*/5 * * * *', payload: { mode: 'incremental', trigger: 'schedule' } },
    { job: syncProperties, cron: '30 2 * * *', payload: { mode: 'full', trigger: 'schedule' } },
  ],
  webhooks: [sourceWebhook('calcom'), sourceWebhook('immedio')],
  // M7: HubSpot's own webhooks refresh the records they name within seconds.
  hubspotEvents: { handle: (events, ctx) => eventsToRefresh(events, ctx, storesOf(ctx).properties, refreshRecords) },
  routes: {
    admin: (router, ctx) => registerBookingAdminRoutes(router, ctx, { stores: storesOf(ctx), manualSync: syncProperties }),
    public: [
      routingApiForMachines(
        (ctx) => storesOf(ctx).tokens,
        (ctx) => storesOf(ctx).properties,
      ),
    ],
  },
  emulator: {
    system: 'calcom',
    setUp: (ctx, sandboxes, lifecycle) => setUpBookingSandbox(ctx, sandboxes, lifecycle, storesOf(ctx)),
  },
});
