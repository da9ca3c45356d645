/**
 * The benchmark shape: 200,000 contacts in one portal, paged with search sorted and
 * filtered (GT) on the last-modified property, plus phone look-ups, plus a 20,000
 * contact batch-create at full rate. Searches must stay in the tens of milliseconds
 * once the indexes exist (they are built on first use, then maintained).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { call } from '../support/hubspot-harness.ts';

const CONTACTS = 200_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe('HubSpot sandbox at benchmark scale', { timeout: 120_000 }, () => {
  let sandbox: HubSpotSandbox;
  let token: string;
  let firstCompanyId = '';
  const search = async (type: string, body: unknown) => {
    const started = performance.now();
    const response = await call(sandbox.url, 'POST', `/crm/v3/objects/${type}/search`, { token, body });
    assert.equal(response.status, 200, response.text);
    return { ms: performance.now() - started, body: response.body };
  };

  before(async () => {
    sandbox = await startHubSpotSandbox({ limits: { searchPerSecond: 1_000_000, privateAppTenSecondly: 1_000_000 } });
    token = sandbox.info().portals[0].privateAppToken;
    firstCompanyId = sandbox.seed({ contacts: CONTACTS, companies: 2_000, owners: 10, seed: 200 }).firstCompanyId!;
  });
  after(() => sandbox.close());

  it('pages through 200,000 contacts by lastmodifieddate (GT + sort) in tens of ms per page', async () => {
    let cursor = '0';
    let previous = -1;
    const seen = new Set<string>();
    const times: number[] = [];
    for (let page = 0; page < 25; page++) {
      const { ms, body } = await search('contacts', {
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: cursor }] }],
        sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
        properties: ['email', 'lastmodifieddate'],
        limit: 200,
      });
      if (page === 0) assert.equal(body.total, CONTACTS);
      else times.push(ms);
      for (const record of body.results) {
        const modified = Date.parse(record.properties.lastmodifieddate);
        assert.ok(modified > previous, 'strictly ascending across pages');
        previous = modified;
        assert.ok(!seen.has(record.id));
        seen.add(record.id);
      }
      cursor = String(previous);
    }
    assert.equal(seen.size, 25 * 200);
    assert.ok(median(times) < 50, `median ${median(times).toFixed(1)} ms`);
  });

  it('looks contacts up by phone in tens of ms', async () => {
    const caller = await call(sandbox.url, 'POST', '/crm/v3/objects/contacts', {
      token,
      body: { properties: { email: 'caller@perf.example', phone: '+49 (0)30 9876-5432' } },
    });
    const digits: string = caller.body.properties.hs_searchable_calculated_phone_number;
    assert.equal(digits, '3098765432');
    const lookup = () =>
      search('contacts', {
        filterGroups: [
          { filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: digits }] },
          { filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'CONTAINS_TOKEN', value: `*${digits.slice(-7)}` }] },
          { filters: [{ propertyName: 'hs_searchable_calculated_mobile_number', operator: 'CONTAINS_TOKEN', value: `*${digits.slice(-7)}` }] },
        ],
        properties: ['phone'],
      });
    const first = await lookup();
    assert.ok(first.body.results.some((r: { id: string }) => r.id === caller.body.id));
    const times: number[] = [];
    for (let i = 0; i < 10; i++) times.push((await lookup()).ms);
    assert.ok(median(times) < 50, `median ${median(times).toFixed(1)} ms`);
  });

  it('finds the contacts of one company (associations.company EQ) from the association store, not by a scan', async () => {
    const ofCompany = (id: string) =>
      search('contacts', {
        filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: id }] }],
        sorts: [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }],
        properties: ['email'],
        limit: 100,
      });
    const first = await ofCompany(firstCompanyId);
    assert.ok(first.body.total > 0 && first.body.total < 1_000, `total ${first.body.total}`);
    const companies = Array.from({ length: 10 }, (_, i) => String(Number(firstCompanyId) + i));
    const times: number[] = [];
    for (const id of companies) times.push((await ofCompany(id)).ms);
    // A scan asks every one of the 200,000 contacts for its companies; the plan asks one company for its contacts.
    assert.ok(median(times) < 50, `median ${median(times).toFixed(1)} ms (a scan takes ~500 ms)`);
  });

  it('takes a 20,000-contact batch-create at full rate cheaply, and search sees the new records', async () => {
    const started = performance.now();
    for (let batch = 0; batch < 200; batch++) {
      const inputs = Array.from({ length: 100 }, (_, i) => ({
        properties: { email: `bulk-${batch}-${i}@bulk.example`, phone: `+1 212 555 01${String(i).padStart(2, '0')}` },
        associations: [],
      }));
      const response = await call(sandbox.url, 'POST', '/crm/v3/objects/contacts/batch/create', { token, body: { inputs } });
      assert.equal(response.status, 201);
    }
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 15_000, `batch create took ${elapsed.toFixed(0)} ms`);
    const stats = sandbox.stats();
    assert.equal(stats.byRoute['POST /crm/v3/objects/:objectType/batch/create']['201'], 200);
    const newest = await search('contacts', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@bulk.example' }] }],
      limit: 1,
    });
    assert.equal(newest.body.total, 20_000);
  });
});
