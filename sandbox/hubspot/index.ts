/**
 * The HubSpot emulator — public entry point.
 *
 * `startHubSpotSandbox(options)` builds and starts the emulator on `host:port`
 * (127.0.0.1, random port by default); `buildHubSpotApp(options)` builds the same
 * Fastify app without listening, for callers that mount or start it themselves.
 * See docs/sandbox/hubspot.md for endpoints, controls and known differences.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { CrmEvents } from './crm/events.ts';
import { ObjectService } from './crm/object-service.ts';
import { createSandboxApp } from './http/build-app.ts';
import type { FaultSettings } from './http/faults.ts';
import { approveInstall, sandboxInfo, type ApproveInstallInput, type SandboxInfo } from './http/routes-controls.ts';
import type { StatsSnapshot } from './http/stats.ts';
import type { SandboxLimits } from './manifest.ts';
import { createInitialState, registerApp as addApp } from './model/initial-state.ts';
import { SandboxState } from './model/sandbox-state.ts';
import { readSnapshot, restoreState, SnapshotWriter } from './model/snapshot.ts';
import { resolveOptions, seedSchema, type AppRegistration, type HubSpotSandboxOptions, type ResolvedOptions, type SeedOptions } from './options.ts';
import type { RecordPageExtensions } from './pages/record-page.ts';
import { seedPortal, type SeedSummary } from './seed/seed.ts';
import type { DeliveryRecord } from './webhooks/dispatcher.ts';

export type {
  AppRegistration,
  ApproveInstallInput,
  DeliveryRecord,
  FaultSettings,
  HubSpotSandboxOptions,
  RecordPageExtensions,
  SandboxInfo,
  SandboxLimits,
  SeedOptions,
  SeedSummary,
  StatsSnapshot,
};
export type { ResponseRecord } from './options.ts';

export interface HubSpotSandboxApp {
  /** The Fastify instance serving API paths, app pages and `/sandbox/*` controls. */
  app: FastifyInstance;
  /** Same content as `GET /sandbox/info`. */
  info(): SandboxInfo;
  /** Registers a public app (client id/secret generated unless given). */
  registerApp(input: AppRegistration): SandboxInfo['apps'][number];
  /** "Connect app" without a browser: returns `redirect_uri?code=…&state=…` and the code. */
  approveInstall(input: ApproveInstallInput): { redirectUrl: string; code: string };
  /** Deterministic seed of one portal (the first standard portal by default). */
  seed(options?: SeedOptions): SeedSummary;
  stats(): StatsSnapshot;
  setFaults(settings: FaultSettings): void;
  /** Overrides limits at run time (e.g. a tiny `tenSecondly` for a retry test). */
  setLimits(limits: Partial<SandboxLimits>): void;
  /** Moves the emulator clock forward (token expiry, code expiry, rate windows). */
  advanceClock(ms: number): void;
  /** Back to the initial portals and data; registered apps keep their credentials. */
  reset(): void;
  /** Resolves when every queued webhook delivery (and retry) has finished. */
  webhooksIdle(): Promise<void>;
  webhookDeliveries(): DeliveryRecord[];
  setRecordPageExtensions(extensions: RecordPageExtensions | undefined): void;
  /** The origin reported in `/sandbox/info`, paging links and pages. */
  setBaseUrl(url: string): void;
  close(): Promise<void>;
}

export interface HubSpotSandbox extends HubSpotSandboxApp {
  url: string;
  port: number;
}

export async function buildHubSpotApp(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandboxApp> {
  const resolved = resolveOptions(options);
  const logger = options.logger ?? pino({ level: 'warn', name: 'hubspot-sandbox', base: undefined });
  const stored = resolved.snapshotPath ? await readSnapshot(resolved.snapshotPath) : undefined;
  let state: SandboxState;
  if (stored) {
    state = new SandboxState();
    restoreState(state, stored);
  } else {
    state = initialState(resolved);
  }
  const parts = await createSandboxApp({
    options: resolved,
    state,
    logger,
    freshState: (previous) => {
      const next = initialState(resolved);
      next.developerAccount = previous.developerAccount;
      for (const portal of next.portals.values()) {
        const old = previous.portal(portal.portalId);
        if (old) portal.settings.privateAppToken = old.settings.privateAppToken;
      }
      next.apps.clear();
      for (const app of previous.apps.values()) next.apps.set(app.appId, { ...app, subscriptions: [...app.subscriptions] });
      next.counters.nextAppId = previous.counters.nextAppId;
      next.counters.nextSubscriptionId = previous.counters.nextSubscriptionId;
      return next;
    },
  });
  const { app, ctx } = parts;
  const writer = resolved.snapshotPath
    ? new SnapshotWriter(
        resolved.snapshotPath,
        () => ctx.state,
        resolved.snapshotDebounceMs,
        (error) => logger.error({ err: error }, 'HubSpot sandbox: snapshot write failed'),
      )
    : undefined;
  writer?.start();
  app.addHook('onClose', async () => {
    ctx.webhooks.close();
  });

  return {
    app,
    info: () => sandboxInfo(ctx),
    registerApp: (input) => {
      const created = addApp(ctx.state, input);
      return sandboxInfo(ctx).apps.find((a) => a.appId === created.appId)!;
    },
    approveInstall: (input) => approveInstall(ctx, input),
    seed: (input = {}) => {
      const request = seedSchema.parse(input);
      const portalId = request.portalId ?? [...ctx.state.portals.values()].find((p) => p.settings.type === 'STANDARD')!.portalId;
      const portal = ctx.state.portal(portalId);
      if (!portal) throw new Error(`Unknown portal ${portalId}`);
      return seedPortal(ctx.state, ctx.objects, portal, request);
    },
    stats: () =>
      ctx.stats.snapshot({
        faults: { ...ctx.faults.injected },
        webhooks: { delivered: ctx.webhooks.delivered, failedAttempts: ctx.webhooks.failedAttempts, pending: ctx.webhooks.pending },
      }),
    setFaults: (settings) => ctx.faults.configure(settings),
    setLimits: (limits) => Object.assign(ctx.limits, limits),
    advanceClock: (ms) => {
      ctx.state.clock.advance(ms);
      ctx.state.touch();
    },
    reset: parts.reset,
    webhooksIdle: () => ctx.webhooks.idle(),
    webhookDeliveries: () => [...ctx.webhooks.deliveries],
    setRecordPageExtensions: parts.setRecordPageExtensions,
    setBaseUrl: (url) => {
      ctx.baseUrl = url.replace(/\/$/, '');
    },
    close: async () => {
      ctx.webhooks.close();
      await writer?.stop();
      await app.close();
    },
  };
}

export async function startHubSpotSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  const built = await buildHubSpotApp(options);
  const resolved = resolveOptions(options);
  await built.app.listen({ port: resolved.port, host: resolved.host });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : resolved.port;
  const url = resolved.publicUrl ?? `http://${resolved.host}:${port}`;
  built.setBaseUrl(url);
  return { ...built, url, port };
}

function initialState(resolved: ResolvedOptions): SandboxState {
  const state = createInitialState(resolved);
  if (resolved.seed) {
    const request = seedSchema.parse(resolved.seed);
    const portalId = request.portalId ?? [...state.portals.values()].find((p) => p.settings.type === 'STANDARD')?.portalId;
    const portal = portalId !== undefined ? state.portal(portalId) : undefined;
    if (!portal) throw new TypeError(`Invalid HubSpot sandbox options: seed.portalId ${String(request.portalId)} is not a portal`);
    // Seeding happens before the app exists; a throwaway service writes without events.
    seedPortal(state, seedService(state), portal, request);
  }
  return state;
}

function seedService(state: SandboxState): ObjectService {
  return new ObjectService(new CrmEvents(), () => state.clock.now());
}
