import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox associations v4', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });
  const create = async (type: string, properties: Record<string, string>, associations: unknown[] = []) =>
    (await api('POST', `/crm/v3/objects/${type}`, { properties, associations })).body.id as string;
  const typesBetween = async (from: string, id: string, to: string) => {
    const page = await api('GET', `/crm/v4/objects/${from}/${id}/associations/${to}`);
    return Object.fromEntries(
      page.body.results.map((r: { toObjectId: string; associationTypes: Array<{ typeId: number }> }) => [
        r.toObjectId,
        r.associationTypes.map((t) => t.typeId).sort((a, b) => a - b),
      ]),
    );
  };

  before(async () => {
    env = await startContractSandbox();
    token = env.sandbox.info().portals[0].privateAppToken;
  });
  after(() => env.stop());

  it('creates default associations, readable from both sides', async () => {
    const contact = await create('contacts', { email: 'assoc1@example.com' });
    const company = await create('companies', { name: 'Umbrella' });
    const made = await api('PUT', `/crm/v4/objects/contact/${contact}/associations/default/company/${company}`);
    assert.equal(made.status, 200);
    assert.deepEqual(made.body.results.map((r: { associationSpec: { associationTypeId: number } }) => r.associationSpec.associationTypeId).sort(), [279, 280]);
    assert.deepEqual(await typesBetween('contacts', contact, 'companies'), { [company]: [279] });
    assert.deepEqual(await typesBetween('companies', company, 'contacts'), { [contact]: [280] });
    assert.equal((await api('DELETE', `/crm/v4/objects/contacts/${contact}/associations/companies/${company}`)).status, 204);
    assert.deepEqual(await typesBetween('companies', company, 'contacts'), {});
  });

  it('keeps one primary company per contact and maintains associatedcompanyid', async () => {
    const contact = await create('contacts', { email: 'primary@example.com' });
    const first = await create('companies', { name: 'First Co' });
    const second = await create('companies', { name: 'Second Co' });
    const labelled = await api('PUT', `/crm/v4/objects/contacts/${contact}/associations/companies/${first}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
    ]);
    assert.equal(labelled.status, 201);
    assert.deepEqual(labelled.body.labels, ['Primary']);
    assert.deepEqual(await typesBetween('contacts', contact, 'companies'), { [first]: [1, 279] });
    await api('PUT', `/crm/v4/objects/0-1/${contact}/associations/0-2/${second}`, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }]);
    assert.deepEqual(await typesBetween('contacts', contact, 'companies'), { [first]: [279], [second]: [1, 279] });
    assert.deepEqual(await typesBetween('companies', second, 'contacts'), { [contact]: [2, 280] });
    const read = await api('GET', `/crm/v3/objects/contacts/${contact}?properties=associatedcompanyid&associations=companies`);
    assert.equal(read.body.properties.associatedcompanyid, second);
    assert.deepEqual(
      read.body.associations.companies.results
        .filter((r: { id: string }) => r.id === second)
        .map((r: { type: string }) => r.type)
        .sort(),
      ['contact_to_company', 'contact_to_company_unlabeled'],
    );
  });

  it('associates engagements inline on create with HUBSPOT_DEFINED type ids', async () => {
    const contact = await create('contacts', { email: 'inline@example.com' });
    const company = await create('companies', { name: 'Inline Co' });
    const call_ = await create('calls', { hs_timestamp: '2025-03-01T10:00:00Z', hs_call_title: 'Intro' }, [
      { to: { id: contact }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }] },
      { to: { id: company }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 182 }] },
    ]);
    assert.deepEqual(await typesBetween('calls', call_, 'contacts'), { [contact]: [194] });
    assert.deepEqual(await typesBetween('contacts', contact, 'calls'), { [call_]: [193] });
    assert.deepEqual(await typesBetween('companies', company, 'calls'), { [call_]: [181] });
    const bad = await api('POST', '/crm/v3/objects/notes', {
      properties: { hs_timestamp: '1700000000000' },
      associations: [{ to: { id: '999999' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
    });
    assert.equal(bad.status, 400);
    const wrongType = await api('POST', '/crm/v3/objects/notes', {
      properties: { hs_timestamp: '1700000000000' },
      associations: [{ to: { id: contact }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }] }],
    });
    assert.equal(wrongType.status, 400);
  });

  it('creates, reads and archives in batches', async () => {
    const contacts = [
      await create('contacts', { email: 'b1@example.com' }),
      await create('contacts', { email: 'b2@example.com' }),
      await create('contacts', { email: 'b3@example.com' }),
    ];
    const deal = await create('deals', { dealname: 'Batch deal' });
    const created = await api('POST', '/crm/v4/associations/deals/contacts/batch/create', {
      inputs: contacts.slice(0, 2).map((id) => ({ from: { id: deal }, to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] })),
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.results.length, 2);
    const defaults = await api('POST', '/crm/v4/associations/contacts/deals/batch/associate/default', {
      inputs: [{ from: { id: contacts[2] }, to: { id: deal } }],
    });
    assert.equal(defaults.status, 200);
    const read = await api('POST', '/crm/v4/associations/contacts/deals/batch/read', { inputs: [...contacts.map((id) => ({ id })), { id: '424242' }] });
    assert.equal(read.status, 207);
    assert.equal(read.body.results.length, 3);
    assert.equal(read.body.results[0].to[0].associationTypes[0].typeId, 4);
    assert.equal(read.body.errors[0].category, 'OBJECT_NOT_FOUND');
    assert.equal(
      (await api('POST', '/crm/v4/associations/deals/contacts/batch/archive', { inputs: [{ from: { id: deal }, to: [{ id: contacts[0] }] }] })).status,
      204,
    );
    assert.deepEqual(Object.keys(await typesBetween('deals', deal, 'contacts')).sort(), [contacts[1], contacts[2]].sort());
    const labels = await api('GET', '/crm/associations/v4/contacts/companies/labels');
    assert.ok(labels.body.results.some((l: { typeId: number; label: string | null }) => l.typeId === 1 && l.label === 'Primary'));
  });

  it('supports user-defined labels', async () => {
    const made = await api('POST', '/crm/associations/v4/contacts/contacts/labels', { label: 'Manager', name: 'manager', inverseLabel: 'Report' });
    assert.equal(made.status, 200);
    const typeId = made.body.results[0].typeId;
    const boss = await create('contacts', { email: 'boss@example.com' });
    const report = await create('contacts', { email: 'report@example.com' });
    const linked = await api('PUT', `/crm/v4/objects/contacts/${boss}/associations/contacts/${report}`, [
      { associationCategory: 'USER_DEFINED', associationTypeId: typeId },
    ]);
    assert.deepEqual(linked.body.labels, ['Manager']);
    const back = await api('GET', `/crm/v4/objects/contacts/${report}/associations/contacts`);
    assert.deepEqual(back.body.results[0].associationTypes.map((t: { label: string | null }) => t.label).sort(), ['Report', null].sort());
  });
});
