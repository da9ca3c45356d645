/**
 * The HubSpot emulator at benchmark scale: 200,000 contacts in one portal, paged with search sorted and filtered
 * (GT) on the last-modified property, phone look-ups, the contacts of one company, and a 20,000-contact
 * batch-create at full rate. Searches must stay in the tens of milliseconds once the indexes exist (built on
 * first use, then maintained); a scan of every contact takes ~500 ms. What the answers hold is checked by
 * test/sandbox/hubspot-search-benchmark-shape.test.ts at a smaller scale; this measures the time.
 */
import assert from 'node:assert/strict';
import { startHubSpotSandbox } from '../sandbox/hubspot/index.ts';
import { call } from '../test/support/hubspot-harness.ts';
import { percentile, report, round } from './support.ts';
import { bulkContacts, contactsOfCompany, pageByModified, phoneLookup } from '../test/support/hubspot-benchmark-searches.ts';

const CONTACTS = 200_000;
const BENCH = 'hubspot-search';
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

const sandbox = await startHubSpotSandbox({ limits: { searchPerSecond: 1_000_000, privateAppTenSecondly: 1_000_000 } });
try {
  const token = sandbox.info().portals[0]!.privateAppToken!;
  const firstCompanyId = sandbox.seed({ contacts: CONTACTS, companies: 2_000, owners: 10, seed: 200 }).firstCompanyId!;
  const search = async (type: string, body: unknown) => {
    const started = performance.now();
    const response = await call(sandbox.url, 'POST', `/crm/v3/objects/${type}/search`, { token, body });
    assert.equal(response.status, 200, response.text);
    return { ms: performance.now() - started, body: response.body };
  };

  // 25 pages by lastmodifieddate (GT + sort); the first builds the index.
  const pages: number[] = [];
  let cursor = '0';
  for (let page = 0; page < 25; page++) {
    const { ms, body } = await search('contacts', pageByModified(cursor));
    if (page > 0) pages.push(ms);
    cursor = String(Date.parse(body.results.at(-1).properties.lastmodifieddate));
  }
  report({
    bench: BENCH,
    metric: 'page_by_lastmodifieddate_median',
    value: round(median(pages)),
    unit: 'ms',
    ceiling: 50,
    target: 'max',
    note: `${CONTACTS} contacts`,
  });

  // Phone look-ups as Spokes makes them.
  const digits = '3098765432';
  await call(sandbox.url, 'POST', '/crm/v3/objects/contacts', { token, body: { properties: { email: 'caller@perf.example', phone: '+49 (0)30 9876-5432' } } });
  const lookup = () => search('contacts', phoneLookup(digits));
  await lookup();
  const lookups: number[] = [];
  for (let i = 0; i < 10; i++) lookups.push((await lookup()).ms);
  report({ bench: BENCH, metric: 'phone_lookup_median', value: round(median(lookups)), unit: 'ms', ceiling: 50, target: 'max' });

  // The contacts of one company: from the association store, not by a scan.
  const ofCompany = (id: string) => search('contacts', contactsOfCompany(id));
  await ofCompany(firstCompanyId);
  const companies: number[] = [];
  for (let i = 0; i < 10; i++) companies.push((await ofCompany(String(Number(firstCompanyId) + i))).ms);
  report({
    bench: BENCH,
    metric: 'contacts_of_company_median',
    value: round(median(companies)),
    unit: 'ms',
    ceiling: 50,
    target: 'max',
    note: 'a scan takes ~500 ms',
  });

  // 20,000 contacts by batch-create at full rate.
  const started = performance.now();
  for (let batch = 0; batch < 200; batch++) {
    const inputs = bulkContacts(batch);
    const response = await call(sandbox.url, 'POST', '/crm/v3/objects/contacts/batch/create', { token, body: { inputs } });
    assert.equal(response.status, 201);
  }
  report({ bench: BENCH, metric: 'batch_create_20000', value: round(performance.now() - started, 0), unit: 'ms', ceiling: 15_000, target: 'max' });
} finally {
  await sandbox.close();
}
