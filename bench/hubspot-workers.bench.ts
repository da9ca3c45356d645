/**
 * Three worker processes writing contacts for 30 s through one HubSpot connection shared in PostgreSQL, against
 * the emulator's real limits (110 requests / 10 s for an OAuth install): how much of the allowance the shared
 * budget lets them use (target above 7 requests/s), and that HubSpot answered no 429.
 * test/hubspot/connection-workers.test.ts checks the same for 12 s without the throughput figure.
 */
import { startSharedConnection, startWorker } from '../test/support/hubspot-workers.ts';
import { postgresUrl, report, round } from './support.ts';

process.env.TEST_DATABASE_URL ??= postgresUrl;
const BENCH = 'hubspot-workers';

const shared = await startSharedConnection();
try {
  const { sandbox, hubspot, env } = shared;
  const before = sandbox.stats();
  const started = Date.now();
  const workers = ['a', 'b', 'c'].map((tag) => startWorker({ ...env, MODE: 'hammer', DURATION_MS: '30000', TAG: tag }));
  const results = await Promise.all(workers.map(async (w) => JSON.parse(await w.line(/^\{/, 120_000)) as { written: number }));
  await Promise.all(workers.map((w) => w.done));
  const seconds = (Date.now() - started) / 1000;
  const after = sandbox.stats();
  const portalId = String(await hubspot.api.portalId());
  const requests = (after.byPortal[portalId]?.requests ?? 0) - (before.byPortal[portalId]?.requests ?? 0);
  report({
    bench: BENCH,
    metric: 'shared_budget_requests_per_second',
    value: round(requests / seconds),
    unit: 'requests/s',
    ceiling: 7,
    target: 'min',
    note: '11/s allowed',
  });
  report({ bench: BENCH, metric: 'contacts_written', value: results.reduce((n, r) => n + r.written, 0), unit: 'records', note: '3 workers, 30 s' });
  report({ bench: BENCH, metric: 'rate_limited_responses', value: after.rateLimited - before.rateLimited, unit: 'responses', ceiling: 0, target: 'max' });
} finally {
  await shared.close();
}
