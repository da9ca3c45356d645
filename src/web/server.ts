/**
 * The Fastify application: health, metrics, the error contract, and the
 * routes each part of Spokes registers (admin API, webhooks, OAuth callbacks,
 * static UI).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { installErrorHandler } from './errors.ts';
import { UnauthorizedError, ValidationError } from '../errors.ts';
import { findUnstorableText } from '../db/storable-text.ts';

export interface HealthProbe {
  name: string;
  check(): Promise<void>;
}

export interface ServerOptions {
  log: Logger;
  metrics: Metrics;
  version: string;
  engine: string;
  probes: HealthProbe[];
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>` (SPOKES_METRICS_TOKEN); unset, it is open. */
  metricsToken?: string;
  /** Registers the feature routes (admin API, webhooks, UI). */
  routes?: (app: FastifyInstance) => Promise<void> | void;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.log as FastifyBaseLogger,
    // One metrics line per request is enough; request logs would drown the job logs.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    trustProxy: false,
    // Spokes' own routes are case-sensitive and slash-exact, like most APIs.
    routerOptions: { ignoreTrailingSlash: true },
  });
  installErrorHandler(app);
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
  rejectUnstorableJson(app);
  // Cookies for everyone (admin sessions, OAuth state): registered once here, before any route.
  await app.register(fastifyCookie);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    opts.metrics.httpRequests.inc(labels);
    opts.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.warn({ route, status: reply.statusCode }, 'request answered with a server error');
  });

  app.get('/healthz', async (_request, reply) => {
    const checks: Record<string, { ok: boolean; error?: string }> = {};
    await Promise.all(
      opts.probes.map(async (p) => {
        try {
          await withTimeout(p.check(), 2_000);
          checks[p.name] = { ok: true };
        } catch (err) {
          checks[p.name] = { ok: false, error: (err as Error).message };
        }
      }),
    );
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', version: opts.version, engine: opts.engine, checks });
  });

  // Open unless a token is configured: it holds counters and timings by route pattern, job type and queue,
  // never a phone number, name, e-mail address or id of a record (docs/security.md, "Metrics").
  app.get('/metrics', async (request, reply) => {
    if (opts.metricsToken && !bearerMatches(request.headers.authorization, opts.metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="spokes-metrics"');
      throw new UnauthorizedError('GET /metrics needs Authorization: Bearer <SPOKES_METRICS_TOKEN>.');
    }
    const text = await opts.metrics.registry.metrics();
    return reply.type(opts.metrics.registry.contentType).send(text);
  });

  await opts.routes?.(app);
  return app;
}

/**
 * Every JSON body Spokes parses (admin API, agent API; the webhook routes parse their raw bytes themselves and check
 * through `parseInput`) is refused with 400 naming the field when a string in it cannot be stored (NUL, a lone
 * surrogate), before any route sees it: no insert fails with a 500, nothing half-done is enqueued.
 */
function rejectUnstorableJson(app: FastifyInstance): void {
  // Fastify's own parser (secure-json-parse, refusing __proto__ and constructor.prototype, its defaults), then the check.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const bad = findUnstorableText(value, 'body');
      if (bad) return done(new ValidationError(`${bad.field}: ${bad.message}`, [bad]), undefined);
      done(null, value);
    });
  });
}

/** Constant-time check of an `Authorization: Bearer …` header against the configured token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
