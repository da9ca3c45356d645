/**
 * The telephony connector (T3–T11): a PBX (Yeastar P-Series first, through the
 * vendor-neutral adapter in pbx.ts) connected to HubSpot — calls logged exactly
 * once, callers popped, click-to-call, CRM contacts synced into a PBX phonebook.
 * This object is the folder's only export.
 */
import type { Connector } from '../connector.ts';
import type { Services } from '../../services.ts';
import { createTelephonyContext, type TelephonyContext } from './context.ts';
import { telephonyJobs, scheduleTelephonyJobs } from './jobs.ts';
import { registerTelephonyAdminRoutes } from './routes-admin.ts';
import { registerTelephonyCallRoutes } from './routes-calls.ts';
import { registerTelephonyRecordingRoutes } from './routes-recordings.ts';
import { registerTelephonyAgentRoutes } from './routes-agent.ts';
import { registerCallHistoryRoutes } from './routes-history.ts';
import { agentWidgetUrl } from './agent-auth.ts';
import { configureTelephonySandbox } from './sandbox.ts';
import { registerSandboxWidget } from './widget-sandbox.ts';

const contexts = new WeakMap<Services, TelephonyContext>();

/** The connector's state for a process, built on first use. */
export function telephonyContext(services: Services): TelephonyContext {
  let ctx = contexts.get(services);
  if (!ctx) {
    ctx = createTelephonyContext(services);
    contexts.set(services, ctx);
  }
  return ctx;
}

/** The calling widget's URL (`spokes calling-settings register`, the admin page). */
export async function widgetUrl(services: { hubspot: { publicUrl: string } }): Promise<string> {
  return agentWidgetUrl(services.hubspot.publicUrl);
}

export const telephony = {
  manifest: { slug: 'telephony', name: 'Phone system', features: ['T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'T10', 'T11'] },
  jobs: (services) => telephonyJobs(() => telephonyContext(services).jobDeps),
  routes(app, services) {
    const ctx = telephonyContext(services);
    registerTelephonyAdminRoutes(app, ctx);
    registerTelephonyCallRoutes(app, ctx);
    registerTelephonyRecordingRoutes(app, ctx);
    registerCallHistoryRoutes(app, ctx);
    registerTelephonyAgentRoutes(app, ctx);
    // Open event streams would hold the server's close() until every browser went away.
    app.addHook('preClose', async () => ctx.streams.endAll());
  },
  async sandbox(services, sandboxes) {
    await configureTelephonySandbox(telephonyContext(services), sandboxes);
    await registerSandboxWidget(services);
  },
  async start(services, role) {
    const ctx = telephonyContext(services);
    if (role.server) {
      // Every serving process relays live events to its pages; one of them (the leader) holds the PBX event stream.
      if (services.config.databaseUrl) ctx.stopLiveRelay ??= ctx.live.relayThrough(services.config.databaseUrl, ctx.services.log);
      ctx.listener.start();
      await scheduleTelephonyJobs(services.queue);
    }
  },
  async health(services) {
    const c = await telephonyContext(services).store.get();
    if (!c) return { name: 'Phone system', state: 'not connected', ok: true, detail: "connect a PBX on the admin's Phone system page to log calls" };
    const where = `${c.vendor === 'yeastar' ? 'Yeastar' : c.vendor} at ${c.baseUrl}`;
    if (!c.enabled) return { name: 'Phone system', state: 'disabled', ok: false, detail: `${where}: switch "Enable HubSpot integration" on to log calls` };
    // The event stream's state, as the process that holds it (the leader) last wrote it.
    const state = c.streamState === 'connected' ? 'connected' : c.streamState;
    return { name: 'Phone system', state, ok: state === 'connected', detail: `${where}${c.lastError && state !== 'connected' ? `: ${c.lastError}` : ''}` };
  },
  async stop(services) {
    const ctx = contexts.get(services);
    if (!ctx) return;
    await ctx.listener.stop();
    await ctx.stopLiveRelay?.();
    await ctx.writer.flush().catch(() => {});
    await ctx.registry.reset();
  },
} satisfies Connector;
