/**
 * Batch-creating 20,000 contacts through Spokes' batch writer over
 * `hubspot.api.call`, against the emulator with HubSpot's real limits and an
 * OAuth install (110 requests / 10 s → 1,100 records/s at 100 per batch is the
 * ceiling). Reports records/s, records lost and duplicated (counted in the
 * emulator) and the 429s the emulator answered.
 */
import { BatchWriter } from '../src/hubspot/batch-writer.ts';
import { HUBSPOT } from '../src/hubspot/manifest.ts';
import { hubspotRequest, startHubSpotWorld, REAL_LIMITS } from '../test/hubspot/harness.ts';
import { report, round } from './support.ts';

const RECORDS = 20_000;
const CEILING = (HUBSPOT.limits.oauthTenSecondly / 10) * HUBSPOT.batchSize;

const world = await startHubSpotWorld('pglite', { connect: 'oauth', budget: REAL_LIMITS });
try {
  const writer = new BatchWriter({ api: world.hubspot.api, log: world.log });
  const statsBefore = world.sandbox.stats();
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: RECORDS }, (_, i) =>
      writer.create('contacts', {
        // No e-mail: nothing in HubSpot would stop a duplicate, so duplicates would show.
        properties: { firstname: 'Bench', lastname: `writer-${i}`, phone: `+1 415 555 ${String(i % 10_000).padStart(4, '0')}` },
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((r) => r.status === 'rejected');
  const stats = world.sandbox.stats();

  // Count what the emulator holds (its limits lifted for the count only).
  world.sandbox.setLimits({ privateAppTenSecondly: 1_000_000, searchPerSecond: 1_000_000 });
  const names: string[] = [];
  for (let after: string | undefined = undefined; ; ) {
    const page: { body: { results: { properties: { lastname: string } }[]; paging?: { next?: { after: string } } } } = await hubspotRequest(
      world,
      'GET',
      `/crm/v3/objects/contacts?limit=100&properties=lastname${after ? `&after=${after}` : ''}`,
    );
    names.push(...page.body.results.map((r) => r.properties.lastname).filter((n) => n?.startsWith('writer-')));
    after = page.body.paging?.next?.after;
    if (!after) break;
  }
  const distinct = new Set(names).size;

  const rate = RECORDS / seconds;
  report({
    bench: 'hubspot-write',
    metric: 'batch_create_throughput',
    value: round(rate),
    unit: 'records/s',
    ceiling: CEILING,
    target: 'min',
    note: `${RECORDS} contacts in ${round(seconds)} s, ${writer.stats.requests} batch requests, ${round((100 * rate) / CEILING)} % of HubSpot's OAuth limit (110 req/10 s × 100); target ≥ 90 %`,
  });
  report({
    bench: 'hubspot-write',
    metric: 'records_lost',
    value: RECORDS - distinct,
    unit: 'records',
    ceiling: 0,
    target: 'max',
    note: `${failed.length} writes rejected`,
  });
  report({ bench: 'hubspot-write', metric: 'records_duplicated', value: names.length - distinct, unit: 'records', ceiling: 0, target: 'max' });
  report({
    bench: 'hubspot-write',
    metric: 'rate_limited_responses',
    value: stats.rateLimited - statsBefore.rateLimited,
    unit: '429s',
    ceiling: 0,
    target: 'max',
  });
} finally {
  await world.close();
}
