/**
 * The Fastify application: health, metrics, the error contract, and the
 * routes each part of Spokes registers (admin API, webhooks, OAuth callbacks,
 * static UI).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { installErrorHandler } from './errors.ts';

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
    await Promise.all(opts.probes.map(async (p) => {
      try {
        await withTimeout(p.check(), 2_000);
        checks[p.name] = { ok: true };
      } catch (err) {
        checks[p.name] = { ok: false, error: (err as Error).message };
      }
    }));
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', version: opts.version, engine: opts.engine, checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await opts.metrics.registry.metrics();
    return reply.type(opts.metrics.registry.contentType).send(text);
  });

  await opts.routes?.(app);
  return app;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
