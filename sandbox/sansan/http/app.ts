/**
 * The emulator's Fastify app: the Open API under `/<version>/` and the `/sandbox/*`
 * controls on one origin. API requests pass, in order: injected faults, the API key
 * (401), the per-key rate limit (429), then the route.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ApiContext } from '../api/context.ts';
import { invalidApiKey, rateLimited, SansanApiError, serverError } from '../api/errors.ts';
import { registerBizCardRoutes } from '../api/routes-bizcards.ts';
import { registerCreateRoute } from '../api/routes-create.ts';
import { registerMiscRoutes } from '../api/routes-misc.ts';
import { ControlError } from './control-body.ts';
import type { FaultInjector } from './faults.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  status: number;
  userId?: string;
}

export interface HttpParts {
  faults: FaultInjector;
  limiter: RateLimiter;
  /** Recent API requests (capped), for `GET /sandbox/requests`. */
  requestLog: RequestLogEntry[];
  counters: { requests: number; byStatus: Record<string, number> };
}

const LOG_CAP = 1_000;

export async function createHttpApp(ctx: ApiContext, parts: HttpParts): Promise<FastifyInstance> {
  const base = `/${ctx.options.apiVersion}`;
  const isApi = (url: string) => url.startsWith(`${base}/`) || url === base;
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }) as unknown as FastifyInstance;
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
  // Bodies stay text: the API answers malformed JSON with its own 400, the controls with Spokes' shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const dropped = new WeakSet<FastifyRequest>();

  app.addHook('onRequest', async (request, reply) => {
    if (!isApi(request.url)) return;
    const path = request.url.slice(base.length).split('?')[0];
    const decision = parts.faults.decide(path);
    if (decision.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    if (decision.kind === 'drop') {
      dropped.add(request);
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (decision.kind === 'rateLimit') throw rateLimited(decision.retryAfter);
    if (decision.kind === 'serverError') {
      // A gateway in front of the API answers 502–504 with a page, not the API's JSON (UNCONFIRMED).
      if (decision.status >= 502 && decision.status <= 504) {
        return reply.code(decision.status).type('text/html').send(`<html><body><h1>${decision.status}</h1></body></html>`);
      }
      throw serverError(decision.status);
    }
    const key = request.headers['x-sansan-api-key'];
    if (typeof key !== 'string' || key === '') throw invalidApiKey('missing');
    const user = ctx.state.userByKey(key);
    if (!user || parts.faults.isRevoked(key)) throw invalidApiKey('unknown');
    const retryAfter = parts.limiter.take(key, ctx.state.clock.now(), ctx.limits.requestsPerSecond);
    if (retryAfter !== undefined) throw rateLimited(retryAfter);
    ctx.users.set(request, user);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!isApi(request.url) || dropped.has(request)) return;
    parts.counters.requests++;
    parts.counters.byStatus[reply.statusCode] = (parts.counters.byStatus[reply.statusCode] ?? 0) + 1;
    parts.requestLog.push({
      at: new Date(ctx.state.clock.now()).toISOString(),
      method: request.method,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      userId: ctx.users.get(request)?.id,
    });
    if (parts.requestLog.length > LOG_CAP) parts.requestLog.splice(0, parts.requestLog.length - LOG_CAP);
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof SansanApiError) return reply.code(error.statusCode).send(error.body());
    if (error instanceof ControlError) return reply.code(error.statusCode).send(error.body());
    const status = (error as { statusCode?: number }).statusCode;
    const message = (error as Error).message;
    if (status && status >= 400 && status < 500) {
      if (isApi(request.url)) return reply.code(status).send(new SansanApiError(status, message, [{ code: 'invalid', message }]).body());
      return reply.code(status).send({ error: { code: 'validation_failed', message } });
    }
    ctx.options.logger?.error({ err: error, url: request.url.split('?')[0] }, 'Sansan sandbox: unexpected error');
    if (isApi(request.url)) return reply.code(500).send(serverError(500).body());
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    if (path.startsWith('/sandbox')) {
      return reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${path}` } });
    }
    const message = `No endpoint ${request.method} ${path} (the API is served under ${base}/).`;
    return reply.code(404).send(new SansanApiError(404, message, [{ code: 'not_found', message }]).body());
  });

  registerBizCardRoutes(app, ctx, base);
  registerCreateRoute(app, ctx, base);
  registerMiscRoutes(app, ctx, base);
  return app;
}
