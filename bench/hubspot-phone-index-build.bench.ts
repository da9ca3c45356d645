/**
 * Building the phone index from empty for 200,000 contacts against the emulator
 * with HubSpot's real limits: the build pages search results (200 per page) and
 * is bound by the search rate limit, so its ceiling is 200 records × the budget's
 * searches per second (4/s: the budget keeps under HubSpot's 5/s in any rolling
 * second, see src/hubspot/rate-budget.ts).
 */
import { cpus, loadavg } from 'node:os';
import { createPhoneIndexing } from '../src/hubspot/phone/index.ts';
import { windowsFor } from '../src/hubspot/rate-budget.ts';
import { HUBSPOT } from '../src/hubspot/manifest.ts';
import { startHubSpotWorld, REAL_LIMITS } from '../test/hubspot/harness.ts';
import { report, round } from './support.ts';

const CONTACTS = 200_000;
const search = windowsFor(REAL_LIMITS.tenSecondly.oauth, REAL_LIMITS.searchPerSecond).search;
const searchesPerSecond = search.points / search.seconds;
const CEILING = HUBSPOT.searchPageSize * searchesPerSecond;

const world = await startHubSpotWorld('pglite', { connect: 'oauth', budget: REAL_LIMITS });
try {
  const seeded = performance.now();
  world.sandbox.seed({ contacts: CONTACTS, companies: 2_000, owners: 5, seed: 'index-build-bench' });
  const seedSeconds = (performance.now() - seeded) / 1000;
  const phone = createPhoneIndexing({ database: world.database, hubspot: world.hubspot, defaultRegion: 'US', log: world.log });

  const started = performance.now();
  const contacts = await phone.sync.runType(world.portalId, 'contact', 'full');
  const seconds = (performance.now() - started) / 1000;
  const indexed = await phone.index.count(world.portalId);
  if (indexed.contact !== CONTACTS) throw new Error(`the build indexed ${indexed.contact} contacts, not ${CONTACTS}`);

  const rate = CONTACTS / seconds;
  report({
    bench: 'hubspot-phone-index',
    metric: 'full_build_seconds_200k_contacts',
    value: round(seconds),
    unit: 's',
    note: `${contacts.searches} searches, ${contacts.records} records read, all ${CONTACTS} indexed (PGlite); emulator seeded in ${round(seedSeconds)} s; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`,
  });
  report({
    bench: 'hubspot-phone-index',
    metric: 'full_build_throughput',
    value: round(rate),
    unit: 'records/s',
    ceiling: CEILING,
    target: 'min',
    note: `ceiling = ${HUBSPOT.searchPageSize} records × ${searchesPerSecond} searches/s (Spokes' budget under HubSpot's 5/s); ${round((100 * rate) / CEILING)} % of it`,
  });
  report({ bench: 'hubspot-phone-index', metric: 'rate_limited_responses', value: world.sandbox.stats().rateLimited, unit: '429s', ceiling: 0, target: 'max' });
} finally {
  await world.close();
}
