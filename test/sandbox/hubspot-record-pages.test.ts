import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { html } from '../../sandbox/hubspot/pages/layout.ts';
import { call, pageText, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox record pages', () => {
  let env: ContractSandbox;
  let token: string;
  let portalId: number;
  let contactId: string;
  let companyId: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });
  const engagement = async (type: string, properties: Record<string, string>, typeId: number) =>
    api('POST', `/crm/v3/objects/${type}`, {
      properties,
      associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] }],
    });

  before(async () => {
    env = await startContractSandbox({ seed: { contacts: 0, companies: 0, owners: 1, seed: 2 } });
    const info = env.sandbox.info();
    token = info.portals[0].privateAppToken;
    portalId = info.portals[0].portalId;
    const owner = (await api('GET', '/crm/v3/owners')).body.results.at(-1);
    companyId = (await api('POST', '/crm/v3/objects/companies', { properties: { name: 'Nordwind GmbH', domain: 'nordwind.example', phone: '+49 30 1234567' } }))
      .body.id;
    contactId = (
      await api('POST', '/crm/v3/objects/contacts', {
        properties: {
          firstname: 'Lea',
          lastname: 'Schäfer',
          email: 'lea@nordwind.example',
          phone: '030 7654321',
          country: 'Germany',
          lifecyclestage: 'customer',
          hubspot_owner_id: owner.id,
        },
        associations: [{ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
      })
    ).body.id;
    await engagement('notes', { hs_timestamp: '2025-03-01T09:00:00Z', hs_note_body: '<p>Met at the fair</p><script>alert(1)</script>' }, 202);
    await engagement(
      'calls',
      {
        hs_timestamp: '2025-03-03T10:00:00Z',
        hs_call_title: 'Pricing call',
        hs_call_direction: 'INBOUND',
        hs_call_status: 'COMPLETED',
        hs_call_duration: '125000',
        hs_call_body: 'Asked about <b>volume</b> pricing',
        hs_call_recording_url: 'https://recordings.example/r1.mp3',
        hs_call_from_number: '+49301234567',
        hs_call_to_number: '+14155550100',
        hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
        hubspot_owner_id: owner.id,
      },
      194,
    );
    await engagement('meetings', { hs_timestamp: '2025-03-02T14:00:00Z', hs_meeting_title: 'Onboarding', hs_meeting_outcome: 'COMPLETED' }, 200);
    await engagement(
      'tasks',
      { hs_timestamp: '2025-03-05T09:00:00Z', hs_task_subject: 'Send quote', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH' },
      204,
    );
  });
  after(() => env.stop());

  it('shows the contact with its properties, company and timeline, newest first', async () => {
    const page = await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-1/${contactId}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    const text = pageText(page.text);
    assert.match(text, /Lea Schäfer/);
    assert.match(text, /Lifecycle Stage Customer/);
    assert.match(text, /Signed in as Sam Admin <admin@spokes-sandbox\.test> · owner \d+/);
    assert.match(page.text, /data-owner-id="\d+"/);
    assert.match(page.text, new RegExp(`href="/contacts/${portalId}/record/0-2/${companyId}"[^>]*>Nordwind GmbH`));
    const kinds = [...page.text.matchAll(/data-engagement-type="(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(kinds, ['tasks', 'calls', 'meetings', 'notes']);
    assert.match(text, /Pricing call Direction: Inbound Status: Completed Outcome: Connected Duration: 2:05/);
    assert.match(text, /Asked about volume pricing/);
    assert.match(page.text, /href="https:\/\/recordings\.example\/r1\.mp3"/);
    assert.ok(!page.text.includes('<script>alert(1)</script>'), 'engagement HTML never reaches the page as markup');
  });

  it('renders phone numbers as dialable elements and leaves a slot for a widget', async () => {
    const page = await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-1/${contactId}`);
    assert.match(
      page.text,
      /<a class="phone" href="tel:\+49307654321" data-phone-number="030 7654321" data-e164="\+49307654321" data-property="phone" data-object-type-id="0-1" data-object-id="\d+">/,
    );
    assert.match(page.text, new RegExp(`id="widget-slot"[^>]*data-portal-id="${portalId}" data-object-type-id="0-1" data-object-id="${contactId}"`));
    env.sandbox.setRecordPageExtensions({
      widgetPanel: html`<iframe title="Dialer" src="https://widget.example/"></iframe>`,
      head: html`<script src="/dial.js"></script>`,
    });
    const extended = await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-1/${contactId}`);
    assert.match(extended.text, /<aside id="widget-slot"[^>]*><iframe title="Dialer"/);
    assert.match(extended.text, /<head>[\s\S]*<script src="\/dial\.js"><\/script>[\s\S]*<\/head>/);
    env.sandbox.setRecordPageExtensions(undefined);
  });

  it('shows a call on its own record page (0-48): its title, properties, contact and recording player', async () => {
    const search = await api('POST', '/crm/v3/objects/calls/search', {
      filterGroups: [{ filters: [{ propertyName: 'hs_call_title', operator: 'EQ', value: 'Pricing call' }] }],
    });
    const callId = search.body.results[0].id as string;
    const page = await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-48/${callId}`);
    assert.equal(page.status, 200);
    const text = pageText(page.text);
    assert.match(text, /Pricing call/);
    assert.match(page.text, new RegExp(`href="/contacts/${portalId}/record/0-1/${contactId}"[^>]*>Lea Schäfer`));
    assert.deepEqual(
      [...page.text.matchAll(/data-engagement-type="(\w+)"/g)].map((m) => m[1]),
      ['calls'],
      'the call is its own timeline entry',
    );
    assert.match(page.text, /<audio controls preload="none" src="https:\/\/recordings\.example\/r1\.mp3">/);
    assert.equal((await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-48/999999`)).status, 404);
  });

  it('shows the company with its contacts', async () => {
    const page = await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-2/${companyId}`);
    assert.equal(page.status, 200);
    assert.match(pageText(page.text), /Nordwind GmbH/);
    assert.match(page.text, new RegExp(`href="/contacts/${portalId}/record/0-1/${contactId}"[^>]*>Lea Schäfer</a> <span class="badge">Primary`));
  });

  it('answers 404 for unknown records and 403 to users outside the portal', async () => {
    assert.equal((await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-1/1`)).status, 404);
    assert.equal((await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-48/${contactId}`)).status, 404);
    const outsider = env.sandbox.seed({ portalId: env.sandbox.info().portals[1].portalId, contacts: 0, companies: 0, owners: 1, seed: 4 }).owners[0];
    const login = await call(env.sandbox.url, 'POST', '/login', { form: { userId: String(outsider.userId), returnTo: '/' } });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const denied = await call(env.sandbox.url, 'GET', `/contacts/${portalId}/record/0-1/${contactId}`, { headers: { cookie } });
    assert.equal(denied.status, 403);
    assert.match(pageText(denied.text), new RegExp(`Signed in as .*${outsider.email.replace(/\./g, '\\.')}`));
  });
});
