import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox batch endpoints', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });

  before(async () => {
    env = await startContractSandbox();
    token = env.sandbox.info().portals[0].privateAppToken;
  });
  after(() => env.stop());

  it('creates, reads, updates, upserts and archives in batches', async () => {
    const created = await api('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [1, 2, 3].map((n) => ({ properties: { email: `batch${n}@example.com`, firstname: `B${n}` }, associations: [] })),
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'COMPLETE');
    assert.equal(created.body.results.length, 3);
    const ids = created.body.results.map((r: { id: string }) => r.id);

    const read = await api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: ids.map((id: string) => ({ id })), properties: ['firstname'], propertiesWithHistory: [] });
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.results.map((r: { properties: { firstname: string } }) => r.properties.firstname).sort(), ['B1', 'B2', 'B3']);

    const byEmail = await api('POST', '/crm/v3/objects/contacts/batch/read', { idProperty: 'email', inputs: [{ id: 'BATCH1@example.com' }], properties: [], propertiesWithHistory: [] });
    assert.equal(byEmail.body.results[0].id, ids[0]);

    const updated = await api('POST', '/crm/v3/objects/contacts/batch/update', { inputs: [{ id: ids[0], properties: { lastname: 'One' } }, { id: 'batch2@example.com', idProperty: 'email', properties: { lastname: 'Two' } }] });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.results.map((r: { properties: { lastname: string } }) => r.properties.lastname).sort(), ['One', 'Two']);

    const upserted = await api('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [
        { id: 'batch3@example.com', idProperty: 'email', properties: { lastname: 'Three' } },
        { id: 'brand.new@example.com', idProperty: 'email', properties: { firstname: 'New' } },
      ],
    });
    assert.equal(upserted.status, 200);
    const flags = Object.fromEntries(upserted.body.results.map((r: { properties: { email: string }; new: boolean }) => [r.properties.email, r.new]));
    assert.deepEqual(flags, { 'batch3@example.com': false, 'brand.new@example.com': true });

    assert.equal((await api('POST', '/crm/v3/objects/contacts/batch/archive', { inputs: [{ id: ids[1] }] })).status, 204);
    assert.equal((await api('GET', `/crm/v3/objects/contacts/${ids[1]}`)).status, 404);
  });

  it('answers 207 with OBJECT_NOT_FOUND for unknown ids in a batch read', async () => {
    const one = await api('POST', '/crm/v3/objects/companies', { properties: { name: 'Initech' } });
    const read = await api('POST', '/crm/v3/objects/companies/batch/read', { inputs: [{ id: one.body.id }, { id: '123' }], properties: [], propertiesWithHistory: [] });
    assert.equal(read.status, 207);
    assert.equal(read.body.numErrors, 1);
    assert.equal(read.body.errors[0].category, 'OBJECT_NOT_FOUND');
    assert.deepEqual(read.body.errors[0].context.ids, ['123']);
    assert.equal(read.body.results.length, 1);
  });

  it('refuses more than 100 inputs with HubSpot\'s message', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ properties: { email: `many${i}@example.com` } }));
    for (const action of ['create', 'update', 'upsert', 'archive', 'read']) {
      const response = await api('POST', `/crm/v3/objects/contacts/batch/${action}`, { inputs, properties: [], propertiesWithHistory: [] });
      assert.equal(response.status, 400, action);
      assert.equal(response.body.message, 'The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again');
      assert.equal(response.body.category, 'VALIDATION_ERROR');
    }
    const history = await api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: Array.from({ length: 51 }, (_, i) => ({ id: String(i) })), properties: [], propertiesWithHistory: ['email'] });
    assert.equal(history.status, 400);
    assert.match(history.body.message, /property histories is 50/);
  });

  it('fails a whole batch on one bad input, unless every input has its own objectWriteTraceId', async () => {
    const before = (await api('POST', '/crm/v3/objects/deals/search', { limit: 0 })).body.total;
    const inputs = [{ properties: { dealname: 'Good' } }, { properties: { dealname: 'Bad', amount: 'x' } }];
    const whole = await api('POST', '/crm/v3/objects/deals/batch/create', { inputs });
    assert.equal(whole.status, 400);
    assert.equal((await api('POST', '/crm/v3/objects/deals/search', { limit: 0 })).body.total, before);

    const traced = await api('POST', '/crm/v3/objects/deals/batch/create', { inputs: inputs.map((input, i) => ({ ...input, objectWriteTraceId: `t${i}` })) });
    assert.equal(traced.status, 207);
    assert.equal(traced.body.results.length, 1);
    assert.equal(traced.body.results[0].objectWriteTraceId, 't0');
    assert.deepEqual(traced.body.errors[0].context.objectWriteTraceId, ['t1']);
    assert.equal(traced.body.errors[0].category, 'VALIDATION_ERROR');
  });

  it('rejects duplicate ids and duplicate e-mails inside one batch', async () => {
    const dupIds = await api('POST', '/crm/v3/objects/contacts/batch/update', { inputs: [{ id: '1', properties: {} }, { id: '1', properties: {} }] });
    assert.equal(dupIds.status, 400);
    assert.match(dupIds.body.message, /Duplicate IDs found in batch input/);
    const dupEmails = await api('POST', '/crm/v3/objects/contacts/batch/create', { inputs: [{ properties: { email: 'twice@example.com' } }, { properties: { email: 'TWICE@example.com' } }] });
    assert.equal(dupEmails.status, 400);
  });
});
