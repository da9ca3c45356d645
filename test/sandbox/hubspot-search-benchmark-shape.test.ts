/**
 * The benchmark's searches, for what they answer: a portal paged with search sorted and filtered (GT) on the
 * last-modified property, phone look-ups, the contacts of one company, and a batch-create at full rate that
 * search then sees. How fast they are at 200,000 contacts is measured by bench/hubspot-search.bench.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { call } from '../support/hubspot-harness.ts';
import { bulkContacts, contactsOfCompany, pageByModified, phoneLookup } from '../support/hubspot-benchmark-searches.ts';

const CONTACTS = 20_000;
const BATCHES = 20;

describe('HubSpot sandbox searches of the benchmark', () => {
  let sandbox: HubSpotSandbox;
  let token: string;
  let firstCompanyId = '';
  const search = async (type: string, body: unknown) => {
    const response = await call(sandbox.url, 'POST', `/crm/v3/objects/${type}/search`, { token, body });
    assert.equal(response.status, 200, response.text);
    return { body: response.body };
  };

  before(async () => {
    sandbox = await startHubSpotSandbox({ limits: { searchPerSecond: 1_000_000, privateAppTenSecondly: 1_000_000 } });
    token = sandbox.info().portals[0].privateAppToken;
    firstCompanyId = sandbox.seed({ contacts: CONTACTS, companies: 200, owners: 10, seed: 200 }).firstCompanyId!;
  });
  after(() => sandbox.close());

  it('pages through the contacts by lastmodifieddate (GT + sort), strictly ascending, none twice', async () => {
    let cursor = '0';
    let previous = -1;
    const seen = new Set<string>();
    for (let page = 0; page < 25; page++) {
      const { body } = await search('contacts', pageByModified(cursor));
      if (page === 0) assert.equal(body.total, CONTACTS);
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
  });

  it('looks contacts up by phone', async () => {
    const caller = await call(sandbox.url, 'POST', '/crm/v3/objects/contacts', {
      token,
      body: { properties: { email: 'caller@perf.example', phone: '+49 (0)30 9876-5432' } },
    });
    const digits: string = caller.body.properties.hs_searchable_calculated_phone_number;
    assert.equal(digits, '3098765432');
    const lookup = () => search('contacts', phoneLookup(digits));
    const first = await lookup();
    assert.ok(first.body.results.some((r: { id: string }) => r.id === caller.body.id));
  });

  it('finds the contacts of one company (associations.company EQ)', async () => {
    const ofCompany = (id: string) => search('contacts', contactsOfCompany(id));
    const first = await ofCompany(firstCompanyId);
    assert.ok(first.body.total > 0 && first.body.total < 1_000, `total ${first.body.total}`);
    for (let i = 1; i < 10; i++) {
      const { body } = await ofCompany(String(Number(firstCompanyId) + i));
      assert.ok(body.results.length <= 100 && body.total >= body.results.length, `company ${i}: total ${body.total}`);
    }
  });

  it('takes batch-creates at full rate, and search sees the new records', async () => {
    for (let batch = 0; batch < BATCHES; batch++) {
      const inputs = bulkContacts(batch);
      const response = await call(sandbox.url, 'POST', '/crm/v3/objects/contacts/batch/create', { token, body: { inputs } });
      assert.equal(response.status, 201);
    }
    const stats = sandbox.stats();
    assert.equal(stats.byRoute['POST /crm/v3/objects/:objectType/batch/create']['201'], BATCHES);
    const newest = await search('contacts', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@bulk.example' }] }],
      limit: 1,
    });
    assert.equal(newest.body.total, BATCHES * 100);
  });
});
