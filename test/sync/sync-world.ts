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
import { createSecretBox } from '../../src/secrets/secret-key.ts';
import { Connections } from '../../src/connections/store.ts';
import type { SyncEngine } from '../../src/sync/engine/engine.ts';
import { syncSettingsSchema, type SyncSettings, type SyncSettingsInput } from '../../src/sync/engine/settings.ts';
import { cardSync, type CardSyncConfig } from '../../src/connectors/sansan/cards.ts';
import { settings as sansanSettings, credentials as sansanCredentials } from '../../src/connectors/sansan/settings.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { FAST_SANDBOX_LIMITS, openEngine, STANDARD_MAPPINGS, type EngineHandle } from './engine-handle.ts';

export { FAST_BUDGET, FAST_SANDBOX_LIMITS, openEngine, STANDARD_MAPPINGS, type EngineHandle } from './engine-handle.ts';

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
