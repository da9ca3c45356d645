/**
 * Sansan ↔ HubSpot (SPEC D1–D8): business cards of one or more Sansan API
 * keys become HubSpot contacts through the sync engine (src/sync/engine).
 * Connect with a key (checked against Sansan first), pick public or shared
 * tags, review the mappings, dry-run, save and sync; a poller keeps HubSpot
 * within seconds of Sansan. docs/connectors/sansan.md.
 */

import { ConflictError } from '../../errors.ts';
import { checkKey } from './api-key.ts';
import { defineConnector, defineConnectorJob } from '../../platform/connector.ts';
import { syncSettingsSchema } from '../../sync/engine/settings.ts';
import { cardSync, DEFAULT_MAPPINGS, RESYNC_JOB } from './cards.ts';
import { SansanClient, type SansanTag } from './client.ts';
import { configOf, isConfigured, kick, poll, type Ctx } from './passes.ts';
import { ensureCustomProperties } from './properties.ts';
import { registerAdminRoutes } from './routes.ts';
import { describeMissing, HUBSPOT_SCOPES, scopeReport } from './scopes.ts';
import { connectInput, credentials, MAX_TAGS, settings, type ConnectInput, type Credentials, type Settings } from './settings.ts';

const resyncCard = defineConnectorJob({
  ...RESYNC_JOB,
  idempotencyKey: (p) => `${p.connectionId}:${p.cardId}:${Date.now()}`,
  async run(p, ctx) {
    const c = ctx.connection as Parameters<typeof configOf>[0];
    return ctx.sync.resync(cardSync, { connectionId: c.id, settings: c.settings.sync, config: configOf(c), remoteIds: [p.cardId], cause: 'retry' });
  },
});

/** The first `MAX_TAGS` public and shared tags the key's user sees, in `GET /tags` order. */
export async function firstTags(client: SansanClient, max = MAX_TAGS): Promise<SansanTag[]> {
  const out: SansanTag[] = [];
  let token: string | undefined;
  do {
    const page = await client.tags({ nextPageToken: token });
    out.push(...page.data.filter((t) => t.type === 'public' || t.type === 'shared'));
    token = page.hasMore && page.nextPageToken ? page.nextPageToken : undefined;
  } while (token && out.length < max);
  return out.slice(0, max);
}

export const sansan = defineConnector<Settings, Credentials, ConnectInput>({
  manifest: {
    slug: 'sansan',
    name: 'Sansan',
    features: ['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8', 'X3', 'X5'],
    hubspotScopes: HUBSPOT_SCOPES.map((s) => s.scope),
    connections: 'many',
  },
  settings,
  credentials,
  connectInput,
  lifecycle: {
    async connect(ctx, input) {
      const me = await checkKey(input.apiBaseUrl, input.apiKey, 'input.apiKey');
      // D2: several keys, each its own connection; the same user twice would sync the same cards twice.
      for (const c of await ctx.connections.list()) {
        if (c.info.userId === me.id && c.settings?.apiBaseUrl === input.apiBaseUrl)
          throw new ConflictError(`This key's Sansan user (${me.name}) is already connected.`);
      }
      return {
        label: `${me.name} <${me.email}>`,
        credentials: { apiKey: input.apiKey },
        settings: settings.parse({ apiBaseUrl: input.apiBaseUrl, sync: { mappings: DEFAULT_MAPPINGS } }),
        info: { userId: me.id, userName: me.name, userEmail: me.email },
      };
    },
    async enable() {
      kick();
    },
    async disconnect() {
      // Nothing at Sansan to undo; D7: nothing in HubSpot is deleted either.
    },
    async status(ctx, connection) {
      const client = new SansanClient({ apiBaseUrl: connection.settings.apiBaseUrl, apiKey: connection.credentials.apiKey });
      try {
        await client.me();
      } catch (err) {
        return { health: 'down', summary: (err as Error).message };
      }
      const [health, scopes] = await Promise.all([ctx.sync.health(cardSync, connection.id), scopeReport(ctx.hubspot)]);
      const missingScopes = scopes.missing.map((m) => m.scope);
      // No card can sync without the contact scopes: that is the one thing to say.
      const blocking = scopes.missing.filter((m) => m.required);
      if (blocking.length) return { health: 'down', summary: describeMissing(blocking), details: { ...health.counts, missingScopes } };
      const s = connection.settings;
      if (!isConfigured(s))
        return { health: 'ok', summary: 'Connected: pick tags and mappings, then save and sync', details: { ...health.counts, missingScopes } };
      const { synced, excluded, failing } = health.counts;
      const note = scopes.missing.length ? ` — ${describeMissing(scopes.missing)}` : '';
      return {
        health: failing > 0 ? 'degraded' : 'ok',
        summary: `${health.pass?.initialDone ? 'In sync' : 'Initial sync running'}: ${synced} cards in sync, ${excluded} excluded, ${failing} failing${note}`,
        details: { ...health.counts, tags: s.tags.length, progress: health.pass?.progress ?? 0, missingScopes },
      };
    },
  },
  jobs: [resyncCard],
  syncs: [cardSync],
  streams: [{ name: 'poller', run: (ctx, signal) => poll(ctx as Ctx, signal) }],
  routes: { admin: (router, ctx) => registerAdminRoutes(router, ctx as Ctx) },
  emulator: {
    system: 'sansan',
    async setUp(ctx, sandboxes, lifecycle) {
      if ((await ctx.connections.list()).length) return;
      const info = sandboxes.sansan.info();
      const key = info.apiKeys[0]!;
      const { id } = await lifecycle.connect({ apiKey: key.key, apiBaseUrl: info.apiBaseUrl });
      const client = new SansanClient({ apiBaseUrl: info.apiBaseUrl, apiKey: key.key });
      const tags = (await firstTags(client)).map((t) => ({ id: t.id, name: t.name, type: t.type as 'public' | 'shared' }));
      const sync = syncSettingsSchema.parse({ enabled: true, direction: 'to_hubspot', conflict: 'remote', emailOnly: true, mappings: DEFAULT_MAPPINGS });
      // Mappings to custom properties HubSpot lacks (and Spokes may not create) start switched off.
      const missing = new Set(await ensureCustomProperties(ctx.hubspot, sync.mappings));
      for (const m of sync.mappings) if (missing.has(m.hubspot)) m.enabled = false;
      const current = await ctx.connections.open(id);
      await ctx.connections.updateSettings(id, { ...current.settings, tags, sync });
      await lifecycle.enable(id);
    },
  },
});
