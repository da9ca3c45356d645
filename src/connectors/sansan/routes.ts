/**
 * The Sansan admin API (`/api/sansan/…`, an admin session and its CSRF token
 * on changes — the platform mounts it): the tag picker (paged, searchable),
 * the mapping editor's inputs, saving settings (checked against HubSpot's
 * property definitions), dry run, sync health, resync, "sync now", and a
 * new API key for a connection in place.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { HubSpotSide } from '../../sync/engine/hubspot-side.ts';
import { CARD_FIELDS, cardSync, DEFAULT_MAPPINGS } from './cards.ts';
import { SansanClient } from './client.ts';
import { configOf, kick, runPass, type Ctx } from './passes.ts';
import { ensureCustomProperties, refuseUncreatable } from './properties.ts';
import { replaceKey } from './api-key.ts';
import { scopeReport } from './scopes.ts';
import { checkSelectedTags } from './tag-check.ts';
import { connectInput, settingsUpdate } from './settings.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const tagQuery = z.object({ q: z.string().max(50).optional(), pageToken: z.string().max(4000).optional() });
const resyncBody = z.object({ cardIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional() }).strict();
const keyBody = z.object({ apiKey: connectInput.shape.apiKey }).strict();
const dryRunBody = z.object({ limit: z.number().int().min(1).max(20_000).optional(), settings: settingsUpdate.optional() }).strict();

export function registerAdminRoutes(router: FastifyInstance, ctx: Ctx): void {
  const open = async (params: unknown) => ctx.connections.open(parseInput(idParams, params, 'params').id);

  /** D1: one page of the public and shared tags the key's user sees, filtered by name. */
  router.get('/connections/:id/tags', async (request) => {
    const c = await open(request.params);
    const q = parseInput(tagQuery, request.query, 'query');
    const client = new SansanClient({ apiBaseUrl: c.settings.apiBaseUrl, apiKey: c.credentials.apiKey });
    const page = await client.tags({ nextPageToken: q.pageToken, tagName: q.q });
    return {
      tags: page.data.filter((t) => t.type === 'public' || t.type === 'shared').map((t) => ({ id: t.id, name: t.name, type: t.type })),
      nextPageToken: page.hasMore ? page.nextPageToken : null,
    };
  });

  /** The connection's settings, the default mappings, the card fields and HubSpot's contact properties (for the editor). */
  router.get('/connections/:id/config', async (request) => {
    const c = await open(request.params);
    const properties = await new HubSpotSide(ctx.hubspot, ctx.log).properties();
    return {
      settings: c.settings,
      defaults: DEFAULT_MAPPINGS,
      fields: CARD_FIELDS,
      properties: properties
        .filter((p) => !p.modificationMetadata?.readOnlyValue && !p.calculated)
        .map((p) => ({ name: p.name, label: p.label ?? p.name, type: p.type, options: p.options?.map((o) => o.value) ?? [] }))
        .sort((a, b) => a.label.localeCompare(b.label)),
    };
  });

  /** Save (the review screen's "Save and sync"): mappings checked against HubSpot first; changed settings re-run the initial pass. */
  router.put('/connections/:id/settings', async (request) => {
    const c = await open(request.params);
    const body = parseInput(settingsUpdate, request.body, 'body');
    refuseUncreatable(body.sync.mappings, await ensureCustomProperties(ctx.hubspot, body.sync.mappings));
    await ctx.sync.validate(cardSync, body.sync);
    const next = { ...c.settings, tags: body.tags, sync: body.sync, pollSeconds: body.pollSeconds ?? c.settings.pollSeconds };
    await ctx.connections.updateSettings(c.id, next);
    await checkSelectedTags(ctx, { ...c, settings: next }, { force: true });
    kick();
    return { settings: next };
  });

  /** X5: what a sync with these settings (or the stored ones) would do; writes nothing. */
  router.post('/connections/:id/dry-run', async (request) => {
    const c = await open(request.params);
    const body = parseInput(dryRunBody, request.body ?? {}, 'body');
    const s = body.settings ? { ...c.settings, tags: body.settings.tags, sync: body.settings.sync } : c.settings;
    if (body.settings) await ctx.sync.validate(cardSync, s.sync);
    const report = await ctx.sync.dryRun(cardSync, {
      connectionId: c.id,
      settings: s.sync,
      config: configOf({ ...c, settings: s }),
      limit: body.limit,
    });
    return { report };
  });

  /** X3: counts, failing and excluded records with reasons, merges (D8), the pass's progress. */
  router.get('/connections/:id/health', async (request) => {
    const c = await open(request.params);
    const [health, errors, scopes] = await Promise.all([
      ctx.sync.health(cardSync, c.id),
      ctx.syncErrors.listOpen({ connectionId: c.id, limit: 50 }),
      scopeReport(ctx.hubspot),
    ]);
    return {
      connection: { id: c.id, label: c.label, state: c.state, reason: c.reason, enabled: c.settings.sync.enabled, tags: c.settings.tags.length },
      hubspotScopes: { known: scopes.granted !== null, missing: scopes.missing },
      ...health,
      // Run-level errors, and selected tags that disappeared (tag-check.ts).
      errors: errors
        .filter((e) => !e.recordId || e.objectType === 'tag')
        .map((e) => ({
          id: e.id,
          category: e.category,
          tagId: e.objectType === 'tag' ? e.recordId : null,
          reason: e.reason,
          occurredAt: e.occurredAt.toISOString(),
        })),
    };
  });

  /** Resync one or a few cards now; without ids, every card (the initial pass again). */
  router.post('/connections/:id/resync', async (request) => {
    const c = await open(request.params);
    const body = parseInput(resyncBody, request.body ?? {}, 'body');
    if (!body.cardIds) {
      await ctx.sync.resyncAll(cardSync, c.id);
      kick();
      return { resync: 'all' };
    }
    const summary = await ctx.sync.resync(cardSync, {
      connectionId: c.id,
      settings: c.settings.sync,
      config: configOf(c),
      remoteIds: body.cardIds,
      cause: 'resync by an admin',
    });
    return { resync: body.cardIds, summary };
  });

  /**
   * A new API key for this connection (the old one revoked or reissued): checked with Sansan, of the
   * same Sansan user (400 naming `body.apiKey` otherwise), sealed; the sync resumes from its checkpoint.
   */
  router.put('/connections/:id/api-key', async (request) => {
    const c = await open(request.params);
    const { apiKey } = parseInput(keyBody, request.body, 'body');
    await replaceKey(ctx, c, apiKey, 'body.apiKey');
    const now = await ctx.connections.open(c.id);
    return { connection: { id: now.id, label: now.label, state: now.state, reason: now.reason } };
  });

  /** Runs a pass now and answers its result; 409 while a pass of this connection runs in another process. */
  router.post('/connections/:id/sync-now', async (request) => {
    const c = await open(request.params);
    const result = await runPass(ctx, c, ctx.signal, { busy: 'throw', checkTags: true });
    return { result };
  });
}
