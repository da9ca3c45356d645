/**
 * A minimal connector, the one docs/connectors/adding-a-connector.md walks
 * through: a remote system that sends a signed webhook for every sign-up, and
 * a HubSpot contact created for each — connected with an API key, enabled by
 * subscribing to the webhook, every write in the audit log.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { defineConnector, defineConnectorJob, enqueueOf, type ConnectorContext, type ConnectorJobContext } from '../../../src/platform/connector.ts';
import { RemoteRejectedError, RemoteUnavailableError, ValidationError } from '../../../src/errors.ts';

// 1. The shapes: what the admin gives, what is kept (settings shown, credentials sealed).
const connectInput = z.object({
  baseUrl: z.url().transform((u) => u.replace(/\/+$/, '')),
  apiKey: z.string().trim().min(8, 'an API key is at least 8 characters'),
});
const settings = z.object({
  baseUrl: z.url(),
  lifecycleStage: z.enum(['subscriber', 'lead']).default('lead'),
});
const credentials = z.object({
  apiKey: z.string(),
  webhook: z.object({ id: z.string(), secret: z.string() }).optional(),
});
type Settings = z.infer<typeof settings>;
type Credentials = z.infer<typeof credentials>;
type Ctx = ConnectorContext<Settings, Credentials>;

// 2. The remote's API: a small typed client over fetch.
async function remote<T>(baseUrl: string, apiKey: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new RemoteUnavailableError(`the sign-up service did not answer: ${(err as Error).message}`, err);
  }
  if (res.status >= 500) throw new RemoteUnavailableError(`the sign-up service answered ${res.status}`);
  if (!res.ok) throw new RemoteRejectedError(`the sign-up service refused ${method} ${path} (${res.status})`, res.status);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

// 3. A job: one sign-up becomes one HubSpot contact, exactly once, audited.
const createContact = defineConnectorJob({
  name: 'example.create-contact',
  schema: z.object({ connectionId: z.string(), signupId: z.string(), email: z.email(), name: z.string() }),
  idempotencyKey: (p) => `${p.connectionId}:${p.signupId}`,
  async run(p, ctx: ConnectorJobContext<Settings, Credentials>) {
    const link = { connectionId: p.connectionId, objectType: 'signup', remoteId: p.signupId };
    if ((await ctx.links.get(link))?.state === 'synced') return { applied: false };
    const [firstname, ...rest] = p.name.split(' ');
    const contact = await ctx.audit.write(
      {
        connectionId: p.connectionId,
        target: 'hubspot',
        objectType: 'contact',
        operation: 'create',
        cause: { type: 'event', ref: `signup ${p.signupId}` },
        idempotencyKey: ctx.idempotencyKey,
        objectId: (c) => c.id,
      },
      () =>
        ctx.hubspot.call('creating a contact for a sign-up', (client) =>
          client.crm.contacts.basicApi.create({
            properties: { email: p.email, firstname: firstname ?? '', lastname: rest.join(' '), lifecyclestage: ctx.connection.settings.lifecycleStage },
            associations: [],
          }),
        ),
    );
    await ctx.links.markSynced(link, { hubspotId: contact.id });
    return { contactId: contact.id };
  },
});

const checkRemote = defineConnectorJob({
  name: 'example.check-remote',
  schema: z.object({ key: z.string() }),
  idempotencyKey: (p) => p.key,
  async run(_p, ctx: ConnectorJobContext<Settings, Credentials>) {
    for (const c of await ctx.connections.list()) if (c.choice === 'enabled') await ctx.connections.touch(c.id);
  },
});

const signupEvent = z.object({ type: z.literal('signup.created'), signup: z.object({ id: z.string(), email: z.email(), name: z.string() }) });

async function subscribe(ctx: Ctx, connection: { id: string; settings: Settings; credentials: Credentials }) {
  const url = `${ctx.publicUrl}/webhooks/example/signups/${connection.id}`;
  const hook = await remote<{ id: string; secret: string }>(connection.settings.baseUrl, connection.credentials.apiKey, 'POST', '/api/webhooks', { url });
  await ctx.connections.updateCredentials(connection.id, { ...connection.credentials, webhook: hook });
}

async function unsubscribe(ctx: Ctx, connection: { id: string; settings: Settings | null; credentials: Credentials }) {
  const { webhook, ...rest } = connection.credentials;
  if (!webhook || !connection.settings) return;
  await remote(connection.settings.baseUrl, connection.credentials.apiKey, 'DELETE', `/api/webhooks/${webhook.id}`).catch(
    (err: Error & { remoteStatus?: number }) => {
      if (err.remoteStatus !== 404) throw err;
    },
  );
  await ctx.connections.updateCredentials(connection.id, rest);
}

// 4. The connector object: the folder's one export.
export const example = defineConnector<Settings, Credentials, z.infer<typeof connectInput>>({
  manifest: { slug: 'example', name: 'Example sign-ups', features: [], hubspotScopes: ['crm.objects.contacts.write'], connections: 'many' },
  settings,
  credentials,
  connectInput,
  lifecycle: {
    async connect(_ctx, input) {
      // Check the remote first: a wrong key is the admin's to fix, named as their field.
      const me = await remote<{ account: string; plan: string }>(input.baseUrl, input.apiKey, 'GET', '/api/me').catch(
        (err: Error & { remoteStatus?: number }) => {
          if (err.remoteStatus === 401)
            throw new ValidationError('The sign-up service refused this API key.', [{ field: 'input.apiKey', message: 'refused by the sign-up service' }]);
          throw err;
        },
      );
      return {
        label: me.account,
        credentials: { apiKey: input.apiKey },
        settings: { baseUrl: input.baseUrl, lifecycleStage: 'lead' },
        info: { plan: me.plan },
      };
    },
    enable: (ctx, connection) => subscribe(ctx, connection),
    disable: (ctx, connection) => unsubscribe(ctx, connection),
    disconnect: (ctx, connection) => unsubscribe(ctx, connection),
    async status(ctx, connection) {
      try {
        const me = await remote<{ account: string }>(connection.settings.baseUrl, connection.credentials.apiKey, 'GET', '/api/me');
        const subscribed = !!connection.credentials.webhook;
        return {
          health: 'ok',
          summary: subscribed ? `Receiving sign-ups of ${me.account}` : `Connected to ${me.account}; enable to receive sign-ups`,
          details: { subscribed },
        };
      } catch (err) {
        ctx.log.warn({ err: (err as Error).message }, 'status check failed');
        return { health: 'down', summary: (err as Error).message };
      }
    },
  },
  jobs: [createContact, checkRemote],
  schedules: [{ job: checkRemote, cron: '*/5 * * * *', payload: { key: 'check' } }],
  webhooks: [
    {
      path: 'signups/:connectionId',
      async verify(request, ctx) {
        const connection = await ctx.connections.get(request.params.connectionId ?? '');
        if (!connection) return { ok: false, reason: 'unknown connection' };
        const secret = (await ctx.connections.open(connection.id)).credentials.webhook?.secret;
        const given = String(request.headers['x-example-signature'] ?? '');
        if (!secret || !given.startsWith('sha256=')) return { ok: false, reason: 'no signature, or no subscription' };
        const expected = Buffer.from(createHmac('sha256', secret).update(request.raw).digest('hex'));
        const actual = Buffer.from(given.slice('sha256='.length));
        return actual.length === expected.length && timingSafeEqual(actual, expected)
          ? { ok: true, connectionId: connection.id }
          : { ok: false, reason: 'bad signature' };
      },
      async toJobs(request, _ctx, verdict) {
        const event = signupEvent.parse(JSON.parse(request.raw.toString('utf8')));
        return [
          enqueueOf(createContact, { connectionId: verdict.connectionId!, signupId: event.signup.id, email: event.signup.email, name: event.signup.name }),
        ];
      },
    },
  ],
  routes: {
    admin(router, ctx) {
      router.get('/summary', async () => ({ connections: (await ctx.connections.list()).length }));
    },
    public: [
      {
        prefix: '/example-receipts',
        auth: 'signed-link',
        register(router) {
          router.get('/:signupId', async (request) => ({ receipt: (request.params as { signupId: string }).signupId }));
        },
      },
    ],
  },
});
