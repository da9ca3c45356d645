/**
 * "Search through associations" (HubSpot's search guide): the pseudo-property
 * `associations.{objectType}` finds records associated with a given record — "contacts
 * of company X", "calls of contact Y". Driven over HTTP and through the unmodified
 * `@hubspot/api-client`; every response is checked against HubSpot's OpenAPI files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@hubspot/api-client';
import { call, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

const ids = (body: { results: Array<{ id: string }> }) => body.results.map((r) => r.id).sort();
const wire = <T>(value: unknown) => value as T;

describe('HubSpot sandbox search through associations', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });
  const search = (type: string, body: Record<string, unknown>) => api('POST', `/crm/v3/objects/${type}/search`, body);
  const create = async (type: string, properties: Record<string, string>, associations: unknown[] = []) => {
    const res = await api('POST', `/crm/v3/objects/${type}`, { properties, associations });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const toCompany = (id: string) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] });
  let acme = '';
  let globex = '';
  let alice = '';
  let bob = '';
  let carol = '';
  let loner = '';
  let aliceCall = '';

  before(async () => {
    env = await startContractSandbox({ limits: { searchPerSecond: 10_000 } });
    token = env.sandbox.info().portals[0].privateAppToken;
    acme = await create('companies', { name: 'Acme', domain: 'acme.assoc.example' });
    globex = await create('companies', { name: 'Globex', domain: 'globex.assoc.example' });
    alice = await create('contacts', { email: 'alice@assoc.example' }, [toCompany(acme)]);
    bob = await create('contacts', { email: 'bob@assoc.example' }, [toCompany(acme), toCompany(globex)]);
    carol = await create('contacts', { email: 'carol@assoc.example' }, [toCompany(globex)]);
    loner = await create('contacts', { email: 'loner@assoc.example' });
    aliceCall = await create('calls', { hs_timestamp: '2025-03-01T10:00:00Z', hs_call_title: 'Intro' }, [
      { to: { id: alice }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }] },
    ]);
    await create('calls', { hs_timestamp: '2025-03-01T11:00:00Z', hs_call_title: 'Unrelated' });
  });
  after(() => env.stop());

  it('EQ associations.company finds the contacts of that company ("contacts of company X")', async () => {
    const res = await search('contacts', {
      filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: acme }] }],
      properties: ['email'],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(ids(res.body), [alice, bob].sort());
    assert.equal(res.body.total, 2);
  });

  it("takes the guide's own request: a top-level filters array with associations.contact on an engagement search", async () => {
    const res = await search('calls', { filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: alice }] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(ids(res.body), [aliceCall]);
  });

  it('combines with property filters, sorts and pages like any filter', async () => {
    const res = await search('contacts', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'associations.company', operator: 'EQ', value: acme },
            { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: 'bob*' },
          ],
        },
      ],
    });
    assert.deepEqual(ids(res.body), [bob]);
    const sorted = await search('contacts', {
      filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: globex }] }],
      sorts: [{ propertyName: 'email', direction: 'DESCENDING' }],
      properties: ['email'],
      limit: 1,
    });
    assert.equal(sorted.body.total, 2);
    assert.deepEqual(
      sorted.body.results.map((r: { id: string }) => r.id),
      [carol],
    );
    assert.equal(sorted.body.paging.next.after, '1');
  });

  it('IN takes several ids, as integrators use it (values: [...] on associations.contact)', async () => {
    const res = await search('contacts', { filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'IN', values: [acme, globex] }] }] });
    assert.deepEqual(ids(res.body), [alice, bob, carol].sort());
  });

  it('other operators work as on a multi-valued id property (UNCONFIRMED beyond EQ and IN)', async () => {
    const among = async (operator: string, extra: Record<string, unknown> = {}) => {
      const res = await search('contacts', {
        filterGroups: [
          {
            filters: [
              { propertyName: 'associations.company', operator, ...extra },
              { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@assoc.example' },
            ],
          },
        ],
      });
      assert.equal(res.status, 200, res.text);
      return ids(res.body);
    };
    assert.deepEqual(await among('HAS_PROPERTY'), [alice, bob, carol].sort());
    assert.deepEqual(await among('NOT_HAS_PROPERTY'), [loner]);
    assert.deepEqual(await among('NEQ', { value: acme }), [carol, loner].sort());
    assert.deepEqual(await among('NOT_IN', { values: [globex] }), [alice, loner].sort());
  });

  it('follows association changes and archived companies at once', async () => {
    const dave = await create('contacts', { email: 'dave@assoc.example' });
    const ofGlobex = () => search('contacts', { filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: globex }] }] });
    assert.equal((await api('PUT', `/crm/v4/objects/contacts/${dave}/associations/default/companies/${globex}`)).status, 200);
    assert.deepEqual(ids((await ofGlobex()).body), [bob, carol, dave].sort());
    assert.equal((await api('DELETE', `/crm/v4/objects/contacts/${dave}/associations/companies/${globex}`)).status, 204);
    assert.deepEqual(ids((await ofGlobex()).body), [bob, carol].sort());
    const gone = await create('companies', { name: 'Gone Inc' });
    await api('PUT', `/crm/v4/objects/contacts/${dave}/associations/default/companies/${gone}`);
    assert.equal((await api('DELETE', `/crm/v3/objects/companies/${gone}`)).status, 204);
    const ofGone = await search('contacts', { filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: gone }] }] });
    assert.deepEqual(ids(ofGone.body), []);
  });

  it('names the other type in the singular, as the guide does; other spellings match nothing (UNCONFIRMED)', async () => {
    const plural = await search('contacts', { filterGroups: [{ filters: [{ propertyName: 'associations.companies', operator: 'EQ', value: acme }] }] });
    assert.equal(plural.status, 200);
    assert.equal(plural.body.total, 0);
  });

  it("answers HubSpot's generic 400 to an id that is not a number", async () => {
    const res = await search('contacts', { filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: 'acme' }] }] });
    assert.equal(res.status, 400);
    assert.equal(res.body.message, 'There was a problem with the request.');
  });

  it('works through the unmodified @hubspot/api-client, whose filter type takes any property name', async () => {
    const client = new Client({ accessToken: token, basePath: env.sandbox.url, numberOfApiCallRetries: 0 });
    const page = await client.crm.contacts.searchApi.doSearch(
      wire({
        filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: globex }] }],
        sorts: [],
        properties: ['email'],
        limit: 10,
        after: '0',
      }),
    );
    assert.deepEqual(page.results.map((r) => r.properties.email).sort(), ['bob@assoc.example', 'carol@assoc.example']);
  });
});
