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

    const read = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: ids.map((id: string) => ({ id })),
      properties: ['firstname'],
      propertiesWithHistory: [],
    });
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.results.map((r: { properties: { firstname: string } }) => r.properties.firstname).sort(), ['B1', 'B2', 'B3']);

    const byEmail = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      idProperty: 'email',
      inputs: [{ id: 'BATCH1@example.com' }],
      properties: [],
      propertiesWithHistory: [],
    });
    assert.equal(byEmail.body.results[0].id, ids[0]);

    const updated = await api('POST', '/crm/v3/objects/contacts/batch/update', {
      inputs: [
        { id: ids[0], properties: { lastname: 'One' } },
        { id: 'batch2@example.com', idProperty: 'email', properties: { lastname: 'Two' } },
      ],
    });
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
    const read = await api('POST', '/crm/v3/objects/companies/batch/read', {
      inputs: [{ id: one.body.id }, { id: '123' }],
      properties: [],
      propertiesWithHistory: [],
    });
    assert.equal(read.status, 207);
    assert.equal(read.body.numErrors, 1);
    assert.equal(read.body.errors[0].category, 'OBJECT_NOT_FOUND');
    assert.deepEqual(read.body.errors[0].context.ids, ['123']);
    assert.equal(read.body.results.length, 1);
  });

  it("refuses more than 100 inputs with HubSpot's message", async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ properties: { email: `many${i}@example.com` } }));
    for (const action of ['create', 'update', 'upsert', 'archive', 'read']) {
      const response = await api('POST', `/crm/v3/objects/contacts/batch/${action}`, { inputs, properties: [], propertiesWithHistory: [] });
      assert.equal(response.status, 400, action);
      assert.equal(response.body.message, 'The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again');
      assert.equal(response.body.category, 'VALIDATION_ERROR');
    }
    const history = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: Array.from({ length: 51 }, (_, i) => ({ id: String(i) })),
      properties: [],
      propertiesWithHistory: ['email'],
    });
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
    const dupIds = await api('POST', '/crm/v3/objects/contacts/batch/update', {
      inputs: [
        { id: '1', properties: {} },
        { id: '1', properties: {} },
      ],
    });
    assert.equal(dupIds.status, 400);
    assert.match(dupIds.body.message, /Duplicate IDs found in batch input/);
    const dupEmails = await api('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [{ properties: { email: 'twice@example.com' } }, { properties: { email: 'TWICE@example.com' } }],
    });
    assert.equal(dupEmails.status, 400);
  });

  describe("errors as HubSpot's captured answers show them (amp-labs/connectors, providers/hubspot/test/batch/)", () => {
    it('a traced batch create with a taken e-mail answers 207, the CONFLICT carrying objectWriteTraceId and existingId (create/contacts/err-partial-success.json)', async () => {
      const taken = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'taken@capture.example' } });
      const res = await api('POST', '/crm/v3/objects/contacts/batch/create', {
        inputs: [
          { objectWriteTraceId: '0', properties: { email: 'taken@capture.example' } },
          { objectWriteTraceId: '1', properties: { email: 'fresh@capture.example' } },
        ],
      });
      assert.equal(res.status, 207);
      assert.equal(res.body.numErrors, 1);
      const [error] = res.body.errors;
      assert.equal(error.category, 'CONFLICT');
      assert.equal(error.message, `Contact already exists. Existing ID: ${taken.body.id}`);
      assert.deepEqual(error.context, { objectWriteTraceId: ['0'], existingId: [taken.body.id] });
      assert.deepEqual(
        res.body.results.map((r: { objectWriteTraceId: string }) => r.objectWriteTraceId),
        ['1'],
      );
    });

    it('an untraced batch create with a taken e-mail fails whole with the 409 (hubspot-api-python #51)', async () => {
      const before = (await api('POST', '/crm/v3/objects/contacts/search', { limit: 0 })).body.total;
      const res = await api('POST', '/crm/v3/objects/contacts/batch/create', {
        inputs: [{ properties: { email: 'new-one@capture.example' } }, { properties: { email: 'taken@capture.example' } }],
      });
      assert.equal(res.status, 409);
      assert.equal(res.body.category, 'CONFLICT');
      assert.match(res.body.message, /^Contact already exists\. Existing ID: \d+$/);
      assert.equal((await api('POST', '/crm/v3/objects/contacts/search', { limit: 0 })).body.total, before);
    });

    it('a batch update with an unknown id answers 207 OBJECT_NOT_FOUND "Could not get some CONTACT objects…", a non-numeric id listed as "" (update/contacts/err-partial-success.json)', async () => {
      const known = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'known@capture.example' } });
      const res = await api('POST', '/crm/v3/objects/contacts/batch/update', {
        inputs: [
          { id: 'unknownIdentifier888', properties: { lastname: 'X' } },
          { id: '999999999', properties: { lastname: 'Y' } },
          { id: known.body.id, properties: { lastname: 'Known' } },
        ],
      });
      assert.equal(res.status, 207);
      assert.deepEqual(
        res.body.results.map((r: { id: string; properties: { lastname: string } }) => [r.id, r.properties.lastname]),
        [[known.body.id, 'Known']],
      );
      const [error] = res.body.errors;
      assert.equal(error.category, 'OBJECT_NOT_FOUND');
      assert.equal(error.message, 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.');
      assert.deepEqual(error.context.ids, ['', '999999999']);
      const companies = await api('POST', '/crm/v3/objects/companies/batch/update', { inputs: [{ id: '1', properties: { name: 'Z' } }] });
      assert.equal(companies.body.errors[0].message, 'Could not get some COMPANY objects, they may be deleted or not exist. Check that ids are valid.');
    });

    it('a batch update with a repeated id answers 400 naming it in the message and in context.ids (update/contacts/err-duplicate-ids.json)', async () => {
      const res = await api('POST', '/crm/v3/objects/contacts/batch/update', {
        inputs: [
          { id: '123456', properties: {} },
          { id: '123456', properties: {} },
        ],
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.category, 'VALIDATION_ERROR');
      assert.equal(res.body.message, 'Duplicate IDs found in batch input: [123456]. IDs must be unique');
      assert.deepEqual(res.body.context, { ids: ['123456'] });
    });

    it("bad values in several inputs answer one 400 listing every input's problems, nothing written (create and update err-many-invalid-properties.json)", async () => {
      const create = await api('POST', '/crm/v3/objects/contacts/batch/create', {
        inputs: [{ properties: { first000name: 'A', email: 'a@many.example' } }, { properties: { last000name: 'B', email: 'b@many.example' } }],
      });
      assert.equal(create.status, 400);
      assert.deepEqual(
        create.body.errors.map((e: { context: { propertyName: string[] } }) => e.context.propertyName[0]),
        ['first000name', 'last000name'],
      );
      assert.match(create.body.message, /^Property values were not valid: \[.*first000name.*last000name.*\]$/);
      assert.equal(
        (
          await api('POST', '/crm/v3/objects/contacts/search', {
            filterGroups: [{ filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@many.example' }] }],
          })
        ).body.total,
        0,
      );
      const one = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'c@many.example', firstname: 'C' } });
      const two = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'd@many.example', firstname: 'D' } });
      const update = await api('POST', '/crm/v3/objects/contacts/batch/update', {
        inputs: [
          { id: one.body.id, properties: { first000name: 'X' } },
          { id: two.body.id, properties: { firstname: 'Changed', last000name: 'Y' } },
        ],
      });
      assert.equal(update.status, 400);
      assert.deepEqual(
        update.body.errors.map((e: { code: string; context: { propertyName: string[] } }) => [e.code, e.context.propertyName[0]]),
        [
          ['PROPERTY_DOESNT_EXIST', 'first000name'],
          ['PROPERTY_DOESNT_EXIST', 'last000name'],
        ],
      );
      assert.equal((await api('GET', `/crm/v3/objects/contacts/${two.body.id}?properties=firstname`)).body.properties.firstname, 'D');
    });

    it('a fully successful batch update answers 200, never 204 (changelog "Simplifying batch update response codes for CRM v3 APIs")', async () => {
      const one = await api('POST', '/crm/v3/objects/deals', { properties: { dealname: 'Two hundred' } });
      const res = await api('POST', '/crm/v3/objects/deals/batch/update', { inputs: [{ id: one.body.id, properties: { amount: '200' } }] });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'COMPLETE');
      assert.equal(res.body.numErrors, undefined);
    });
  });
});
