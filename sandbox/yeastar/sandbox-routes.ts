import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ConflictError, NotFoundError } from './control-errors.ts';
import type { RequestLogEntry } from './app.ts';
import type { YeastarContext } from './context.ts';
import { EVENT } from './events/event-bus.ts';
import { webhookSpecSchema } from './events/webhooks.ts';
import { faultsSchema } from './faults.ts';
import { extensionSeedSchema } from './options.ts';
import { toDbExtension } from './pbx-state.ts';
import { parseControlBody } from './sandbox-body.ts';

/**
 * Sandbox controls under /sandbox/* — never part of the PBX API. They stand in
 * for the PBX web UI (webhooks, blocked IPs, extensions) and for the test harness
 * (reset, counters, faults). Errors use Spokes' `{error:{code,message,details}}`.
 */
export function registerSandboxRoutes(app: FastifyInstance, ctx: YeastarContext, requestLog: RequestLogEntry[]): void {
  const { state, tokens, faults, bus, webhooks, engine, dialPlan, options } = ctx;

  // Field names relied on by scripts outside the project: system, baseUrl, clientId, clientSecret, webhookSecret, extensions.
  app.get('/sandbox/info', async (request) => {
    const baseUrl = ctx.baseUrl ?? `http://${request.host}`;
    return {
      system: 'yeastar',
      baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      webhookSecret: options.webhookSecret,
      extensions: state.extensions.map((e) => ({ number: e.number, name: e.name, email: e.email })),
      apiBaseUrl: `${baseUrl}/openapi/v1.0`,
      websocketUrl: `${baseUrl.replace(/^http/, 'ws')}/openapi/v1.0/subscribe`,
      serialNumber: options.serialNumber,
      timezone: options.timezone,
      dateFormat: options.dateFormat,
      timeScale: options.timeScale,
      trunkName: options.trunkName,
      didNumber: options.didNumber,
      limits: options.limits,
    };
  });

  app.post('/sandbox/reset', async () => {
    engine.stop(true);
    bus.dropAll();
    bus.history.length = 0;
    webhooks.clear();
    state.reset();
    tokens.reset();
    faults.set({});
    dialPlan.reset();
    requestLog.length = 0;
    return { ok: true };
  });

  app.get('/sandbox/requests', async () => ({
    counters: Object.fromEntries(state.counters),
    validAccessTokens: tokens.validAccessTokenCount(),
    dialRequests: state.dialRequests.length,
    blockedIps: tokens.blockedIps(),
    webSocketSubscribers: bus.subscribers.size,
    requests: requestLog,
  }));

  app.get('/sandbox/dial-requests', async () => ({ dialRequests: state.dialRequests }));
  app.get('/sandbox/events', async () => ({ events: bus.history }));
  app.get('/sandbox/cdrs', async () => ({ cdrs: state.cdrs }));
  app.get('/sandbox/contacts', async () => ({ contacts: state.contacts }));
  app.get('/sandbox/phonebooks', async () => ({ phonebooks: state.phonebooks }));

  // ---- extensions ----
  app.get('/sandbox/extensions', async () => ({ extensions: state.extensions }));

  app.put('/sandbox/extensions', async (request) => {
    const seeds = parseControlBody(request, z.array(extensionSeedSchema));
    const numbers = seeds.map((s) => s.number);
    if (new Set(numbers).size !== numbers.length) throw new ConflictError('Extension numbers must be unique.');
    state.extensions = seeds.map((s) => toDbExtension(s, state.nextId('extension')));
    return { extensions: state.extensions };
  });

  app.post('/sandbox/extensions', async (request, reply) => {
    const seed = parseControlBody(request, extensionSeedSchema);
    if (state.extension(seed.number)) throw new ConflictError(`Extension ${seed.number} already exists.`);
    const ext = toDbExtension(seed, state.nextId('extension'));
    state.extensions.push(ext);
    return reply.code(201).send(ext);
  });

  // Registration (30007) and presence (30009) changes, as a phone or the Linkus client would cause them.
  app.post('/sandbox/extensions/:number/state', async (request) => {
    const number = (request.params as { number: string }).number;
    const ext = state.extension(number);
    if (!ext) throw new NotFoundError(`No extension ${number}.`);
    const body = parseControlBody(
      request,
      extensionSeedSchema
        .pick({
          online: true,
          presence: true,
          outboundPermission: true,
          answerMode: true,
        })
        .strict(),
    );
    if (body.online !== undefined && body.online !== ext.online) {
      ext.online = body.online;
      bus.publish(EVENT.EXTENSION_REGISTRATION, {
        extension: ext.number,
        kind: 'Sip',
        status: ext.online ? 'Registered' : 'Unregistered',
        registered_ip: ext.online ? '192.168.1.50:5060' : '',
      });
    }
    if (body.presence !== undefined && body.presence !== ext.presence) {
      ext.presence = body.presence;
      bus.publish(EVENT.EXTENSION_PRESENCE, { extension: ext.number, status: ext.presence });
    }
    if (body.outboundPermission !== undefined) ext.outboundPermission = body.outboundPermission;
    if (body.answerMode !== undefined) ext.answerMode = body.answerMode;
    return ext;
  });

  // ---- tokens and the IP block (Security > Blocked IPs in the web UI) ----
  app.post('/sandbox/unblock', async (request) => {
    const { ip } = parseControlBody(request, z.object({ ip: z.string().min(1).optional() }).strict());
    tokens.unblock(ip);
    return { blockedIps: tokens.blockedIps() };
  });

  app.post('/sandbox/tokens/expire', async (request) => {
    const { includeRefresh } = parseControlBody(request, z.object({ includeRefresh: z.boolean().optional() }).strict());
    tokens.expireAll(!!includeRefresh);
    return { validAccessTokens: tokens.validAccessTokenCount() };
  });

  // ---- raw events: published as the PBX publishes them, for what the simulator does not produce (odd values,
  // other firmware); not recorded as calls or CDRs ----
  app.post('/sandbox/events', async (request) => {
    const body = parseControlBody(request, z.object({ type: z.number().int().min(30000).max(39999), msg: z.record(z.string(), z.unknown()) }).strict());
    bus.publish(body.type, body.msg);
    return { published: true };
  });

  // ---- faults ----
  app.get('/sandbox/faults', async () => faults.snapshot());

  app.post('/sandbox/faults', async (request) => {
    const body = parseControlBody(request, faultsSchema);
    faults.set(body);
    const dropped = body.dropWebSocket === 'now' ? bus.dropAll() : 0;
    return { ...faults.snapshot(), droppedWebSockets: dropped };
  });

  // ---- webhooks (Integrations > API > Webhook Event Push in the web UI) ----
  app.get('/sandbox/webhooks', async () => ({ webhooks: webhooks.list(), deliveries: webhooks.deliveries }));

  app.post('/sandbox/webhooks', async (request, reply) => {
    const hook = webhooks.add(parseControlBody(request, webhookSpecSchema));
    if (!hook) throw new ConflictError(`The PBX accepts at most ${options.limits.maxWebhooks} webhooks.`);
    return reply.code(201).send(hook);
  });

  app.delete('/sandbox/webhooks/:id', async (request) => {
    const id = Number((request.params as { id: string }).id);
    if (!webhooks.remove(id)) throw new NotFoundError(`No webhook ${id}.`);
    return { webhooks: webhooks.list() };
  });

  app.delete('/sandbox/webhooks', async () => {
    webhooks.clear();
    return { webhooks: [] };
  });
}
