/**
 * The "Phone system" admin API: connect the PBX, bind users to extensions (T3),
 * the auto-create and contact-sync settings (T4, T5), the enable switch (T9),
 * "Disconnect phone system" (T10) and the sync errors. The call history is in routes-history.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { appBaseUrlFor } from '../../hubspot/manifest.ts';
import { listHubSpotUsers, proposeBindings } from './bindings.ts';
import { mergeSettings, settingsPatchSchema } from './settings.ts';
import type { TelephonyContext } from './context.ts';
import { telephonyStatus } from './status.ts';
import { releasePhonebook } from './contact-sync.ts';
import { agentGuard } from './agent-guard.ts';
import { revokeUnbound } from './routes-agent-admin.ts';
import type { PbxCredentials } from './pbx-store.ts';
import type { PbxInfo } from './pbx.ts';
import type { ApiSyncError } from './wire.ts';

/** A secret left out, or blank like a password field left empty, keeps the saved one: Spokes never shows it back. */
const keptSecret = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((v) => v || undefined);
/** The connect form; the Client Secret may be left out only while one is saved. */
const connectBody = (saved: boolean) =>
  z.object({
    vendor: z.enum(['yeastar']).default('yeastar'),
    baseUrl: z
      .string()
      .trim()
      .url('must be the PBX address, e.g. https://pbx.example.com:8088')
      .transform((u) => u.replace(/\/+$/, '')),
    clientId: z.string().trim().min(1, 'required'),
    clientSecret: saved ? keptSecret : z.string().trim().min(1, 'required').max(500),
    /** `null` removes the saved webhook secret (webhook pushes are then refused). */
    webhookSecret: keptSecret.nullable(),
  });
const enabledBody = z.object({ enabled: z.boolean() });
const bindingsBody = z.object({
  bindings: z.array(z.object({ ownerId: z.string().min(1), extension: z.string().min(1).nullable() })).max(5000),
  source: z.enum(['auto', 'manual']).default('manual'),
});
const settingsBody = settingsPatchSchema.extend({
  /** "Create new": a new phonebook with this name becomes the sync target. */
  createPhonebook: z.string().trim().min(1).max(64).optional(),
});

export function registerTelephonyAdminRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const { store, bindings, registry, listener, services, connector } = ctx;

  app.get('/', async () => telephonyStatus(ctx));

  app.put('/connection', async (request) => {
    const saved = await store.get();
    const body = parseInput(connectBody(!!saved), request.body, 'body');
    // The saved Client Secret goes only to the PBX it was saved for: never sent to a new address or with another Client ID.
    const clientSecret = body.clientSecret ?? (saved?.baseUrl === body.baseUrl && saved.clientId === body.clientId ? saved.clientSecret : undefined);
    if (!clientSecret) {
      throw new ValidationError('Enter the Client Secret: the saved one is kept only for the same PBX address and Client ID.', [
        { field: 'body.clientSecret', message: 'required for a new PBX address or Client ID' },
      ]);
    }
    const webhookSecret = body.webhookSecret === null ? null : (body.webhookSecret ?? saved?.webhookSecret ?? null);
    const input = { vendor: body.vendor, baseUrl: body.baseUrl, clientId: body.clientId, clientSecret, webhookSecret };
    if (!saved) {
      // The platform's lifecycle: the connector checks the PBX, the connection is stored (a bad field is a 400 naming it).
      await connector.lifecycle.connect(input, { fieldPrefix: 'body', inputFieldsAs: 'body' });
    } else {
      // A reconnect with new credentials keeps the settings, the enable switch and the checkpoint.
      const checked = await connector.lifecycle.checkConnection(input, { fieldPrefix: 'body', inputFieldsAs: 'body' });
      await store.replaceCredentials(saved.id, checked.credentials as PbxCredentials, (checked.info as { pbx: PbxInfo }).pbx);
    }
    store.invalidate();
    await registry.reset();
    await listener.restart();
    return telephonyStatus(ctx);
  });

  app.delete('/connection', async () => {
    const saved = await store.get();
    // T10, through the platform's lifecycle: the connector releases the phonebook, bindings and links; the
    // connection goes with its phonebook entries (record links), checkpoint and sync errors.
    if (saved) await connector.lifecycle.disconnect(saved.id);
    store.invalidate();
    await registry.reset();
    await listener.restart();
    return telephonyStatus(ctx);
  });

  app.put('/enabled', async (request) => {
    const { enabled } = parseInput(enabledBody, request.body, 'body');
    const connection = await store.get();
    if (!connection) throw new ConflictError('Connect the phone system first.');
    // Enabling starts logging now: calls made while disabled are not back-filled (T9).
    if (enabled) await connector.lifecycle.enable(connection.id);
    else await connector.lifecycle.disable(connection.id);
    store.invalidate();
    await listener.restart();
    return telephonyStatus(ctx);
  });

  app.patch('/settings', async (request) => {
    const { createPhonebook, ...patch } = parseInput(settingsBody, request.body, 'body');
    const connection = await store.get();
    if (!connection) throw new ConflictError('Connect the phone system first.');
    const next = mergeSettings(connection.settings, patch);
    const sync = next.contactSync;
    if (createPhonebook) {
      const adapter = await registry.adapter();
      const created = await adapter.phonebooks.create(createPhonebook);
      sync.phonebookId = created.id;
      sync.phonebookName = created.name;
    } else if (sync.phonebookId && sync.phonebookId !== connection.settings.contactSync.phonebookId) {
      // T4: an existing phonebook must be empty before Spokes takes it over.
      const adapter = await registry.adapter();
      const book = (await adapter.phonebooks.list()).find((b) => b.id === sync.phonebookId);
      if (!book)
        throw new ValidationError(`The PBX has no phonebook ${sync.phonebookId}.`, [{ field: 'body.contactSync.phonebookId', message: 'unknown phonebook' }]);
      if (!book.crmOwned && !(await adapter.phonebooks.isEmpty(book.id))) {
        throw new ValidationError(`The phonebook "${book.name}" is not empty. Choose an empty phonebook or create a new one.`, [
          { field: 'body.contactSync.phonebookId', message: 'not empty' },
        ]);
      }
      sync.phonebookName = (await adapter.phonebooks.setCrmOwned(book.id, true)).name;
    }
    if (sync.enabled && !sync.phonebookId) {
      throw new ValidationError('Choose the phonebook for synced contacts (or create one) before switching contact sync on.', [
        { field: 'body.contactSync.phonebookId', message: 'required when contact sync is on' },
      ]);
    }
    await store.update({ settings: next });
    ctx.router.invalidate();
    // T4: one CRM-owned phonebook at a time. The one given up is released as on a disconnect (T10).
    const previous = connection.settings.contactSync.phonebookId;
    if (previous && previous !== sync.phonebookId) await releasePhonebook(ctx.jobDeps.sync, previous);
    return telephonyStatus(ctx);
  });

  app.get('/phonebooks', async () => ({ phonebooks: await (await registry.adapter()).phonebooks.list() }));

  // T3: the refresh button reloads HubSpot users and PBX extensions.
  app.get('/users', async () => {
    const [users, extensions, bound] = await Promise.all([
      listHubSpotUsers(services.hubspot.api),
      // Not `(await registry.adapter())` inside the array: when the PBX is not connected that throws before
      // Promise.all runs, and the HubSpot request already started would reject unhandled.
      registry.adapter().then((a) => a.listExtensions()),
      bindings.list(),
    ]);
    const byOwner = new Map(bound.map((b) => [b.ownerId, b]));
    const byExtension = new Map(bound.map((b) => [b.extension, b]));
    return {
      users: users.map((u) => ({
        ...u,
        label: `${u.name}${u.email ? ` - ${u.email}` : ''}`,
        extension: byOwner.get(u.ownerId)?.extension ?? null,
        source: byOwner.get(u.ownerId)?.source ?? null,
      })),
      extensions: extensions.map((e) => ({ ...e, boundTo: byExtension.get(e.number)?.ownerId ?? null })),
    };
  });

  // Auto-bind, step 1: the proposal the admin confirms.
  app.post('/bindings/auto', async () => {
    const [users, extensions] = await Promise.all([listHubSpotUsers(services.hubspot.api), registry.adapter().then((a) => a.listExtensions())]);
    const userById = new Map(users.map((u) => [u.ownerId, u]));
    const extByNumber = new Map(extensions.map((e) => [e.number, e]));
    return {
      proposals: proposeBindings(users, extensions).map((p) => ({
        ...p,
        ownerName: userById.get(p.ownerId)!.name,
        email: userById.get(p.ownerId)!.email,
        extensionName: extByNumber.get(p.extension)!.name,
      })),
    };
  });

  app.put('/bindings', async (request) => {
    const body = parseInput(bindingsBody, request.body, 'body');
    const [users, extensions] = await Promise.all([listHubSpotUsers(services.hubspot.api), registry.adapter().then((a) => a.listExtensions())]);
    const before = await bindings.list();
    await bindings.apply(body.bindings, users, extensions, body.source);
    await revokeUnbound(ctx, agentGuard(ctx), before);
    return { bindings: await bindings.list() };
  });

  app.get('/sync-errors', async (): Promise<{ errors: ApiSyncError[] }> => {
    const id = await store.id();
    const rows = id ? await connector.syncErrors.listOpen({ connectionId: id, limit: 200 }) : [];
    const connection = await services.hubspot.store.connection();
    const base = connection ? `${appBaseUrlFor(connection.baseUrl)}/contacts/${connection.portalId}/record` : null;
    // The admin fixes the record in HubSpot (a missing name or phone number): the page links to it.
    const typeId: Record<string, string> = { contact: '0-1', company: '0-2' };
    return {
      errors: rows.map((e) => ({
        id: e.id,
        // The page's wording per kind: every telephony sync error is a contact sync's.
        kind: 'contact_sync',
        objectType: e.objectType,
        objectId: e.recordId,
        reason: e.reason,
        occurredAt: e.occurredAt.toISOString(),
        recordUrl: base && e.recordId && e.objectType && typeId[e.objectType] ? `${base}/${typeId[e.objectType]}/${e.recordId}` : null,
      })),
    };
  });

  app.delete('/sync-errors/:id', async (request) => {
    const { id } = parseInput(z.object({ id: z.coerce.number().int() }), request.params, 'params');
    const found = await connector.syncErrors.get(id);
    if (found && found.connectionId === (await store.id())) await connector.syncErrors.resolve(id);
    return { ok: true };
  });
}
