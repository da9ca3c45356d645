/**
 * Sansan Open API emulator: business cards, persons and tags of one tenant whose
 * users each hold an API key, the `{data, hasMore, nextPageToken}` listings, the
 * 10 requests/s limit, a seed generator, fault injection and snapshots.
 * See docs/sandbox/sansan.md. Imports nothing from src/: it is usable on its own.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './api/context.ts';
import { createHttpApp, type HttpParts, type RequestLogEntry } from './http/app.ts';
import { registerControlRoutes, sandboxInfo, type SandboxInfo } from './http/controls.ts';
import { FaultInjector, faultsSchema, type Faults } from './http/faults.ts';
import { RateLimiter } from './http/rate-limiter.ts';
import { TenantState } from './model/tenant.ts';
import { resolveOptions, seedSchema, type ResolvedOptions, type SansanLimits, type SansanSandboxOptions, type SeedOptions, type UserSeed } from './options.ts';
import { seedTenant, type SeedSummary } from './seed/seed.ts';
import { readSnapshot, SnapshotWriter } from './snapshot.ts';

export { DEFAULT_API_VERSION, DEFAULT_USERS } from './options.ts';
export type { Faults, RequestLogEntry, SandboxInfo as SansanSandboxInfo, SansanLimits, SansanSandboxOptions, SeedOptions, SeedSummary, UserSeed };

export interface SansanSandbox {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  app: FastifyInstance;
  /** Same as `GET /sandbox/info`. */
  info(): SandboxInfo;
  close(): Promise<void>;
  /** Same as `POST /sandbox/reset`: the start-up tenant again (users and keys kept), no faults, fresh rate windows. */
  reset(): void;
  /** Same as `POST /sandbox/seed`: replaces cards and tags with generated ones. */
  seed(options?: SeedOptions): SeedSummary;
  /** Same as `POST /sandbox/faults`; `{}` clears them. */
  setFaults(faults: Faults): void;
  /** Same as `POST /sandbox/limits`. */
  setLimits(limits: Partial<SansanLimits>): void;
  /** Same as `POST /sandbox/clock`: moves the emulator clock (token expiry, rate windows, update times). */
  advanceClock(ms: number): void;
  /** Recent API requests, oldest first. */
  requests(): RequestLogEntry[];
  /** Same as `POST /sandbox/users/{id}/api-key`: a new key for the user, the old one refused from now on. */
  reissueApiKey(userId: string): { key: string; userId: string };
}

export async function buildSansanApp(
  options: SansanSandboxOptions = {},
): Promise<{ app: FastifyInstance; ctx: ApiContext; parts: HttpParts; reset(): void; close(): Promise<void> }> {
  const resolved = resolveOptions(options);
  const state = await initialState(resolved, options.users !== undefined);
  const ctx: ApiContext = {
    state,
    options: resolved,
    limits: { ...resolved.limits },
    users: new WeakMap(),
    baseUrl: resolved.publicUrl ?? `http://${resolved.host}:${resolved.port}`,
  };
  const parts: HttpParts = { faults: new FaultInjector(), limiter: new RateLimiter(), requestLog: [], counters: { requests: 0, byStatus: {} } };
  const app = await createHttpApp(ctx, parts);
  const reset = () => {
    const previous = ctx.state;
    const next = freshState(resolved, previous.users);
    next.clock.offsetMs = previous.clock.offsetMs;
    next.clock.observe(previous.clock.lastStamp);
    next.touch();
    ctx.state = next;
    parts.faults.configure({});
    parts.limiter.reset();
    parts.requestLog.length = 0;
    parts.counters.requests = 0;
    parts.counters.byStatus = {};
    Object.assign(ctx.limits, resolved.limits);
  };
  registerControlRoutes(app, ctx, parts, reset);
  const writer = resolved.snapshotPath
    ? new SnapshotWriter(
        resolved.snapshotPath,
        () => ctx.state,
        resolved.snapshotDebounceMs,
        (error) => resolved.logger?.error({ err: error }, 'Sansan sandbox: snapshot write failed'),
      )
    : undefined;
  writer?.start();
  return {
    app,
    ctx,
    parts,
    reset,
    close: async () => {
      await writer?.stop();
      await app.close();
    },
  };
}

export async function startSansanSandbox(options: SansanSandboxOptions = {}): Promise<SansanSandbox> {
  const built = await buildSansanApp(options);
  const { app, ctx, parts } = built;
  await app.listen({ port: ctx.options.port, host: ctx.options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.options.port;
  const host = ctx.options.host.includes(':') ? `[${ctx.options.host}]` : ctx.options.host;
  const url = ctx.options.publicUrl?.replace(/\/$/, '') ?? `http://${host}:${port}`;
  ctx.baseUrl = url;
  return {
    url,
    port,
    app,
    info: () => sandboxInfo(ctx),
    close: built.close,
    reset: built.reset,
    seed: (input = {}) => seedTenant(ctx.state, seedSchema.parse(input), ctx.options.utcOffsetMinutes),
    setFaults: (faults) => parts.faults.configure(faultsSchema.parse(faults)),
    setLimits: (limits) => {
      Object.assign(ctx.limits, Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)));
    },
    advanceClock: (ms) => ctx.state.clock.advance(ms),
    requests: () => [...parts.requestLog],
    reissueApiKey: (userId) => {
      const user = ctx.state.reissueApiKey(userId);
      if (!user) throw new TypeError(`no Sansan sandbox user ${userId}`);
      return { key: user.apiKey, userId: user.id };
    },
  };
}

/** From the snapshot when there is one (explicit `users` still win), else the start-up tenant. */
async function initialState(resolved: ResolvedOptions, usersGiven: boolean): Promise<TenantState> {
  if (resolved.snapshotPath) {
    const restored = new TenantState();
    if (await readSnapshot(resolved.snapshotPath, restored)) {
      if (usersGiven) restored.setUsers(resolved.users);
      return restored;
    }
  }
  return freshState(resolved, resolved.users);
}

function freshState(resolved: ResolvedOptions, users: TenantState['users']): TenantState {
  const state = new TenantState();
  state.setUsers(users);
  if (resolved.seed) seedTenant(state, resolved.seed, resolved.utcOffsetMinutes);
  return state;
}
