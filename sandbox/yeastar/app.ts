import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ControlError } from './control-errors.ts';
import { CallEngine } from './calls/call-engine.ts';
import { DialPlan } from './calls/call-flows.ts';
import type { YeastarContext } from './context.ts';
import { ERR, YeastarApiError } from './errcodes.ts';
import { EventBus } from './events/event-bus.ts';
import { WebhookDispatcher } from './events/webhooks.ts';
import { registerSubscribeRoute } from './events/ws-subscribe.ts';
import { FaultState } from './faults.ts';
import { resolveOptions, type YeastarSandboxOptions } from './options.ts';
import { PbxState } from './pbx-state.ts';
import { clientIp } from './routes/api-kit.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerCallRoutes } from './routes/call-routes.ts';
import { registerCdrRoutes } from './routes/cdr-routes.ts';
import { registerContactRoutes } from './routes/contact-routes.ts';
import { registerExtensionRoutes } from './routes/extension-routes.ts';
import { registerPhonebookRoutes } from './routes/phonebook-routes.ts';
import { registerSystemRoutes } from './routes/system-routes.ts';
import { registerWebhookRoutes } from './routes/webhook-routes.ts';
import { registerSandboxCallRoutes } from './sandbox-call-routes.ts';
import { registerSandboxRoutes } from './sandbox-routes.ts';
import { TokenStore } from './token-store.ts';

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  status: number;
  errcode?: number;
}

export interface YeastarApp {
  app: FastifyInstance;
  ctx: YeastarContext;
  /** Recent OpenAPI requests (capped), for `/sandbox/requests`. */
  requestLog: RequestLogEntry[];
}

const isApiPath = (url: string) => url.startsWith('/openapi/') || url.startsWith('/api/download/');

/**
 * Builds the emulated PBX as a Fastify app without listening (tests may use
 * `app.inject`; `startYeastarSandbox` listens on a port).
 */
export async function buildYeastarApp(input: YeastarSandboxOptions = {}): Promise<YeastarApp> {
  const options = resolveOptions(input);
  const state = new PbxState(options);
  const tokens = new TokenStore(options.limits);
  const faults = new FaultState();
  const webhooks = new WebhookDispatcher(options.webhookSecret, faults, options.limits.maxWebhooks);
  const bus = new EventBus(options.serialNumber, faults, webhooks);
  const engine = new CallEngine(state, bus, faults);
  const dialPlan = new DialPlan(engine);
  const ctx: YeastarContext = { options, state, tokens, faults, bus, webhooks, engine, dialPlan };
  tokens.onRetire = (token) => bus.dropForToken(token);

  // The pino Logger type is narrower than FastifyBaseLogger; the app is used through the base type.
  const app = (options.logger ? Fastify({ loggerInstance: options.logger }) : Fastify({ logger: false })) as unknown as FastifyInstance;
  await app.register(fastifyWebsocket);
  // A response finished while the server closes says `Connection: close`: otherwise Node keeps that keep-alive
  // connection open for Fastify's 72 s keepAliveTimeout and close() waits for it (measured: 70 s).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callback style, not async: an async onSend hook defers the write, and a handler that calls reply.send()
  // without returning it would then send twice.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // Bodies stay raw strings: the OpenAPI answers bad JSON with 40001 (routes/api-kit.ts),
  // the /sandbox controls with a 400 naming the problem.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const requestLog: RequestLogEntry[] = [];
  const errcodes = new WeakMap<FastifyRequest, number>();

  app.addHook('onRequest', async (request, reply) => {
    if (!isApiPath(request.url)) return;
    const path = request.url.split('?')[0];
    if (path === '/openapi/v1.0/subscribe') {
      ctx.tokens.assertNotBlocked(clientIp(request));
      return;
    }
    const { apiDelayMs } = faults.current;
    if (apiDelayMs) await new Promise((r) => setTimeout(r, apiDelayMs));
    const failStatus = faults.takeApiError();
    if (failStatus !== undefined) {
      // An overloaded PBX or the reverse proxy in front of it: an HTML error page, no envelope.
      return reply.code(failStatus).type('text/html').send(`<html><body><h1>${failStatus}</h1></body></html>`);
    }
    // "You MUST include a User-Agent header with every request" (Get Access Token); without one the
    // PBX answers 40002 [3P]. Recording downloads are fetched by media players, so they are exempt [U].
    const ua = request.headers['user-agent'];
    if (path.startsWith('/openapi/') && (typeof ua !== 'string' || ua.trim() === '')) {
      throw new YeastarApiError(ERR.PARAMETER_ERROR, { invalid_param_list: [{ field: 'User-Agent', validation_type: 'required' }] });
    }
    ctx.tokens.assertNotBlocked(clientIp(request));
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!isApiPath(request.url)) return;
    requestLog.push({
      at: new Date().toISOString(),
      method: request.method,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      errcode: errcodes.get(request),
    });
    if (requestLog.length > 500) requestLog.shift();
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    if (isApiPath(request.url) && typeof payload === 'string' && payload.startsWith('{"errcode"')) {
      const m = /^\{"errcode":(-?\d+)/.exec(payload);
      if (m) errcodes.set(request, Number(m[1]));
    }
    return payload;
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof YeastarApiError) return reply.code(200).send(err.body());
    if (err instanceof ControlError) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (isApiPath(request.url)) {
      // Malformed requests Fastify itself rejects (oversized body, …) are parameter errors on the PBX.
      const def = status < 500 ? ERR.PARAMETER_ERROR : ERR.INTERNAL;
      return reply.code(200).send({ errcode: def.errcode, errmsg: def.errmsg });
    }
    request.log.error({ err }, 'sandbox control failed');
    return reply.code(status).send({ error: { code: status < 500 ? 'validation_failed' : 'internal', message: (err as Error).message } });
  });

  app.setNotFoundHandler((request, reply) => {
    if (isApiPath(request.url)) {
      return reply.code(200).send({ errcode: ERR.INTERFACE_NOT_EXISTED.errcode, errmsg: ERR.INTERFACE_NOT_EXISTED.errmsg });
    }
    return reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } });
  });

  registerSubscribeRoute(app, { tokens, bus, idleMs: () => options.limits.wsIdleMs });
  registerAuthRoutes(app, ctx);
  registerSystemRoutes(app, ctx);
  registerExtensionRoutes(app, ctx);
  registerContactRoutes(app, ctx);
  registerPhonebookRoutes(app, ctx);
  registerCallRoutes(app, ctx);
  registerCdrRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerSandboxRoutes(app, ctx, requestLog);
  registerSandboxCallRoutes(app, ctx);

  app.addHook('onClose', async () => {
    engine.stop(false);
    bus.dropAll();
    webhooks.clear();
  });

  return { app, ctx, requestLog };
}
