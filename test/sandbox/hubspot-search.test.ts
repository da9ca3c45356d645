import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

type Filter = { propertyName: string; operator: string; value?: string; values?: string[]; highValue?: string };

describe('HubSpot sandbox search', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });
  const search = (type: string, body: Record<string, unknown>) => api('POST', `/crm/v3/objects/${type}/search`, body);
  const names = async (filters: Filter[], extra: Record<string, unknown> = {}) => {
    const response = await search('companies', {
      filterGroups: [{ filters: [...filters, { propertyName: 'domain', operator: 'CONTAINS_TOKEN', value: '*.search.example' }] }],
      properties: ['name'],
      limit: 100,
      ...extra,
    });
    assert.equal(response.status, 200, response.text);
    return response.body.results.map((r: { properties: { name: string } }) => r.properties.name);
  };
  let createdAfter = 0;

  before(async () => {
    env = await startContractSandbox({ limits: { searchPerSecond: 10_000 } });
    token = env.sandbox.info().portals[0].privateAppToken;
    const companies = [
      { name: 'Alpha Systems', numberofemployees: '10', industry: 'Retail', city: 'Berlin', lifecyclestage: 'lead' },
      { name: 'Beta Labs', numberofemployees: '50', industry: 'Retail', lifecyclestage: 'customer' },
      { name: 'Gamma Group', numberofemployees: '200', industry: 'Manufacturing', city: 'Lyon' },
      { name: 'Delta Trading', numberofemployees: '1000', city: 'Berlin Mitte' },
      { name: 'Epsilon Partners' },
    ];
    for (const [i, properties] of companies.entries()) {
      if (i === 3) {
        env.sandbox.advanceClock(60_000);
        createdAfter = Date.now() + 30_000;
      }
      await api('POST', '/crm/v3/objects/companies', {
        properties: { ...properties, domain: `${properties.name.split(' ')[0].toLowerCase()}.search.example` },
      });
    }
  });
  after(() => env.stop());

  it('supports every documented operator', async () => {
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: 'EQ', value: '50' }]), ['Beta Labs']);
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: 'NEQ', value: '50' }]), [
      'Alpha Systems',
      'Gamma Group',
      'Delta Trading',
      'Epsilon Partners',
    ]);
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: 'LT', value: '200' }]), ['Alpha Systems', 'Beta Labs']);
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: 'LTE', value: '200' }]), ['Alpha Systems', 'Beta Labs', 'Gamma Group']);
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: 'GT', value: '200' }]), ['Delta Trading']);
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: 'GTE', value: '200' }]), ['Gamma Group', 'Delta Trading']);
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: 'BETWEEN', value: '20', highValue: '200' }]), ['Beta Labs', 'Gamma Group']);
    assert.deepEqual(await names([{ propertyName: 'lifecyclestage', operator: 'IN', values: ['lead', 'customer'] }]), ['Alpha Systems', 'Beta Labs']);
    assert.deepEqual(await names([{ propertyName: 'industry', operator: 'NOT_IN', values: ['retail'] }]), ['Gamma Group', 'Delta Trading', 'Epsilon Partners']);
    assert.deepEqual(await names([{ propertyName: 'city', operator: 'HAS_PROPERTY' }]), ['Alpha Systems', 'Gamma Group', 'Delta Trading']);
    assert.deepEqual(await names([{ propertyName: 'city', operator: 'NOT_HAS_PROPERTY' }]), ['Beta Labs', 'Epsilon Partners']);
    assert.deepEqual(await names([{ propertyName: 'city', operator: 'CONTAINS_TOKEN', value: 'berlin' }]), ['Alpha Systems', 'Delta Trading']);
    assert.deepEqual(await names([{ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: '*ta' }]), ['Beta Labs', 'Delta Trading']);
    assert.deepEqual(await names([{ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: 'Gam*' }]), ['Gamma Group']);
    assert.deepEqual(await names([{ propertyName: 'name', operator: 'NOT_CONTAINS_TOKEN', value: 'labs' }]), [
      'Alpha Systems',
      'Gamma Group',
      'Delta Trading',
      'Epsilon Partners',
    ]);
  });

  it('compares text ignoring case, but IN on a string property needs lower-case values', async () => {
    assert.deepEqual(await names([{ propertyName: 'industry', operator: 'EQ', value: 'RETAIL' }]), ['Alpha Systems', 'Beta Labs']);
    assert.deepEqual(await names([{ propertyName: 'industry', operator: 'IN', values: ['Retail'] }]), []);
    assert.deepEqual(await names([{ propertyName: 'industry', operator: 'IN', values: ['retail'] }]), ['Alpha Systems', 'Beta Labs']);
  });

  it('filters datetimes given as ms or ISO-8601', async () => {
    const byMs = await names([{ propertyName: 'createdate', operator: 'GTE', value: String(createdAfter) }]);
    assert.deepEqual(byMs, ['Delta Trading', 'Epsilon Partners']);
    const byIso = await names([{ propertyName: 'createdate', operator: 'GTE', value: new Date(createdAfter).toISOString() }]);
    assert.deepEqual(byIso, byMs);
    const garbage = await search('companies', { filterGroups: [{ filters: [{ propertyName: 'createdate', operator: 'GT', value: 'yesterday' }] }] });
    assert.equal(garbage.status, 400);
  });

  it('ORs filter groups, sorts (missing values last), pages with after, and searches free text', async () => {
    const or = await search('companies', {
      filterGroups: [
        { filters: [{ propertyName: 'name', operator: 'EQ', value: 'alpha systems' }] },
        { filters: [{ propertyName: 'numberofemployees', operator: 'GT', value: '500' }] },
      ],
      properties: ['name'],
    });
    assert.deepEqual(
      or.body.results.map((r: { properties: { name: string } }) => r.properties.name),
      ['Alpha Systems', 'Delta Trading'],
    );
    assert.deepEqual(await names([], { sorts: [{ propertyName: 'numberofemployees', direction: 'DESCENDING' }] }), [
      'Delta Trading',
      'Gamma Group',
      'Beta Labs',
      'Alpha Systems',
      'Epsilon Partners',
    ]);
    assert.deepEqual(await names([], { sorts: ['-name'] }), ['Gamma Group', 'Epsilon Partners', 'Delta Trading', 'Beta Labs', 'Alpha Systems']);
    const seen: string[] = [];
    let after: string | undefined = '0';
    while (after !== undefined) {
      const page = await search('companies', {
        filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'CONTAINS_TOKEN', value: '*.search.example' }] }],
        limit: 2,
        after,
        properties: ['name'],
      });
      assert.equal(page.body.total, 5);
      seen.push(...page.body.results.map((r: { properties: { name: string } }) => r.properties.name));
      after = page.body.paging?.next?.after;
    }
    assert.equal(seen.length, 5);
    const query = await search('companies', { query: 'gam', properties: ['name'] });
    assert.deepEqual(
      query.body.results.map((r: { properties: { name: string } }) => r.properties.name),
      ['Gamma Group'],
    );
    const defaults = await search('companies', { query: 'gamma' });
    assert.deepEqual(Object.keys(defaults.body.results[0].properties).sort(), ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name']);
  });

  it("enforces HubSpot's search limits", async () => {
    assert.equal((await search('companies', { limit: 200 })).status, 200);
    assert.equal((await search('companies', { limit: 201 })).status, 400);
    const group = { filters: [{ propertyName: 'name', operator: 'HAS_PROPERTY' }] };
    assert.equal((await search('companies', { filterGroups: Array(5).fill(group) })).status, 200);
    assert.equal((await search('companies', { filterGroups: Array(6).fill(group) })).status, 400);
    assert.equal((await search('companies', { filterGroups: [{ filters: Array(7).fill(group.filters[0]) }] })).status, 400);
    assert.equal((await search('companies', { filterGroups: [{ filters: [{ propertyName: 'name', operator: 'LIKE', value: 'x' }] }] })).status, 400);
    assert.equal((await search('companies', { query: 'x'.repeat(3001) })).status, 400);
  });

  it('sends no rate-limit headers on search responses', async () => {
    const response = await search('companies', {});
    assert.ok(response.headers.get('x-hubspot-correlation-id'));
    assert.equal(response.headers.get('x-hubspot-ratelimit-max'), null);
    assert.equal(response.headers.get('x-hubspot-ratelimit-remaining'), null);
    assert.equal(response.headers.get('x-hubspot-ratelimit-daily'), null);
  });

  it('pages up to 10,000 results and answers 400 beyond', async () => {
    const portalId = env.sandbox.info().portals[1].portalId;
    env.sandbox.seed({ portalId, contacts: 10_050, companies: 0, owners: 0, seed: 9 });
    const other = env.sandbox.info().portals[1].privateAppToken;
    const page = await call(env.sandbox.url, 'POST', '/crm/v3/objects/contacts/search', { token: other, body: { limit: 200, after: '9800' } });
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 10_050);
    assert.equal(page.body.results.length, 200);
    assert.equal(page.body.paging.next.after, '10000');
    const beyond = await call(env.sandbox.url, 'POST', '/crm/v3/objects/contacts/search', { token: other, body: { limit: 10, after: '10000' } });
    assert.equal(beyond.status, 400);
    assert.equal(beyond.body.category, 'VALIDATION_ERROR');
  });

  it('keeps contacts on lastmodifieddate: hs_lastmodifieddate is defined but never set, as on HubSpot', async () => {
    await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'mod@example.com' } });
    const right = await search('contacts', { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: '0' }] }] });
    const wrong = await search('contacts', { filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GT', value: '0' }] }] });
    assert.ok(right.body.total >= 1);
    assert.equal(wrong.body.total, 0);
  });

  it('finds contacts by phone the ways integrators do', async () => {
    const created = await api('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'caller@example.com', phone: '+1 (212) 555-0147', mobilephone: '646-555-0199' },
    });
    const byPhone = (filters: Filter[]) => search('contacts', { filterGroups: filters.map((f) => ({ filters: [f] })) });
    const hits = await byPhone([
      { propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: '2125550147' },
      { propertyName: 'hs_searchable_calculated_mobile_number', operator: 'CONTAINS_TOKEN', value: '*5550199' },
    ]);
    assert.deepEqual(
      hits.body.results.map((r: { id: string }) => r.id),
      [created.body.id],
    );
    const mobile = await byPhone([{ propertyName: 'hs_calculated_mobile_number', operator: 'EQ', value: '+16465550199' }]);
    assert.equal(mobile.body.total, 1);
    const text = await search('contacts', { query: '2125550147' });
    assert.equal(text.body.results[0].id, created.body.id);
  });
});
