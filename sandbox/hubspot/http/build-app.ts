/**
 * Builds the emulator's Fastify app: one origin serving HubSpot's API paths, its app
 * pages (authorize, record pages) and the `/sandbox/*` controls.
 * Every response carries `X-HubSpot-Correlation-Id`; every error body its `correlationId` (§9).
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AssociationService } from '../crm/association-service.ts';
import { CrmEvents } from '../crm/events.ts';
import { ObjectService } from '../crm/object-service.ts';
import { ControlError, HubSpotApiError, apiError, validationError } from '../errors.ts';
import { CORRELATION_HEADER } from '../manifest.ts';
import type { SandboxState } from '../model/sandbox-state.ts';
import type { ResolvedOptions } from '../options.ts';
import type { RecordPageExtensions } from '../pages/record-page.ts';
import { newUuid } from '../random.ts';
import { WebhookDispatcher } from '../webhooks/dispatcher.ts';
import type { SandboxContext } from './context.ts';
import { FaultInjector } from './faults.ts';
import { RateLimiter } from './rate-limiter.ts';
import { registerAccountRoutes } from './routes-account.ts';
import { registerAssociationRoutes } from './routes-associations.ts';
import { registerCallingRoutes } from './routes-calling.ts';
import { registerCallRecordingRoutes } from './routes-call-recordings.ts';
import { registerCallingHostRoutes } from './routes-calling-host.ts';
import { registerControlRoutes } from './routes-controls.ts';
import { registerAuthorizeRoutes } from './routes-oauth-authorize.ts';
import { registerOAuthTokenRoutes } from './routes-oauth-token.ts';
import { registerBatchRoutes } from './routes-objects-batch.ts';
import { registerObjectRoutes } from './routes-objects.ts';
import { registerOwnerRoutes } from './routes-owners.ts';
import { registerPageRoutes } from './routes-pages.ts';
import { registerPropertyRoutes } from './routes-properties.ts';
import { registerSearchRoutes } from './routes-search.ts';
import { registerWebhookRoutes } from './routes-webhooks.ts';
import { Stats } from './stats.ts';

const API_PREFIXES = ['/crm/', '/oauth/v', '/webhooks/', '/account-info/'];

export function isApiPath(url: string): boolean {
  return API_PREFIXES.some((prefix) => url.startsWith(prefix));
}

export interface AppParts {
  app: FastifyInstance;
  ctx: SandboxContext;
  /** Replaces the record-page extensions (calling widget panel, scripts). */
  setRecordPageExtensions(extensions: RecordPageExtensions | undefined): void;
  /** What `POST /sandbox/reset` does. */
  reset(): void;
}

export interface BuildInput {
  options: ResolvedOptions;
  state: SandboxState;
  logger: Logger;
  /** Rebuilds a fresh state for `POST /sandbox/reset`. */
  freshState: (previous: SandboxState) => SandboxState;
}

export async function createSandboxApp(input: BuildInput): Promise<AppParts> {
  const { options, logger } = input;
  const events = new CrmEvents();
  const limits = { ...options.resolvedLimits };
  const ctx: SandboxContext = {
    state: input.state,
    options,
    limits,
    events,
    objects: undefined as never,
    rateLimiter: undefined as never,
    faults: new FaultInjector(),
    stats: new Stats(),
    webhooks: undefined as never,
    logger,
    requestAuth: new WeakMap(),
    baseUrl: options.publicUrl ?? `http://${options.host}:${options.port}`,
  };
  const now = () => ctx.state.clock.now();
  ctx.objects = new ObjectService(events, now);
  ctx.rateLimiter = new RateLimiter(() => ctx.limits, now);
  ctx.webhooks = new WebhookDispatcher(() => ctx.state, {
    retryDelaysMs: () => options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
    batchWindowMs: options.webhookBatchWindowMs,
    batchSize: () => ctx.limits.webhookBatchSize,
    logger,
  });
  events.on((event) => ctx.webhooks.handle(event));
  let pageExtensions: RecordPageExtensions | undefined;

  const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024, routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 } });
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
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(validationError(`Invalid input JSON on line 1: ${(error as Error).message}`), undefined);
    }
  });

  const correlationIds = new WeakMap<FastifyRequest, string>();
  const payloads = new WeakMap<FastifyRequest, string | undefined>();
  /** Requests whose connection a fault destroyed: no response was sent. */
  const dropped = new WeakSet<FastifyRequest>();
  const correlationOf = (request: FastifyRequest) => correlationIds.get(request) ?? newUuid();

  app.addHook('onRequest', async (request, reply) => {
    const id = newUuid();
    correlationIds.set(request, id);
    reply.header(CORRELATION_HEADER, id);
    if (!isApiPath(request.url)) return;
    const decision = ctx.faults.decide(request.url);
    if (decision.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    if (decision.kind === 'drop') {
      dropped.add(request);
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (decision.kind === 'error') throw decision.error;
  });

  if (options.onResponse) {
    app.addHook('onSend', async (request, _reply, payload) => {
      payloads.set(request, typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined);
      return payload;
    });
  }

  app.addHook('onResponse', async (request, reply) => {
    if (dropped.has(request)) return;
    const auth = ctx.requestAuth.get(request);
    const route = `${request.method} ${request.routeOptions.url ?? 'unmatched'}`;
    if (isApiPath(request.url)) {
      ctx.stats.record(route, reply.statusCode, auth?.portal.portalId, auth ? (auth.kind === 'private' ? 'private-app' : String(auth.appId)) : undefined);
    }
    if (options.onResponse) {
      const body = payloads.get(request);
      options.onResponse({
        method: request.method,
        url: request.url,
        routeUrl: request.routeOptions.url,
        statusCode: reply.statusCode,
        headers: reply.getHeaders() as Record<string, string | string[] | number | undefined>,
        body: body === '' ? undefined : body,
      });
    }
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const correlationId = correlationOf(request);
    if (error instanceof HubSpotApiError) {
      return reply.code(error.statusCode).headers(error.headers).send(error.body(correlationId));
    }
    if (error instanceof ControlError) {
      return reply.code(error.statusCode).send({ error: { code: 'validation_failed', message: error.message, details: error.details } });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const failure = apiError(status, status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_ERROR', (error as Error).message);
      return reply.code(status).send(failure.body(correlationId));
    }
    logger.error({ err: error, url: request.url }, 'HubSpot sandbox: unexpected error');
    return reply.code(500).send(apiError(500, 'INTERNAL_ERROR', 'internal error').body(correlationId));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(apiError(404, 'OBJECT_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`).body(correlationOf(request)));
  });

  registerOAuthTokenRoutes(app, ctx);
  registerAuthorizeRoutes(app, ctx);
  registerObjectRoutes(app, ctx);
  registerBatchRoutes(app, ctx);
  registerSearchRoutes(app, ctx);
  registerPropertyRoutes(app, ctx);
  registerOwnerRoutes(app, ctx);
  registerAssociationRoutes(app, ctx, new AssociationService(ctx.objects, events, now));
  registerCallingRoutes(app, ctx);
  registerCallRecordingRoutes(app, ctx);
  registerCallingHostRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerPageRoutes(app, ctx, () => pageExtensions);
  const reset = () => {
    ctx.state = input.freshState(ctx.state);
    ctx.rateLimiter.reset();
    ctx.stats.reset();
    ctx.faults.configure({});
    Object.assign(ctx.limits, options.resolvedLimits);
  };
  registerControlRoutes(app, ctx, { reset });

  return {
    app,
    ctx,
    reset,
    setRecordPageExtensions: (extensions) => {
      pageExtensions = extensions;
    },
  };
}
