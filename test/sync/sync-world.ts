/**
 * The sync engine's test world: a database (PGlite or PostgreSQL), the HubSpot
 * emulator with Spokes' HubSpotService connected to it, the Sansan emulator,
 * a Sansan connection row, and the engine running the Sansan card sync — no
 * server, no queue. `openEngine` is also what the SIGKILL child process uses.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createSecretBox } from '../../src/secrets/secret-key.ts';
import { createLogger } from '../../src/logger.ts';
import { HubSpotService } from '../../src/hubspot/service.ts';
import { createRateBudget, type RateBudget } from '../../src/hubspot/rate-budget.ts';
import { Connections } from '../../src/connections/store.ts';
import { RecordLinks } from '../../src/sync/record-links.ts';
import { Checkpoints } from '../../src/sync/checkpoints.ts';
import { SyncErrors } from '../../src/sync/sync-errors.ts';
import { AuditLog } from '../../src/sync/audit-log.ts';
import { SyncEngine } from '../../src/sync/engine/engine.ts';
import { syncSettingsSchema, type SyncSettings, type SyncSettingsInput } from '../../src/sync/engine/settings.ts';
import { cardSync, DEFAULT_MAPPINGS, CUSTOM_PROPERTIES, type CardSyncConfig } from '../../src/connectors/sansan/cards.ts';
import { settings as sansanSettings, credentials as sansanCredentials } from '../../src/connectors/sansan/settings.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

/** Ten times HubSpot's limits, so functional suites do not wait on the budget. */
export const FAST_BUDGET = { tenSecondly: { oauth: 1_100, private_app: 1_000 }, searchPerSecond: 50 };
export const FAST_SANDBOX_LIMITS = { tenSecondly: 1_100, privateAppTenSecondly: 1_900, searchPerSecond: 50 };

/** The default mappings without the custom properties (the emulator's private app may not create them). */
export const STANDARD_MAPPINGS = DEFAULT_MAPPINGS.filter((m) => !CUSTOM_PROPERTIES.some((p) => p.name === m.hubspot));

export interface EngineHandle {
  database: Database;
  engine: SyncEngine;
  hubspot: HubSpotService;
  budget: RateBudget;
  audit: AuditLog;
  close(): Promise<void>;
}

export interface DbTarget {
  dataDir: string;
  databaseUrl?: string;
}

/** Opens the database and connects Spokes to the HubSpot emulator's portal with its private-app token. */
export async function openEngine(target: DbTarget, hubspotUrl: string, token: string, budget = FAST_BUDGET): Promise<EngineHandle> {
  const database = await openDatabase(target);
  await applyMigrations(database);
  const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const rateBudget = await createRateBudget({ databaseUrl: target.databaseUrl, limits: budget });
  const hubspot = new HubSpotService({
    database,
    secretBox: createSecretBox(randomBytes(32)),
    log,
    budget: rateBudget,
    baseUrl: hubspotUrl,
    publicUrl: 'http://localhost:3000',
    sandbox: true,
  });
  await hubspot.connectPrivateApp(token);
  const audit = new AuditLog(database.db);
  const engine = new SyncEngine({
    db: database.db,
    hubspot: () => hubspot.api,
    links: new RecordLinks(database.db),
    checkpoints: new Checkpoints(database.db),
    syncErrors: new SyncErrors(database.db),
    audit,
    log,
  });
  return {
    database,
    engine,
    hubspot,
    budget: rateBudget,
    audit,
    async close() {
      await rateBudget.close();
      await database.close();
    },
  };
}

export interface SyncWorld {
  test: TestDatabase;
  hubspotSandbox: HubSpotSandbox;
  sansan: SansanSandbox;
  token: string;
  h: EngineHandle;
  connectionId: string;
  config: CardSyncConfig;
  settings(over?: Partial<SyncSettingsInput>): SyncSettings;
  pass(over?: Partial<SyncSettingsInput>, config?: Partial<CardSyncConfig>): ReturnType<SyncEngine['run']>;
  /** A contact of the HubSpot emulator by e-mail, or null. */
  contact(email: string, properties?: string[]): Promise<{ id: string; properties: Record<string, string | null> } | null>;
  /** Every contact's e-mail in the emulator (for counting and duplicate checks). */
  emails(): Promise<string[]>;
  /** How many contacts the emulator holds (one search request). */
  contactCount(): Promise<number>;
  card(body: Record<string, unknown>): Promise<{ id: string; updatedTime: string }>;
  patchCard(id: string, body: Record<string, unknown>): Promise<void>;
  auditCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startSyncWorld(engine: 'pglite' | 'postgres', opts: { cards?: number } = {}): Promise<SyncWorld> {
  const test = await createTestDatabase(engine);
  const hubspotSandbox = await startHubSpotSandbox({ port: 0, limits: FAST_SANDBOX_LIMITS });
  const sansan = await startSansanSandbox({ seed: opts.cards ? { cards: opts.cards, tags: 20, seed: 7 } : false, limits: { requestsPerSecond: 10 } });
  const token = hubspotSandbox.info().portals.find((p) => p.type === 'STANDARD')!.privateAppToken;
  const h = await openEngine(test, hubspotSandbox.url, token);
  const info = sansan.info();
  const connections = new Connections(h.database.db, createSecretBox(randomBytes(32)), (slug) =>
    slug === 'sansan' ? { slug, single: false, settings: sansanSettings, credentials: sansanCredentials } : undefined,
  );
  const view = await connections.insert({
    connector: 'sansan',
    label: 'test',
    settings: { apiBaseUrl: info.apiBaseUrl },
    credentials: { apiKey: info.apiKeys[0]!.key },
  });
  const config: CardSyncConfig = { apiBaseUrl: info.apiBaseUrl, apiKey: info.apiKeys[0]!.key, tagIds: [] };
  const settings = (over: Partial<SyncSettingsInput> = {}) => syncSettingsSchema.parse({ enabled: true, mappings: STANDARD_MAPPINGS, ...over });
  const hs = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hubspotSandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sansan.url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    test,
    hubspotSandbox,
    sansan,
    token,
    h,
    connectionId: view.id,
    config,
    settings,
    pass: (over, cfg) => h.engine.run('sansan', cardSync, { connectionId: view.id, settings: settings(over), config: { ...config, ...cfg } }),
    async contact(email, properties = ['firstname', 'lastname', 'company', 'jobtitle', 'phone']) {
      const r = await hs('GET', `/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email&properties=${properties.join(',')}`);
      return r.status === 200 ? r.body : null;
    },
    async emails() {
      const out: string[] = [];
      let after: string | undefined;
      do {
        const r = await hs('GET', `/crm/v3/objects/contacts?limit=100&properties=email${after ? `&after=${after}` : ''}`);
        for (const c of r.body.results) if (c.properties.email) out.push(String(c.properties.email).toLowerCase());
        after = r.body.paging?.next?.after;
      } while (after);
      return out;
    },
    async contactCount() {
      const r = await hs('POST', '/crm/v3/objects/contacts/search', { limit: 1, properties: ['email'] });
      return Number(r.body?.total ?? 0);
    },
    card: (body) => control('POST', '/sandbox/cards', body),
    patchCard: async (id, body) => {
      await control('PATCH', `/sandbox/cards/${id}`, body);
    },
    async auditCount() {
      const [row] = await h.database.query<{ n: number }>(sql`select count(*)::int as n from audit_log`);
      return row!.n;
    },
    async close() {
      await h.close();
      await Promise.all([hubspotSandbox.close(), sansan.close()]);
      await test.drop();
    },
  };
}
