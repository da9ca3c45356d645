/**
 * Page sizes a client gets when it sends none: the `limit` defaults in HubSpot's OpenAPI files
 * (owners 100, object lists 10, v4 association reads 500) and the search guide ("By default, the
 * search endpoints will return pages of 10 records at a time"). A client that forgets `limit`
 * must page the same way against the sandbox as against HubSpot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox page sizes without a limit', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });

  before(async () => {
    env = await startContractSandbox({ limits: { searchPerSecond: 10_000 } });
    const portalId = env.sandbox.info().portals[1].portalId;
    env.sandbox.seed({ portalId, owners: 105, contacts: 0, companies: 0, seed: 3 });
    token = env.sandbox.info().portals[1].privateAppToken;
  });
  after(() => env.stop());

  it('owners: 100 (crmOwners.json, GET /crm/v3/owners limit default)', async () => {
    const page = await api('GET', '/crm/v3/owners');
    assert.equal(page.body.results.length, 100);
    assert.ok(page.body.paging.next.after);
  });

  it('object lists and search: 10 (objects.json limit default; search guide "Paging through results")', async () => {
    const inputs = Array.from({ length: 11 }, (_, i) => ({ properties: { name: `Paged ${i}` } }));
    assert.equal((await api('POST', '/crm/v3/objects/companies/batch/create', { inputs })).status, 201);
    const list = await api('GET', '/crm/v3/objects/companies');
    assert.equal(list.body.results.length, 10);
    assert.ok(list.body.paging.next.after);
    const search = await api('POST', '/crm/v3/objects/companies/search', {});
    assert.equal(search.body.results.length, 10);
    assert.equal(search.body.total, 11);
    assert.equal(search.body.paging.next.after, '10');
  });

  it('v4 association reads: 500 (associations.json limit default)', async () => {
    const contact = (await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'many-companies@paging.example' } })).body.id;
    const ids: string[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const inputs = Array.from({ length: batch < 5 ? 100 : 1 }, (_, i) => ({ properties: { name: `Linked ${batch}-${i}` } }));
      ids.push(...(await api('POST', '/crm/v3/objects/companies/batch/create', { inputs })).body.results.map((r: { id: string }) => r.id));
    }
    for (let from = 0; from < ids.length; from += 100) {
      const inputs = ids.slice(from, from + 100).map((id) => ({ from: { id: contact }, to: { id } }));
      assert.equal((await api('POST', '/crm/v4/associations/contacts/companies/batch/associate/default', { inputs })).status, 200);
    }
    const page = await api('GET', `/crm/v4/objects/contacts/${contact}/associations/companies`);
    assert.equal(page.body.results.length, 500);
    assert.ok(page.body.paging.next.after);
  });
});
