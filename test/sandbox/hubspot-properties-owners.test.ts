import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, installApp, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox properties and owners', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });

  before(async () => {
    env = await startContractSandbox({ seed: { contacts: 0, companies: 0, owners: 4, seed: 11 } });
    token = (await installApp(env.sandbox)).accessToken;
  });
  after(() => env.stop());

  it('defines the engagement properties with their real types and options', async () => {
    const expectations: Array<[string, string, string, string[] | undefined]> = [
      ['calls', 'hs_call_direction', 'enumeration', ['INBOUND', 'OUTBOUND']],
      [
        'calls',
        'hs_call_status',
        'enumeration',
        [
          'BUSY',
          'CALLING_CRM_USER',
          'CANCELED',
          'COMPLETED',
          'CONNECTING',
          'FAILED',
          'HOLD',
          'IN_PROGRESS',
          'MISSED',
          'NO_ANSWER',
          'QUEUED',
          'RINGING',
          'UNKNOWN',
        ],
      ],
      ['calls', 'hs_call_duration', 'number', undefined],
      ['calls', 'hs_timestamp', 'datetime', undefined],
      ['meetings', 'hs_meeting_outcome', 'enumeration', ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED']],
      ['tasks', 'hs_task_status', 'enumeration', ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED']],
      ['tasks', 'hs_task_priority', 'enumeration', ['NONE', 'LOW', 'MEDIUM', 'HIGH']],
      ['notes', 'hs_note_body', 'string', undefined],
    ];
    for (const [type, name, kind, options] of expectations) {
      const property = await api('GET', `/crm/v3/properties/${type}/${name}`);
      assert.equal(property.status, 200, `${type}.${name}`);
      assert.equal(property.body.type, kind);
      if (options)
        assert.deepEqual(
          property.body.options.map((o: { value: string }) => o.value),
          options,
        );
    }
    const dispositions = await api('GET', '/crm/v3/properties/calls/hs_call_disposition');
    assert.ok(
      dispositions.body.options.some((o: { label: string; value: string }) => o.label === 'Connected' && o.value === 'f240bbac-87c9-4f6e-bf70-924b57d47db7'),
    );
    const list = await api('GET', '/crm/v3/properties/contacts');
    const names = list.body.results.map((p: { name: string }) => p.name);
    for (const name of ['email', 'phone', 'hs_calculated_phone_number', 'hs_searchable_calculated_mobile_number', 'lastmodifieddate', 'hubspot_owner_id'])
      assert.ok(names.includes(name), name);
    assert.equal((await api('GET', '/crm/v3/properties/contacts/nope')).status, 404);
  });

  it('creates custom properties and groups, validates their values, and archives them', async () => {
    const group = await api('POST', '/crm/v3/properties/contacts/groups', { name: 'spokes', label: 'Spokes' });
    assert.equal(group.status, 201);
    const created = await api('POST', '/crm/v3/properties/contacts', {
      name: 'spokes_tier',
      label: 'Tier',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'spokes',
      options: [
        { label: 'Gold', value: 'gold', hidden: false },
        { label: 'Silver', value: 'silver', hidden: false },
      ],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.hubspotDefined, false);
    assert.equal(
      (await api('POST', '/crm/v3/properties/contacts', { name: 'spokes_tier', label: 'x', type: 'string', fieldType: 'text', groupName: 'spokes' })).status,
      409,
    );
    assert.equal(
      (await api('POST', '/crm/v3/properties/contacts', { name: 'Bad Name', label: 'x', type: 'string', fieldType: 'text', groupName: 'spokes' })).status,
      400,
    );
    assert.equal((await api('POST', '/crm/v3/objects/contacts', { properties: { spokes_tier: 'gold' } })).status, 201);
    const wrong = await api('POST', '/crm/v3/objects/contacts', { properties: { spokes_tier: 'bronze' } });
    assert.deepEqual(
      wrong.body.errors.map((e: { code: string; message: string }) => [
        e.code,
        /^bronze was not one of the allowed options: \[label: "Gold"\nvalue: "gold"\n/.test(e.message),
      ]),
      [['INVALID_OPTION', true]],
    );
    const batch = await api('POST', '/crm/v3/properties/contacts/batch/read', { inputs: [{ name: 'spokes_tier' }, { name: 'email' }], archived: false });
    assert.equal(batch.body.results.length, 2);
    assert.equal((await api('DELETE', '/crm/v3/properties/contacts/spokes_tier')).status, 204);
    assert.equal((await api('GET', '/crm/v3/properties/contacts/spokes_tier')).status, 404);
    assert.equal((await api('GET', '/crm/v3/properties/contacts/spokes_tier?archived=true')).body.archived, true);
    assert.equal((await api('DELETE', '/crm/v3/properties/contacts/email')).status, 400);
    const groups = await api('GET', '/crm/v3/properties/contacts/groups');
    assert.ok(groups.body.results.some((g: { name: string }) => g.name === 'spokes'));
  });

  it('lists owners with e-mails, filters by e-mail, pages, and finds them by userId', async () => {
    const all = await api('GET', '/crm/v3/owners');
    assert.equal(all.status, 200);
    assert.ok(all.body.results.length >= 5);
    for (const owner of all.body.results) {
      assert.match(owner.email, /@/);
      assert.notEqual(owner.id, String(owner.userId));
      assert.equal(owner.type, 'PERSON');
    }
    const target = all.body.results[2];
    const byEmail = await api('GET', `/crm/v3/owners?email=${encodeURIComponent(target.email.toUpperCase())}`);
    assert.deepEqual(
      byEmail.body.results.map((o: { id: string }) => o.id),
      [target.id],
    );
    const first = await api('GET', '/crm/v3/owners?limit=2');
    assert.equal(first.body.results.length, 2);
    const second = await api('GET', `/crm/v3/owners?limit=2&after=${first.body.paging.next.after}`);
    assert.notEqual(second.body.results[0].id, first.body.results[0].id);
    const byUser = await api('GET', `/crm/v3/owners/${target.userId}?idProperty=userId`);
    assert.equal(byUser.body.id, target.id);
    assert.equal((await api('GET', `/crm/v3/owners/${target.id}`)).body.email, target.email);
    assert.equal((await api('GET', `/crm/v3/owners/${target.userId}`)).status, 404);
  });
});
