/**
 * The official `@hubspot/api-client`, unmodified, with `basePath` pointed at the
 * emulator, through every endpoint family Spokes uses. The contract harness checks
 * every response on the way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@hubspot/api-client';
import { ALL_CRM_SCOPES, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

/** The SDK's request models use generated enums; plain literals are what goes on the wire. */
const wire = <T>(value: unknown) => value as T;

describe('HubSpot sandbox driven by @hubspot/api-client', () => {
  let env: ContractSandbox;
  let client: Client;
  let app: ReturnType<ContractSandbox['sandbox']['registerApp']>;
  const redirectUri = 'http://localhost:4321/oauth/callback';

  before(async () => {
    env = await startContractSandbox({ limits: { tenSecondly: 10_000, searchPerSecond: 1000 } });
    app = env.sandbox.registerApp({ name: 'SDK app', redirectUrls: [redirectUri], scopes: ALL_CRM_SCOPES });
    client = new Client({ basePath: env.sandbox.url, developerApiKey: app.developerApiKey, numberOfApiCallRetries: 1 });
  });
  after(() => env.stop());

  it('exchanges and refreshes OAuth tokens and reads their metadata', async () => {
    const portalId = env.sandbox.info().portals[0].portalId;
    const { code } = env.sandbox.approveInstall({ clientId: app.clientId, redirectUri, scopes: ALL_CRM_SCOPES, portalId });
    const tokens = await client.oauth.tokensApi.create('authorization_code', code, redirectUri, app.clientId, app.clientSecret);
    assert.equal(tokens.expiresIn, 1800);
    const refreshed = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, app.clientId, app.clientSecret, tokens.refreshToken);
    assert.equal(refreshed.refreshToken, tokens.refreshToken);
    const info = await client.oauth.accessTokensApi.get(refreshed.accessToken);
    assert.equal(info.hubId, portalId);
    assert.equal(info.appId, app.appId);
    const refreshInfo = await client.oauth.refreshTokensApi.get(tokens.refreshToken);
    assert.equal(refreshInfo.clientId, app.clientId);
    client.setAccessToken(refreshed.accessToken);
    const bad = await client.oauth.tokensApi.create('authorization_code', code, redirectUri, app.clientId, app.clientSecret).catch((error) => error);
    assert.equal(bad.code, 400);
    assert.equal(bad.body.status, 'BAD_AUTH_CODE');
  });

  it('runs contacts, companies and deals through basic, batch and search', async () => {
    const contact = await client.crm.contacts.basicApi.create({ properties: { email: 'sdk@example.com', firstname: 'Sdk' }, associations: [] });
    const fetched = await client.crm.contacts.basicApi.getById(contact.id, ['email'], undefined, undefined, false);
    assert.equal(fetched.properties.email, 'sdk@example.com');
    const byEmail = await client.crm.contacts.basicApi.getById('sdk@example.com', undefined, undefined, undefined, false, 'email');
    assert.equal(byEmail.id, contact.id);
    await client.crm.contacts.basicApi.update(contact.id, { properties: { lastname: 'Client' } });
    const page = await client.crm.contacts.basicApi.getPage(10, undefined, ['lastname']);
    assert.ok(page.results.some((r) => r.properties.lastname === 'Client'));
    const conflict = await client.crm.contacts.basicApi.create({ properties: { email: 'SDK@example.com' }, associations: [] }).catch((error) => error);
    assert.equal(conflict.code, 409);

    const company = await client.crm.companies.basicApi.create({ properties: { name: 'SDK Corp', domain: 'sdk.example' }, associations: [] });
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'SDK deal', amount: '100', pipeline: 'default', dealstage: 'appointmentscheduled' },
      associations: [],
    });
    assert.ok(company.id && deal.id);

    const batch = await client.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'sdk1@example.com' }, associations: [] },
        { properties: { email: 'sdk2@example.com' }, associations: [] },
      ],
    });
    const ids = batch.results.map((r) => r.id);
    const read = await client.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['email'], propertiesWithHistory: [] });
    assert.equal(read.results.length, 2);
    await client.crm.contacts.batchApi.update({ inputs: ids.map((id) => ({ id, properties: { lastname: 'Batch' } })) });
    const upsert = await client.crm.contacts.batchApi.upsert({ inputs: [{ id: 'sdk3@example.com', idProperty: 'email', properties: { firstname: 'Up' } }] });
    assert.equal(upsert.results[0].properties.email, 'sdk3@example.com');
    await client.crm.contacts.batchApi.archive({ inputs: [{ id: ids[1] }] });
    await client.crm.companies.batchApi.read({ inputs: [{ id: company.id }], properties: [], propertiesWithHistory: [] });
    await client.crm.deals.batchApi.update({ inputs: [{ id: deal.id, properties: { amount: '200' } }] });

    const search = await client.crm.contacts.searchApi.doSearch(
      wire({
        filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: 'batch' }] }],
        sorts: ['email'],
        properties: ['email'],
        limit: 10,
        after: '0',
      }),
    );
    assert.deepEqual(
      search.results.map((r) => r.properties.email),
      ['sdk1@example.com'],
    );
    const companies = await client.crm.companies.searchApi.doSearch(
      wire({ query: 'sdk', filterGroups: [], sorts: [], properties: ['name'], limit: 10, after: '0' }),
    );
    assert.equal(companies.total, 1);
    const deals = await client.crm.deals.searchApi.doSearch(
      wire({ filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'GTE', value: '150' }] }], sorts: [], properties: [], limit: 10, after: '0' }),
    );
    assert.equal(deals.total, 1);
    await client.crm.contacts.basicApi.archive(contact.id);
  });

  it('runs calls, meetings, tasks and notes through the generic objects APIs', async () => {
    const contact = await client.crm.contacts.basicApi.create({ properties: { email: 'engaged@example.com' }, associations: [] });
    const association = (typeId: number) => [
      { to: { id: contact.id }, types: [{ associationCategory: wire<never>('HUBSPOT_DEFINED'), associationTypeId: typeId }] },
    ];
    const call = await client.crm.objects.calls.basicApi.create({
      properties: { hs_timestamp: '2025-03-01T10:00:00Z', hs_call_direction: 'OUTBOUND', hs_call_status: 'COMPLETED' },
      associations: association(194),
    });
    const meeting = await client.crm.objects.meetings.basicApi.create({
      properties: { hs_timestamp: '2025-03-01T11:00:00Z', hs_meeting_title: 'Demo' },
      associations: association(200),
    });
    const task = await client.crm.objects.tasks.basicApi.create({
      properties: { hs_timestamp: '2025-03-02T09:00:00Z', hs_task_subject: 'Follow up', hs_task_status: 'NOT_STARTED' },
      associations: association(204),
    });
    const note = await client.crm.objects.notes.basicApi.create({
      properties: { hs_timestamp: '2025-03-02T10:00:00Z', hs_note_body: 'Hello' },
      associations: association(202),
    });
    assert.ok(call.id && meeting.id && task.id && note.id);
    await client.crm.objects.calls.basicApi.update(call.id, { properties: { hs_call_duration: '60000' } });
    assert.equal((await client.crm.objects.calls.basicApi.getById(call.id, ['hs_call_duration'])).properties.hs_call_duration, '60000');
    await client.crm.objects.tasks.batchApi.update({ inputs: [{ id: task.id, properties: { hs_task_status: 'COMPLETED' } }] });
    const done = await client.crm.objects.tasks.searchApi.doSearch(
      wire({
        filterGroups: [{ filters: [{ propertyName: 'hs_task_status', operator: 'EQ', value: 'COMPLETED' }] }],
        sorts: [],
        properties: ['hs_task_subject'],
        limit: 10,
        after: '0',
      }),
    );
    assert.equal(done.total, 1);
    const meetings = await client.crm.objects.meetings.batchApi.read({
      inputs: [{ id: meeting.id }],
      properties: ['hs_meeting_title'],
      propertiesWithHistory: [],
    });
    assert.equal(meetings.results[0].properties.hs_meeting_title, 'Demo');
    const notes = await client.crm.objects.notes.basicApi.getPage(10);
    assert.equal(notes.results.length, 1);
    await client.crm.objects.notes.basicApi.archive(note.id);
  });

  it('reads properties and owners', async () => {
    const all = await client.crm.properties.coreApi.getAll('contacts');
    assert.ok(all.results.some((p) => p.name === 'email'));
    const direction = await client.crm.properties.coreApi.getByName('calls', 'hs_call_direction');
    assert.deepEqual(
      direction.options.map((o) => o.value),
      ['INBOUND', 'OUTBOUND'],
    );
    await client.crm.properties.groupsApi.create('contacts', { name: 'sdk_group', label: 'SDK' });
    const created = await client.crm.properties.coreApi.create(
      'contacts',
      wire({ name: 'sdk_score', label: 'Score', type: 'number', fieldType: 'number', groupName: 'sdk_group' }),
    );
    assert.equal(created.name, 'sdk_score');
    assert.ok((await client.crm.properties.groupsApi.getAll('contacts')).results.some((g) => g.name === 'sdk_group'));
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100);
    const owner = owners.results[0];
    assert.equal((await client.crm.owners.ownersApi.getById(Number(owner.id))).email, owner.email);
    assert.equal((await client.crm.owners.ownersApi.getById(owner.userId!, 'userId')).id, owner.id);
  });

  it('manages associations v4, basic and batch', async () => {
    const contact = await client.crm.contacts.basicApi.create({ properties: { email: 'v4@example.com' }, associations: [] });
    const company = await client.crm.companies.basicApi.create({ properties: { name: 'V4 Co' }, associations: [] });
    const other = await client.crm.companies.basicApi.create({ properties: { name: 'V4 Other' }, associations: [] });
    await client.crm.associations.v4.basicApi.createDefault('contact', contact.id, 'company', company.id);
    const labelled = await client.crm.associations.v4.basicApi.create('contacts', contact.id, 'companies', other.id, [
      { associationCategory: wire<never>('HUBSPOT_DEFINED'), associationTypeId: 1 },
    ]);
    assert.deepEqual(labelled.labels, ['Primary']);
    const page = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies');
    assert.equal(page.results.length, 2);
    const batch = await client.crm.associations.v4.batchApi.getPage('companies', 'contacts', { inputs: [{ id: company.id }, { id: other.id }] });
    assert.equal(batch.results.length, 2);
    await client.crm.associations.v4.batchApi.archive('contacts', 'companies', { inputs: [{ _from: { id: contact.id }, to: [{ id: company.id }] }] });
    await client.crm.associations.v4.basicApi.archive('contacts', contact.id, 'companies', other.id);
    assert.equal((await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies')).results.length, 0);
    const created = await client.crm.associations.v4.batchApi.create('contacts', 'companies', {
      inputs: [{ _from: { id: contact.id }, to: { id: company.id }, types: [{ associationCategory: wire<never>('HUBSPOT_DEFINED'), associationTypeId: 279 }] }],
    });
    assert.equal(created.results.length, 1);
    await client.crm.associations.v4.batchApi.createDefault('contacts', 'companies', { inputs: [{ _from: { id: contact.id }, to: { id: other.id } }] });
  });

  it('manages calling settings with the developer API key', async () => {
    const settings = await client.crm.extensions.calling.settingsApi.create(app.appId, {
      name: 'SDK Dialer',
      url: 'https://dialer.example',
      width: 400,
      height: 600,
      isReady: false,
      supportsCustomObjects: false,
      supportsInboundCalling: true,
      usesCallingWindow: true,
      usesRemote: false,
    });
    assert.equal(settings.name, 'SDK Dialer');
    assert.equal((await client.crm.extensions.calling.settingsApi.update(app.appId, { isReady: true })).isReady, true);
    assert.equal((await client.crm.extensions.calling.settingsApi.getById(app.appId)).isReady, true);
    await client.crm.extensions.calling.recordingSettingsApi.registerUrlFormat(app.appId, { urlToRetrieveAuthedRecording: 'https://dialer.example/rec/%s' });
    assert.match((await client.crm.extensions.calling.recordingSettingsApi.getUrlFormat(app.appId)).urlToRetrieveAuthedRecording, /%s$/);
    const call = await client.crm.objects.calls.basicApi.create({
      properties: { hs_timestamp: '2025-03-01T10:00:00Z', hs_call_recording_url: 'https://dialer.example/rec/1.mp3' },
      associations: [],
    });
    await client.crm.extensions.calling.recordingSettingsApi.markAsReady({ engagementId: Number(call.id) });
    await client.crm.extensions.calling.settingsApi.archive(app.appId);
    const missing = await client.crm.extensions.calling.settingsApi.getById(app.appId).catch((error) => error);
    assert.equal(missing.code, 404);
  });

  it('manages webhook settings and subscriptions', async () => {
    const settings = await client.webhooks.settingsApi.configure(app.appId, {
      targetUrl: 'https://spokes.example/webhooks',
      throttling: { maxConcurrentRequests: 5 },
    });
    assert.equal(settings.targetUrl, 'https://spokes.example/webhooks');
    assert.equal((await client.webhooks.settingsApi.getAll(app.appId)).throttling.maxConcurrentRequests, 5);
    const subscription = await client.webhooks.subscriptionsApi.create(
      app.appId,
      wire({ eventType: 'contact.propertyChange', propertyName: 'email', active: true }),
    );
    assert.equal((await client.webhooks.subscriptionsApi.getById(Number(subscription.id), app.appId)).propertyName, 'email');
    assert.equal((await client.webhooks.subscriptionsApi.update(Number(subscription.id), app.appId, { active: false })).active, false);
    const batch = await client.webhooks.subscriptionsApi.updateBatch(app.appId, { inputs: [{ id: Number(subscription.id), active: true }] });
    assert.equal(batch.results[0].active, true);
    assert.equal((await client.webhooks.subscriptionsApi.getAll(app.appId)).results.length, 1);
    await client.webhooks.subscriptionsApi.archive(Number(subscription.id), app.appId);
    await client.webhooks.settingsApi.clear(app.appId);
    assert.equal((await client.webhooks.subscriptionsApi.getAll(app.appId)).results.length, 0);
  });
});
