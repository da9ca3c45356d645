/**
 * A HubSpot emulator and a Spokes HubSpotService connected to it, on a fresh
 * database of the given engine — what every phone-index, webhook and batch-writer
 * suite starts from. Connection the way an admin does it: a private-app token
 * (`connectPrivateApp`) or an OAuth install (`approveInstall` + `completeAuthorization`).
 */
import { randomBytes } from 'node:crypto';
import { startHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from '../../sandbox/hubspot/index.ts';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createSecretBox } from '../../src/secrets/secret-key.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { HubSpotService } from '../../src/hubspot/service.ts';
import { createRateBudget, type BudgetLimits, type RateBudget } from '../../src/hubspot/rate-budget.ts';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

export interface HubSpotWorld {
  sandbox: HubSpotSandbox;
  database: Database;
  hubspot: HubSpotService;
  budget: RateBudget;
  log: Logger;
  portalId: number;
  /** The app Spokes is installed as (OAuth), with its secret and the developer API key. */
  app: { appId: number; clientId: string; clientSecret: string; developerApiKey: string };
  close(): Promise<void>;
}

export interface WorldOptions {
  sandbox?: HubSpotSandboxOptions;
  connect?: 'private_app' | 'oauth';
  /** Spokes' budget; defaults to HubSpot's real limits (§8). */
  budget?: BudgetLimits;
  publicUrl?: string;
  /** Puts something between Spokes and the emulator (e.g. a proxy that loses answers): returns the URL Spokes calls. */
  apiBaseUrl?: (sandboxUrl: string) => Promise<string> | string;
}

export const REAL_LIMITS: BudgetLimits = {
  tenSecondly: { oauth: HUBSPOT.limits.oauthTenSecondly, private_app: HUBSPOT.limits.privateAppTenSecondly },
  searchPerSecond: HUBSPOT.limits.searchPerSecond,
};

/** Ten times HubSpot's limits on both sides, so functional suites do not wait on the budget. */
export const FAST: Pick<WorldOptions, 'budget'> & { sandboxLimits: NonNullable<HubSpotSandboxOptions['limits']> } = {
  budget: { tenSecondly: { oauth: 1_100, private_app: 1_000 }, searchPerSecond: 50 },
  sandboxLimits: { tenSecondly: 1_100, privateAppTenSecondly: 1_900, searchPerSecond: 50 },
};

export async function startHubSpotWorld(engine: 'pglite' | 'postgres', opts: WorldOptions = {}): Promise<HubSpotWorld> {
  const test: TestDatabase = await createTestDatabase(engine);
  const database = await openDatabase(test);
  await applyMigrations(database);
  const sandbox = await startHubSpotSandbox({ port: 0, ...opts.sandbox });
  const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const budget = await createRateBudget({ databaseUrl: test.databaseUrl, limits: opts.budget ?? REAL_LIMITS });
  const hubspot = new HubSpotService({
    database,
    secretBox: createSecretBox(randomBytes(32)),
    log,
    budget,
    baseUrl: opts.apiBaseUrl ? await opts.apiBaseUrl(sandbox.url) : sandbox.url,
    publicUrl: opts.publicUrl ?? 'http://localhost:3000',
    sandbox: true,
  });
  const portal = sandbox.info().portals.find((p) => p.type === 'STANDARD')!;
  const registered = sandbox.registerApp({
    name: 'Spokes',
    redirectUrls: [hubspot.redirectUrl],
    scopes: [...HUBSPOT.requiredScopes],
    optionalScopes: [...HUBSPOT.optionalScopes],
  });
  const app = { appId: registered.appId, clientId: registered.clientId, clientSecret: registered.clientSecret, developerApiKey: registered.developerApiKey };
  await hubspot.store.saveApp({ clientId: app.clientId, clientSecret: app.clientSecret });
  if ((opts.connect ?? 'private_app') === 'private_app') {
    await hubspot.connectPrivateApp(portal.privateAppToken);
  } else {
    const { state } = await hubspot.beginAuthorization();
    const { redirectUrl } = sandbox.approveInstall({
      clientId: app.clientId,
      redirectUri: hubspot.redirectUrl,
      scopes: [...HUBSPOT.requiredScopes],
      optionalScopes: [...HUBSPOT.optionalScopes],
      state,
      portalId: portal.portalId,
    });
    const back = new URL(redirectUrl);
    await hubspot.completeAuthorization({ code: back.searchParams.get('code') ?? undefined, state: back.searchParams.get('state') ?? undefined });
  }
  return {
    sandbox,
    database,
    hubspot,
    budget,
    log,
    portalId: portal.portalId,
    app,
    async close() {
      await sandbox.close();
      await budget.close();
      await database.close();
      await test.drop();
    },
  };
}

/** Calls the emulator's API as the portal's private app (test set-up and assertions, not Spokes). */
export async function hubspotRequest<T = any>(world: HubSpotWorld, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const token = world.sandbox.info().portals.find((p) => p.portalId === world.portalId)!.privateAppToken;
  const res = await fetch(`${world.sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Creates records through the emulator's batch API (100 per request); returns their ids in order. */
export async function createRecords(world: HubSpotWorld, type: 'contacts' | 'companies', properties: Record<string, string>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < properties.length; i += 100) {
    const res = await hubspotRequest<{ results: { id: string; properties: Record<string, string> }[] }>(world, 'POST', `/crm/v3/objects/${type}/batch/create`, {
      inputs: properties.slice(i, i + 100).map((p, j) => ({ properties: p, objectWriteTraceId: `t${i + j}` })),
    });
    if (res.status !== 201) throw new Error(`batch create ${type}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const byTrace = new Map(res.body.results.map((r: any) => [r.objectWriteTraceId as string, r.id]));
    for (let j = 0; j < properties.slice(i, i + 100).length; j++) ids.push(byTrace.get(`t${i + j}`)!);
  }
  return ids;
}
