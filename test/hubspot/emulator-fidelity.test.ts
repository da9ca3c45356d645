/**
 * Fidelity fixes to the HubSpot emulator found by probing it over HTTP the way an outside
 * integration does. Each case names the behaviour HubSpot shows (sources in
 * docs/sandbox/hubspot.md); every response is checked against HubSpot's OpenAPI files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('HubSpot emulator fidelity', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });
  const create = async (type: string, properties: Record<string, string>) => {
    const res = await api('POST', `/crm/v3/objects/${type}`, { properties });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };

  before(async () => {
    env = await startContractSandbox();
    token = env.sandbox.info().portals[0].privateAppToken;
  });
  after(() => env.stop());

  describe('record ids that are not numbers', () => {
    it('GET and PATCH answer HubSpot\'s "objectId are usually numeric" 404 with the id in context', async () => {
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { properties: { firstname: 'X' } }],
      ] as const) {
        const res = await api(method, '/crm/v3/objects/contacts/3f0e9a4c-5b1d-4f7e-9a61-2b8c0d1e4f55', body);
        assert.equal(res.status, 404);
        assert.equal(res.body.category, 'OBJECT_NOT_FOUND');
        assert.equal(res.body.message, 'Object not found.  objectId are usually numeric.');
        assert.deepEqual(res.body.context, { id: ['3f0e9a4c-5b1d-4f7e-9a61-2b8c0d1e4f55'] });
      }
    });

    it('a numeric id that matches nothing, and an unknown idProperty value, keep the plain "resource not found"', async () => {
      const missing = await api('GET', '/crm/v3/objects/companies/987654321');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.message, 'resource not found');
      assert.equal(missing.body.context, undefined);
      const byEmail = await api('PATCH', '/crm/v3/objects/contacts/nobody@example.com?idProperty=email', { properties: { firstname: 'X' } });
      assert.equal(byEmail.status, 404);
      assert.equal(byEmail.body.message, 'resource not found');
    });
  });

  describe('property value errors', () => {
    it("repeat each problem in errors[] with its code and property name, as HubSpot's current answers do", async () => {
      const res = await api('POST', '/crm/v3/objects/contacts', { properties: { nope: '1', createdate: '2024-01-01', email: 'not-an-email' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.category, 'VALIDATION_ERROR');
      const embedded = JSON.parse(res.body.message.slice('Property values were not valid: '.length)) as Array<{ error: string; name: string; message: string }>;
      assert.deepEqual(
        res.body.errors,
        embedded.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
      );
      assert.deepEqual(res.body.errors.map((e: { code: string }) => e.code).sort(), ['INVALID_EMAIL', 'PROPERTY_DOESNT_EXIST', 'READ_ONLY_VALUE']);
      const missing = await api('POST', '/crm/v3/objects/notes', { properties: { hs_note_body: 'x' } });
      assert.deepEqual(missing.body.errors, [{ message: 'hs_timestamp is required', code: 'REQUIRED_PROPERTY', context: { propertyName: ['hs_timestamp'] } }]);
    });

    it("list an enumeration's allowed options the way HubSpot prints them", async () => {
      const res = await api('POST', '/crm/v3/objects/calls', { properties: { hs_timestamp: '2025-03-01T10:00:00Z', hs_call_direction: 'SIDEWAYS' } });
      assert.equal(res.status, 400);
      const [error] = res.body.errors;
      assert.equal(error.code, 'INVALID_OPTION');
      assert.match(
        error.message,
        /^SIDEWAYS was not one of the allowed options: \[label: "[^"]+"\nvalue: "INBOUND"\ndisplay_order: \d+\ndouble_data: 0\.0\nhidden: false\ndescription: "[^"]*"\nread_only: false\n, label: /,
      );
      assert.match(error.message, /value: "OUTBOUND"/);
    });
  });

  describe('associations v4 batch read', () => {
    it('lists an id without associations as NO_ASSOCIATIONS_FOUND, with the object types in context', async () => {
      const lonely = await create('deals', { dealname: 'No company yet' });
      const res = await api('POST', '/crm/v4/associations/deals/companies/batch/read', { inputs: [{ id: lonely }] });
      assert.equal(res.status, 207);
      assert.deepEqual(res.body.results, []);
      assert.equal(res.body.numErrors, 1);
      const [error] = res.body.errors;
      assert.equal(error.category, 'OBJECT_NOT_FOUND');
      assert.equal(error.subCategory, 'crm.associations.NO_ASSOCIATIONS_FOUND');
      assert.equal(error.message, `No company is associated with deal ${lonely}.`);
      assert.deepEqual(error.context, { fromObjectId: [lonely], fromObjectType: ['deal'], toObjectType: ['company'] });
    });
  });

  describe('association labels', () => {
    it("are served under /crm/v4/associations/{from}/{to}/labels (the v4 guide's path) as under the schema spec's path", async () => {
      const guide = await api('GET', '/crm/v4/associations/contacts/companies/labels');
      const spec = await api('GET', '/crm/associations/v4/contacts/companies/labels');
      assert.equal(guide.status, 200);
      assert.deepEqual(guide.body, spec.body);
      assert.ok(guide.body.results.some((r: { typeId: number; label: string | null }) => r.typeId === 1 && r.label === 'Primary'));
      const made = await api('POST', '/crm/v4/associations/contacts/companies/labels', { label: 'Billing contact', name: 'billing_contact' });
      assert.equal(made.status, 200);
      const after = await api('GET', '/crm/associations/v4/contacts/companies/labels');
      assert.ok(after.body.results.some((r: { category: string; label: string | null }) => r.category === 'USER_DEFINED' && r.label === 'Billing contact'));
    });
  });

  describe('OAuth token endpoint', () => {
    it('checks the client id first and names it "missing or unknown client id"', async () => {
      const res = await call(env.sandbox.url, 'POST', '/oauth/v1/token', { form: { grant_type: 'password', client_id: 'not-a-client', client_secret: 'x' } });
      assert.equal(res.status, 400);
      assert.deepEqual(
        [res.body.status, res.body.message, res.body.error, res.body.error_description],
        ['BAD_CLIENT_ID', 'missing or unknown client id', 'invalid_request', 'missing or unknown client id'],
      );
      const app = env.sandbox.registerApp({ name: 'Grant check', redirectUrls: ['http://localhost:4321/cb'], scopes: ['oauth'] });
      const grant = await call(env.sandbox.url, 'POST', '/oauth/v1/token', {
        form: { grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret },
      });
      assert.deepEqual([grant.status, grant.body.status], [400, 'BAD_GRANT_TYPE']);
    });

    it('answers 415 to a JSON body, on v1 and v3', async () => {
      const app = env.sandbox.registerApp({ name: 'JSON sender', redirectUrls: ['http://localhost:4321/cb'], scopes: ['oauth'] });
      for (const path of ['/oauth/v1/token', '/oauth/v3/token']) {
        const res = await call(env.sandbox.url, 'POST', path, {
          body: { grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: 'na1-x' },
        });
        assert.equal(res.status, 415, path);
        assert.match(res.body.message, /application\/x-www-form-urlencoded/);
      }
    });
  });

  describe('property definitions', () => {
    it('refuse a fieldType that does not go with the type, on create and on update', async () => {
      const bad = await api('POST', '/crm/v3/properties/contacts', {
        name: 'spokes_score',
        label: 'Score',
        type: 'number',
        fieldType: 'select',
        groupName: 'contactinformation',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.category, 'VALIDATION_ERROR');
      assert.match(bad.body.message, /fieldType select is not valid for a property of type number/);
      assert.equal((await api('GET', '/crm/v3/properties/contacts/spokes_score')).status, 404);

      for (const [type, fieldType, extra] of [
        ['bool', 'booleancheckbox', {}],
        ['datetime', 'date', {}],
        ['string', 'textarea', {}],
        ['number', 'number', {}],
        ['enumeration', 'radio', { options: [{ label: 'A', value: 'a' }] }],
      ] as const) {
        const ok = await api('POST', '/crm/v3/properties/contacts', {
          name: `spokes_${type}`,
          label: type,
          type,
          fieldType,
          groupName: 'contactinformation',
          ...extra,
        });
        assert.equal(ok.status, 201, ok.text);
      }
      const update = await api('PATCH', '/crm/v3/properties/contacts/spokes_string', { fieldType: 'number' });
      assert.equal(update.status, 400);
      assert.equal((await api('GET', '/crm/v3/properties/contacts/spokes_string')).body.fieldType, 'textarea');
    });
  });

  describe('associations v4 reads', () => {
    it('give toObjectId as a JSON number, as HubSpot does (a 2026 batch-read capture in amp-labs/connectors)', async () => {
      const contact = await create('contacts', { email: 'numeric-ids@example.com' });
      const company = await create('companies', { name: 'Numeric Ids Inc' });
      assert.equal((await api('PUT', `/crm/v4/objects/contacts/${contact}/associations/default/companies/${company}`)).status, 200);
      const page = await api('GET', `/crm/v4/objects/contacts/${contact}/associations/companies`);
      assert.deepEqual(
        page.body.results.map((r: { toObjectId: unknown }) => r.toObjectId),
        [Number(company)],
      );
      const batch = await api('POST', '/crm/v4/associations/contacts/companies/batch/read', { inputs: [{ id: contact }] });
      assert.deepEqual(
        batch.body.results[0].to.map((r: { toObjectId: unknown }) => r.toObjectId),
        [Number(company)],
      );
      assert.equal(batch.body.results[0].from.id, contact);
    });
  });

  describe('property definitions changing type', () => {
    it('are searched by their new type at once (PropertyUpdate takes type; enumerations are case-sensitive in search)', async () => {
      const made = await api('POST', '/crm/v3/properties/companies', {
        name: 'spokes_tier',
        label: 'Tier',
        type: 'string',
        fieldType: 'text',
        groupName: 'companyinformation',
      });
      assert.equal(made.status, 201, made.text);
      const gold = await create('companies', { name: 'Tiered', spokes_tier: 'Gold' });
      const tier = async (value: string) =>
        (
          await api('POST', '/crm/v3/objects/companies/search', { filterGroups: [{ filters: [{ propertyName: 'spokes_tier', operator: 'EQ', value }] }] })
        ).body.results.map((r: { id: string }) => r.id);
      assert.deepEqual(await tier('gold'), [gold]);
      const changed = await api('PATCH', '/crm/v3/properties/companies/spokes_tier', {
        type: 'enumeration',
        fieldType: 'select',
        options: [{ label: 'Gold', value: 'Gold' }],
      });
      assert.equal(changed.status, 200, changed.text);
      assert.deepEqual(await tier('gold'), []);
      assert.deepEqual(await tier('Gold'), [gold]);
    });
  });

  describe('record urls', () => {
    it('search and batch answers give each record a url to its record page, as captured HubSpot answers do (amp-labs/connectors)', async () => {
      const batch = await api('POST', '/crm/v3/objects/contacts/batch/create', { inputs: [{ properties: { email: 'with-url@example.com' } }] });
      const [created] = batch.body.results;
      const portalId = env.sandbox.info().portals[0].portalId;
      assert.equal(created.url, `${env.sandbox.url}/contacts/${portalId}/record/0-1/${created.id}`);
      const found = await api('POST', '/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'with-url@example.com' }] }],
      });
      assert.equal(found.body.results[0].url, created.url);
      const page = await fetch(created.url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /with-url@example\.com/);
      const call = await api('POST', '/crm/v3/objects/calls', { properties: { hs_timestamp: '2025-03-01T10:00:00Z' } });
      assert.equal(call.body.url, undefined);
    });
  });

  describe('headers the OpenAPI files declare', () => {
    it('201s of property groups and labelled associations carry Location (the harness now checks every declared header)', async () => {
      const group = await api('POST', '/crm/v3/properties/contacts/groups', { name: 'spokes_located', label: 'Located' });
      assert.equal(group.status, 201);
      const where = group.headers.get('location')!;
      assert.ok(where.startsWith(env.sandbox.url), where);
      assert.equal((await api('GET', where.slice(env.sandbox.url.length))).body.name, 'spokes_located');
      const contact = await create('contacts', { email: 'located@example.com' });
      const company = await create('companies', { name: 'Located Inc' });
      const labelled = await api('PUT', `/crm/v4/objects/contacts/${contact}/associations/companies/${company}`, [
        { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
      ]);
      assert.equal(labelled.status, 201);
      assert.ok(labelled.headers.get('location'));
    });
  });
});
