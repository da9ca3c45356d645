import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startRuntime, type Runtime } from '../src/runtime.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { parseInput } from '../src/web/errors.ts';
import { buildServer } from '../src/web/server.ts';
import { createMetrics } from '../src/metrics.ts';
import { NotConnectedError } from '../src/errors.ts';
import { engines, createTestDatabase } from './support/databases.ts';

for (const engine of engines) {
  describe(`HTTP server on ${engine}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    async function start(env: Record<string, string> = {}): Promise<Runtime> {
      // One runtime at a time: five left running hold some hundred PostgreSQL connections (pools, pg-boss,
      // LISTEN), and the files running beside this one then meet 'too many clients already'.
      for (const c of cleanup.splice(0).reverse()) await c();
      const t = await createTestDatabase(engine);
      const config = loadConfig({
        env: { ...t.env, SPOKES_PORT: '0', SPOKES_LOG_LEVEL: 'silent', SPOKES_SHUTDOWN_TIMEOUT_MS: '2000', SPOKES_SANDBOX: 'off', ...env },
      });
      const runtime = await startRuntime({ config, log: createLogger({ level: 'silent' }), server: true, worker: true });
      cleanup.push(async () => {
        await runtime.stop().catch(() => {});
        await t.drop();
      });
      return runtime;
    }

    it('reports health with version and engine, and metrics in Prometheus text', async () => {
      const runtime = await start();
      const health = await fetch(`${runtime.url}/healthz`);
      assert.equal(health.status, 200);
      const body = (await health.json()) as { status: string; version: string; engine: string; checks: Record<string, { ok: boolean }> };
      assert.equal(body.status, 'ok');
      assert.equal(body.engine, engine);
      assert.match(body.version, /^\d+\.\d+\.\d+/);
      assert.deepEqual(body.checks, { database: { ok: true }, queue: { ok: true } });

      await fetch(`${runtime.url}/no/such/page`);
      const metrics = await fetch(`${runtime.url}/metrics`);
      assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
      const text = await metrics.text();
      assert.match(text, /spokes_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
      assert.match(text, /spokes_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
      assert.match(text, /spokes_queue_depth\{queue="diagnostics.receipt",state="queued"\} 0/);
      assert.match(text, /# TYPE spokes_job_duration_seconds histogram/);
    });

    it('serves /metrics only to the bearer of SPOKES_METRICS_TOKEN when one is set; /healthz stays open', async () => {
      const token = 'metrics-token-0123456789abcdef';
      const runtime = await start({ SPOKES_METRICS_TOKEN: token });
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, `Bearer ${token}x`]) {
        const res = await fetch(`${runtime.url}/metrics`, { headers: authorization ? { authorization } : {} });
        assert.equal(res.status, 401, String(authorization));
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="spokes-metrics"');
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'unauthorized');
        assert.doesNotMatch(body.error.message, new RegExp(token));
      }
      const ok = await fetch(`${runtime.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /spokes_http_requests_total/);
      assert.equal((await fetch(`${runtime.url}/healthz`)).status, 200);
    });

    it('answers every error as JSON {error:{code,message}} and names the failing field', async () => {
      const log = createLogger({ level: 'silent' });
      const app = await buildServer({
        log,
        metrics: createMetrics(),
        version: '0.0.0',
        engine,
        probes: [],
        routes: (a) => {
          a.post('/test/echo', async (request) => parseInput(z.object({ name: z.string().min(2), count: z.number().int() }), request.body, 'body'));
          a.get('/test/not-connected', async () => {
            throw new NotConnectedError('HubSpot is not connected');
          });
          a.get('/test/crash', async () => {
            throw new Error('secret internals pat-na1-xyz');
          });
        },
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      cleanup.push(() => app.close());
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

      const notFound = await fetch(`${base}/nope`);
      assert.equal(notFound.status, 404);
      assert.deepEqual(await notFound.json(), { error: { code: 'not_found', message: 'no route for GET /nope' } });

      const invalid = await fetch(`${base}/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', count: 'two' }),
      });
      assert.equal(invalid.status, 400);
      const invalidBody = (await invalid.json()) as { error: { code: string; message: string; details: { field: string }[] } };
      assert.equal(invalidBody.error.code, 'validation_failed');
      assert.deepEqual(
        invalidBody.error.details.map((d) => d.field),
        ['body.name', 'body.count'],
      );

      const malformed = await fetch(`${base}/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
      assert.equal(malformed.status, 400);
      assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, 'validation_failed');

      const conflict = await fetch(`${base}/test/not-connected`);
      assert.equal(conflict.status, 409);
      assert.deepEqual(await conflict.json(), { error: { code: 'not_connected', message: 'HubSpot is not connected' } });

      const crash = await fetch(`${base}/test/crash`);
      assert.equal(crash.status, 500);
      const crashText = await crash.text();
      assert.deepEqual(JSON.parse(crashText), { error: { code: 'internal', message: 'internal error' } });
      assert.doesNotMatch(crashText, /pat-na1/);
    });

    it('counts jobs by type and outcome once they run', async () => {
      const runtime = await start();
      const { receiptJob } = await import('../src/jobs/diagnostics.ts');
      await runtime.queue.enqueue(receiptJob, { key: 'metrics-1' });
      const deadline = Date.now() + 20_000;
      let text = '';
      while (Date.now() < deadline) {
        text = await (await fetch(`${runtime.url}/metrics`)).text();
        if (/spokes_jobs_total\{job="diagnostics.receipt",outcome="completed"\} 1/.test(text)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(text, /spokes_jobs_total\{job="diagnostics.receipt",outcome="completed"\} 1/);
      assert.match(text, /spokes_job_duration_seconds_count\{job="diagnostics.receipt",outcome="completed"\} 1/);
    });

    it('answers 503 when the database is gone', async () => {
      const runtime = await start();
      if (engine === 'pglite') await runtime.database.pglite!.close();
      else await runtime.database.close();
      const health = await fetch(`${runtime.url}/healthz`);
      assert.equal(health.status, 503);
      const body = (await health.json()) as { status: string; checks: { database: { ok: boolean; error: string } } };
      assert.equal(body.status, 'unavailable');
      assert.equal(body.checks.database.ok, false);
    });
  });
}

describe('HTTP server shutdown', () => {
  it('answers a request in flight, then closes without waiting for the keep-alive timeout', async () => {
    const app = await buildServer({
      log: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      version: '0.0.0',
      engine: 'pglite',
      probes: [],
      routes: (a) => {
        a.get('/test/slow', async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          return { ok: true };
        });
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const answer = fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/test/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await app.close();
    const closeMs = performance.now() - started;
    const res = await answer;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    // Before: 70 s (the answered keep-alive connection stayed open for Fastify's 72 s keepAliveTimeout).
    assert.ok(closeMs < 5_000, `close took ${Math.round(closeMs)} ms`);
  });
});
