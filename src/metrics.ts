/**
 * Prometheus metrics (prom-client), one registry per process. The HTTP layer
 * and the job runner record into it; `/metrics` renders it.
 */
import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  jobs: Counter<'job' | 'outcome'>;
  jobDuration: Histogram<'job' | 'outcome'>;
  queueDepth: Gauge<'queue' | 'state'>;
  /** Requests Spokes sent to remote systems (HubSpot, PBX…), by status: the API budget a user pays for. */
  remoteRequests: Counter<'system' | 'kind' | 'status'>;
  /** Called on every scrape to refresh gauges that are read from the database. */
  onCollect(fn: () => Promise<void>): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'spokes_' });
  const collectors: (() => Promise<void>)[] = [];
  const metrics: Metrics = {
    registry,
    httpRequests: new Counter({
      name: 'spokes_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'spokes_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'spokes_jobs_total',
      help: 'Jobs processed by type and outcome (completed, retried, failed, duplicate)',
      labelNames: ['job', 'outcome'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'spokes_job_duration_seconds',
      help: 'Job handler duration by type and outcome',
      labelNames: ['job', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'spokes_queue_depth',
      help: 'Jobs per queue and state (queued, active, failed)',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        await Promise.all(collectors.map((fn) => fn().catch(() => {})));
      },
    }),
    remoteRequests: new Counter({
      name: 'spokes_remote_requests_total',
      help: 'Requests sent to remote systems by system, kind and status',
      labelNames: ['system', 'kind', 'status'],
      registers: [registry],
    }),
    onCollect(fn) {
      collectors.push(fn);
    },
  };
  return metrics;
}
