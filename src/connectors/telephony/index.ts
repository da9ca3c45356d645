/**
 * The telephony connector (T3–T11): a PBX (Yeastar P-Series first, through the
 * vendor-neutral adapter in pbx.ts) connected to HubSpot — calls logged exactly
 * once, callers popped, click-to-call, CRM contacts synced into a PBX phonebook.
 * This object, on the platform contract (src/platform/connector.ts), is the
 * folder's only export.
 */
import { z } from 'zod';
import { defineConnector } from '../../platform/connector.ts';
import { AuthExpiredError, RemoteRateLimitedError, UnauthorizedError, ValidationError } from '../../errors.ts';
import { HUBSPOT } from '../../hubspot/manifest.ts';
import { existingTelephonyContext, telephonyContext } from './context.ts';
import { telephonyJobs, telephonySchedules } from './jobs.ts';
import { registerTelephonyAdminRoutes } from './routes-admin.ts';
import { registerTelephonyCallRoutes } from './routes-calls.ts';
import {
  authorizeRecordingLink,
  registerHubSpotRecordingRoutes,
  registerRecordingAdminRoutes,
  registerRecordingRoutes,
  verifyHubSpot,
} from './routes-recordings.ts';
import { registerAgentPages, registerTelephonyAgentRoutes } from './routes-agent.ts';
import { registerAgentAdminRoutes } from './routes-agent-admin.ts';
import { registerCallHistoryRoutes } from './routes-history.ts';
import { agentGuard } from './agent-guard.ts';
import { configureTelephonySandbox } from './sandbox.ts';
import { registerSandboxWidget } from './widget-sandbox.ts';
import { settingsSchema, type TelephonySettings } from './settings.ts';
import { PbxStore, PBX_EVENTS, TELEPHONY, labelOf, pbxCredentialsSchema, type PbxCredentials } from './pbx-store.ts';
import { createAdapter } from './pbx-registry.ts';
import { resetYeastarLoginGuard } from './yeastar/index.ts';
import { releasePhonebook } from './contact-sync.ts';
import { revokeUnbound } from './routes-agent-admin.ts';

/** What connecting a PBX takes (the admin page's form fills kept secrets in before it gets here). */
export const connectInputSchema = z.object({
  vendor: z.enum(['yeastar']).default('yeastar'),
  baseUrl: z
    .string()
    .trim()
    .url('must be the PBX address, e.g. https://pbx.example.com:8088')
    .transform((u) => u.replace(/\/+$/, '')),
  clientId: z.string().trim().min(1, 'required'),
  clientSecret: z.string().trim().min(1, 'required').max(500),
  webhookSecret: z.string().trim().max(500).nullable().default(null),
});
type ConnectInput = z.output<typeof connectInputSchema>;

/** Agent API routes a salesperson calls before having a session: signing in is their own proof. */
const SIGN_IN_ROUTES = new Set(['/agent-api/sessions', '/agent-api/sign-in/hubspot', '/agent-api/sign-in/from-session', '/agent-api/sign-in/handoff']);

export const telephony = defineConnector<TelephonySettings, PbxCredentials, ConnectInput>({
  manifest: {
    slug: TELEPHONY,
    name: 'Phone system',
    features: ['T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'T10', 'T11'],
    hubspotScopes: [
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.companies.read',
      'crm.objects.companies.write',
      'crm.objects.owners.read',
    ],
    // One PBX per installation, connected on the Phone system page.
    connections: 'one',
    ownPage: true,
  },
  settings: settingsSchema,
  credentials: pbxCredentialsSchema,
  connectInput: connectInputSchema,
  lifecycle: {
    async connect(ctx, input) {
      const credentials: PbxCredentials = { ...input, webhookSecret: input.webhookSecret || null };
      // An admin's explicit "Connect" may try again after Spokes stopped signing in to protect the PBX's IP block.
      resetYeastarLoginGuard(credentials.baseUrl);
      const probe = createAdapter(credentials, ctx.log, telephonyContext(ctx).registry.addresses);
      try {
        const info = await probe.verifyCredentials().catch((err: Error) => {
          // The PBX refused the credentials (or access): the secret; it could not be reached (or may not be): the address.
          const field = err instanceof AuthExpiredError || err instanceof RemoteRateLimitedError ? 'input.clientSecret' : 'input.baseUrl';
          throw new ValidationError(err.message, [{ field, message: err.message }]);
        });
        return PbxStore.initial(credentials, info);
      } finally {
        await probe.dispose();
      }
    },
    async enable(ctx, connection) {
      // Calls made while disabled are not back-filled (T9): logging starts now.
      const now = new Date();
      await ctx.checkpoints.set(connection.id, PBX_EVENTS, { eventsSeenUntil: now, loggingSince: now });
    },
    async disconnect(ctx, connection) {
      const t = telephonyContext(ctx);
      // T10: the phonebook and its contacts stay on the PBX, no longer CRM-owned: editable again.
      const phonebookId = connection.settings?.contactSync.phonebookId;
      if (phonebookId) await releasePhonebook(t.jobDeps.sync, phonebookId);
      const bound = await t.bindings.list();
      await t.bindings.clear();
      await revokeUnbound(t, agentGuard(t), bound);
      // The recordings stay on the PBX, but no link handed out for this connection opens them any more.
      await t.recordingLinks.rotate();
    },
    async status(ctx, connection) {
      const c = await telephonyContext(ctx).store.get();
      const where = labelOf(connection.credentials);
      if (!c || connection.choice !== 'enabled')
        return { health: 'degraded', summary: `${where}: switch "Enable HubSpot integration" on to log calls`, details: { state: 'disabled' } };
      // The event stream's state, as the process that holds it (the leader) last wrote it.
      const ok = c.streamState === 'connected';
      return {
        health: ok ? 'ok' : 'down',
        summary: `${where}${c.lastError && !ok ? `: ${c.lastError}` : ''}`,
        details: { state: c.streamState, eventsSeenUntil: c.eventsSeenUntil?.toISOString() ?? null },
      };
    },
  },
  jobs: telephonyJobs,
  schedules: telephonySchedules,
  webhooks: [
    {
      // The PBX's webhook push (Integrations > API > Webhook): its X-Signature over the raw body.
      path: 'yeastar',
      async verify(request, ctx) {
        const t = telephonyContext(ctx);
        const adapter = await t.registry.adapter().catch(() => undefined);
        if (!adapter?.verifyWebhook) return { ok: false, reason: 'no Yeastar PBX is connected' };
        const signature = request.headers['x-signature'];
        if (!adapter.verifyWebhook(request.raw, Array.isArray(signature) ? signature[0] : signature))
          return { ok: false, reason: "bad or missing X-Signature: the webhook secret in Spokes must match the PBX's" };
        return { ok: true, connectionId: (await t.store.id()) ?? undefined };
      },
      // A call record becomes its log-call job (or a back-fill) through the router, as from the event stream; a live event pops up.
      async toJobs(request, ctx) {
        const t = telephonyContext(ctx);
        const adapter = await t.registry.adapter();
        const parsed = await adapter.parseWebhook!(request.raw);
        if (!parsed.ok) {
          ctx.log.warn({ err: parsed.error.message }, 'malformed PBX webhook refused');
          throw parsed.error;
        }
        if (parsed.event) await t.router.handle(parsed.event);
        else ctx.log.debug({ eventType: parsed.eventType }, 'PBX webhook event Spokes does not use');
        return [];
      },
    },
  ],
  routes: {
    // `/api/telephony/…`: the Phone system page, the call history, click-to-call for admins, agents' links.
    admin(router, ctx) {
      const t = telephonyContext(ctx);
      registerTelephonyAdminRoutes(router, t);
      registerTelephonyCallRoutes(router, t);
      registerCallHistoryRoutes(router, t);
      registerAgentAdminRoutes(router, t, agentGuard(t));
      registerRecordingAdminRoutes(router, t);
      // Open event streams would hold the server's close() until every browser went away.
      router.addHook('preClose', async () => t.streams.endAll());
    },
    public: [
      {
        // The calling widget and the pop-up page, on behalf of a salesperson: `Authorization: Bearer <session>`.
        prefix: '/agent-api',
        auth: 'agent',
        async authorize(request, ctx) {
          if (SIGN_IN_ROUTES.has(request.routeOptions.url ?? '')) return;
          const t = telephonyContext(ctx);
          await agentGuard(t).agentOf(request);
        },
        register(router, ctx) {
          registerTelephonyAgentRoutes(router, telephonyContext(ctx));
        },
      },
      { prefix: '/agent', auth: 'page', register: (router) => registerAgentPages(router) },
      {
        // A recording, by the signed link Spokes hands out (T8).
        prefix: '/recordings',
        auth: 'signature',
        authorize: (request, ctx) => authorizeRecordingLink(request, telephonyContext(ctx)),
        register: (router, ctx) => registerRecordingRoutes(router, telephonyContext(ctx)),
      },
      {
        // HubSpot asks for a fresh recording link, signed with the app's secret (v3).
        prefix: HUBSPOT.recordingPath,
        auth: 'signature',
        authorize: async (request, ctx) => {
          const t = telephonyContext(ctx);
          await verifyHubSpot(request, t).catch((err: unknown) => {
            throw err instanceof UnauthorizedError ? err : new UnauthorizedError((err as Error).message);
          });
        },
        register: (router, ctx) => registerHubSpotRecordingRoutes(router, telephonyContext(ctx)),
      },
    ],
  },
  streams: [
    {
      // The PBX's call events (T7, T8): one process holds them (the runtime elects it).
      name: 'pbx-events',
      run: (ctx, signal) => telephonyContext(ctx).listener.run(signal),
    },
  ],
  process: {
    async start(ctx, role) {
      const t = telephonyContext(ctx);
      // Every serving process relays live events to its pages; the leader holds the PBX event stream.
      if (role.server && ctx.config.databaseUrl) t.stopLiveRelay ??= t.live.relayThrough(ctx.config.databaseUrl, ctx.log);
    },
    async stop(ctx) {
      const t = existingTelephonyContext(ctx);
      if (!t) return;
      await t.router.idle();
      await t.stopLiveRelay?.();
      await t.writer.flush().catch(() => {});
      await t.registry.reset();
    },
  },
  emulator: {
    system: 'yeastar',
    async setUp(ctx, sandboxes, lifecycle) {
      const t = telephonyContext(ctx);
      await configureTelephonySandbox(t, sandboxes, lifecycle);
      await registerSandboxWidget(t.services);
    },
  },
});
