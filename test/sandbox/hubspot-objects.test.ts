import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, installApp, startContractSandbox, type ContractSandbox, type InstalledApp } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox CRM objects', () => {
  let env: ContractSandbox;
  let base: string;
  let app: InstalledApp;
  const api = (method: string, path: string, body?: unknown) => call(base, method, path, { token: app.accessToken, body });

  before(async () => {
    env = await startContractSandbox({ seed: { contacts: 3, companies: 2, owners: 2, seed: 5 }, limits: { tenSecondly: 10_000 } });
    base = env.sandbox.url;
    app = await installApp(env.sandbox);
  });
  after(() => env.stop());

  it('creates, reads, updates and archives a contact with strings everywhere', async () => {
    const created = await api('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'Ana.Diaz@Acme.example', firstname: 'Ana', lastname: 'Díaz', hubspot_owner_id: await ownerId() },
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    assert.match(id, /^\d+$/);
    assert.equal(created.body.properties.email, 'ana.diaz@acme.example');
    assert.equal(created.body.properties.hs_object_id, id);
    assert.equal(created.body.properties.createdate, created.body.properties.lastmodifieddate);
    assert.equal(created.body.archived, false);

    env.sandbox.advanceClock(1500);
    const updated = await api('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { lastname: 'Díaz Ruiz', jobtitle: 'CTO' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.properties.lastname, 'Díaz Ruiz');
    assert.ok(Date.parse(updated.body.updatedAt) > Date.parse(updated.body.createdAt));
    assert.equal(updated.body.properties.lastmodifieddate, new Date(Date.parse(updated.body.updatedAt)).toISOString().replace('.000Z', 'Z'));

    const read = await api('GET', `/crm/v3/objects/contacts/${id}?properties=jobtitle,nonexistent,phone`);
    assert.deepEqual(Object.keys(read.body.properties).sort(), ['createdate', 'hs_object_id', 'jobtitle', 'lastmodifieddate', 'phone']);
    assert.equal(read.body.properties.phone, null);
    for (const value of Object.values(read.body.properties)) assert.ok(value === null || typeof value === 'string');

    const history = await api('GET', `/crm/v3/objects/contacts/${id}?propertiesWithHistory=lastname`);
    assert.deepEqual(
      history.body.propertiesWithHistory.lastname.map((h: { value: string }) => h.value),
      ['Díaz Ruiz', 'Díaz'],
    );

    const byEmail = await api('GET', `/crm/v3/objects/contacts/ANA.DIAZ@acme.example?idProperty=email`);
    assert.equal(byEmail.body.id, id);

    assert.equal((await api('DELETE', `/crm/v3/objects/contacts/${id}`)).status, 204);
    const gone = await api('GET', `/crm/v3/objects/contacts/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.category, 'OBJECT_NOT_FOUND');
    assert.ok(gone.body.correlationId);
    const archived = await api('GET', `/crm/v3/objects/contacts/${id}?archived=true`);
    assert.equal(archived.body.archived, true);
    assert.ok(archived.body.archivedAt);
    assert.equal((await api('DELETE', '/crm/v3/objects/contacts/999999999')).status, 204);

    const forgotten = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'forget.me@example.com' } });
    assert.equal((await api('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: 'forget.me@example.com', idProperty: 'email' })).status, 204);
    assert.equal((await api('GET', `/crm/v3/objects/contacts/${forgotten.body.id}?archived=true`)).status, 404);
    assert.equal((await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'forget.me@example.com' } })).status, 201);
  });

  it('keeps contact e-mails unique, ignoring case, with the 409 body', async () => {
    const first = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'dup@example.com' } });
    const second = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'DUP@Example.com' } });
    assert.equal(second.status, 409);
    assert.equal(second.body.category, 'CONFLICT');
    assert.equal(second.body.message, `Contact already exists. Existing ID: ${first.body.id}`);
    const other = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'other@example.com' } });
    const clash = await api('PATCH', `/crm/v3/objects/contacts/${other.body.id}`, { properties: { email: 'Dup@example.com' } });
    assert.equal(clash.status, 409);
  });

  it('rejects invalid values with one VALIDATION_ERROR listing each property', async () => {
    const bad = await api('POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'x', amount: 'lots', dealstage: 'closedwonish', closedate: 'next week', hs_object_id: '5', bogus: 'y' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.category, 'VALIDATION_ERROR');
    assert.match(bad.body.message, /^Property values were not valid: \[/);
    const problems = JSON.parse(bad.body.message.slice('Property values were not valid: '.length));
    assert.deepEqual(problems.map((p: { name: string; error: string }) => [p.name, p.error]).sort(), [
      ['amount', 'INVALID_LONG'],
      ['bogus', 'PROPERTY_DOESNT_EXIST'],
      ['closedate', 'INVALID_DATETIME'],
      ['dealstage', 'INVALID_OPTION'],
      ['hs_object_id', 'READ_ONLY_VALUE'],
    ]);
    const contact = await api('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'not-an-email', date_of_birth: '1990-01-01T10:00:00Z', hs_is_unworked: 'yes' },
    });
    const errors = JSON.parse(contact.body.message.slice('Property values were not valid: '.length))
      .map((p: { error: string }) => p.error)
      .sort();
    assert.deepEqual(errors, ['INVALID_DATE', 'INVALID_EMAIL', 'READ_ONLY_VALUE']);
    const owner = await api('POST', '/crm/v3/objects/contacts', { properties: { hubspot_owner_id: '12' } });
    assert.match(owner.body.message, /INVALID_OWNER_ID/);
  });

  it('accepts numbers, booleans, ms and ISO dates, and clears values with an empty string', async () => {
    const created = await api('POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Pilot', amount: 1500, closedate: '1767225600000', pipeline: 'default', dealstage: 'qualifiedtobuy' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.properties.amount, '1500');
    assert.equal(created.body.properties.closedate, '2026-01-01T00:00:00Z');
    const cleared = await api('PATCH', `/crm/v3/objects/deals/${created.body.id}`, { properties: { amount: '' } });
    assert.equal(cleared.body.properties.amount, undefined);
    const read = await api('GET', `/crm/v3/objects/deals/${created.body.id}?properties=amount`);
    assert.equal(read.body.properties.amount, null);
    const dob = await api('POST', '/crm/v3/objects/contacts', { properties: { date_of_birth: '1990-05-17' } });
    assert.equal(dob.body.properties.date_of_birth, '1990-05-17');
  });

  it('derives the calculated phone properties with libphonenumber', async () => {
    const cases: Array<[Record<string, string>, Record<string, string | undefined>]> = [
      [
        { phone: '(415) 555-0123 ext. 12' },
        { hs_calculated_phone_number: '+14155550123', hs_searchable_calculated_phone_number: '4155550123', hs_calculated_phone_number_country_code: 'US' },
      ],
      [
        { phone: '030 1234567', country: 'Germany' },
        {
          hs_calculated_phone_number: '+49301234567',
          hs_searchable_calculated_phone_number: '301234567',
          hs_searchable_calculated_international_phone_number: '49301234567',
        },
      ],
      [
        { phone: '0033 1 23 45 67 89', mobilephone: '+81 90-1234-5678' },
        {
          hs_calculated_phone_number: '+33123456789',
          hs_calculated_mobile_number: '+819012345678',
          hs_searchable_calculated_mobile_number: '9012345678',
          hs_calculated_mobile_number_country_code: 'JP',
        },
      ],
      [{ phone: '00004' }, { hs_searchable_calculated_phone_number: '4', hs_calculated_phone_number: undefined }],
    ];
    for (const [input, expected] of cases) {
      const created = await api('POST', '/crm/v3/objects/contacts', { properties: input });
      for (const [name, value] of Object.entries(expected)) assert.equal(created.body.properties[name], value, `${JSON.stringify(input)} ${name}`);
    }
    const company = await api('POST', '/crm/v3/objects/companies', { properties: { name: 'Globex', phone: '+44 20 7946 0958' } });
    assert.equal(company.body.properties.hs_searchable_calculated_phone_number, '2079460958');
    const writeCalculated = await api('POST', '/crm/v3/objects/contacts', { properties: { hs_calculated_phone_number: '+1' } });
    assert.equal(writeCalculated.status, 400);
  });

  it('handles calls, meetings, tasks and notes with their enumerations and required hs_timestamp', async () => {
    const bodies: Array<[string, Record<string, string>]> = [
      [
        'calls',
        {
          hs_timestamp: '2025-03-01T10:00:00Z',
          hs_call_title: 'Discovery',
          hs_call_direction: 'OUTBOUND',
          hs_call_status: 'COMPLETED',
          hs_call_duration: '95000',
          hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
        },
      ],
      [
        'meetings',
        {
          hs_timestamp: '1740823200000',
          hs_meeting_title: 'Demo',
          hs_meeting_outcome: 'SCHEDULED',
          hs_meeting_start_time: '1740823200000',
          hs_meeting_end_time: '1740826800000',
        },
      ],
      [
        'tasks',
        { hs_timestamp: '2025-03-02T09:00:00Z', hs_task_subject: 'Follow up', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'CALL' },
      ],
      ['notes', { hs_timestamp: '2025-03-03T09:00:00Z', hs_note_body: '<p>Called back</p>' }],
    ];
    for (const [type, properties] of bodies) {
      const created = await api('POST', `/crm/v3/objects/${type}`, { properties, associations: [] });
      assert.equal(created.status, 201, `${type}: ${created.text}`);
      assert.equal(created.body.properties.hs_object_id, created.body.id);
      const read = await api('GET', `/crm/v3/objects/${type}/${created.body.id}`);
      assert.deepEqual(Object.keys(read.body.properties).sort(), ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);
      const missing = await api('POST', `/crm/v3/objects/${type}`, { properties: { ...properties, hs_timestamp: undefined } });
      assert.equal(missing.status, 400, `${type} without hs_timestamp`);
    }
    const wrong = await api('POST', '/crm/v3/objects/calls', { properties: { hs_timestamp: '2025-03-01T10:00:00Z', hs_call_direction: 'SIDEWAYS' } });
    assert.match(wrong.body.message, /SIDEWAYS was not one of the allowed options: \[label: .*value: \\+"INBOUND\\+".*value: \\+"OUTBOUND\\+"/);
  });

  it('lists with limit, after paging, properties and associations', async () => {
    const all: string[] = [];
    let after: string | undefined;
    do {
      const page = await api('GET', `/crm/v3/objects/contacts?limit=2&properties=email&associations=companies${after ? `&after=${after}` : ''}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.results.length <= 2);
      all.push(...page.body.results.map((r: { id: string }) => r.id));
      after = page.body.paging?.next?.after;
      if (after) assert.match(page.body.paging.next.link, /after=/);
    } while (after);
    assert.equal(new Set(all).size, all.length);
    assert.ok(all.length >= 3);
    const withCompanies = await api('GET', '/crm/v3/objects/contacts?limit=3&associations=companies');
    const seeded = withCompanies.body.results.find((r: { associations?: unknown }) => r.associations);
    assert.ok(seeded, 'seeded contacts carry their company');
    assert.deepEqual(seeded.associations.companies.results.map((r: { type: string }) => r.type).sort(), ['contact_to_company', 'contact_to_company_unlabeled']);
    assert.equal((await api('GET', '/crm/v3/objects/contacts?limit=101')).status, 400);
    assert.equal((await api('GET', '/crm/v3/objects/widgets')).status, 400);
  });

  async function ownerId(): Promise<string> {
    const owners = await api('GET', '/crm/v3/owners');
    return owners.body.results[0].id;
  }
});
