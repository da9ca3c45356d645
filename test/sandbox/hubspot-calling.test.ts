import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, installApp, startContractSandbox, type ContractSandbox, type InstalledApp } from '../support/hubspot-harness.ts';

const SETTINGS = {
  name: 'Spokes Dialer',
  url: 'https://spokes.example/widget',
  width: 400,
  height: 600,
  isReady: true,
  supportsCustomObjects: false,
  supportsInboundCalling: true,
  usesCallingWindow: true,
  usesRemote: false,
};

describe('HubSpot sandbox calling extensions', () => {
  let env: ContractSandbox;
  let app: InstalledApp;
  const dev = (method: string, path: string, body?: unknown, key = app.developerApiKey) =>
    call(env.sandbox.url, method, `/crm/v3/extensions/calling/${app.appId}${path}?hapikey=${key}`, { body });

  before(async () => {
    env = await startContractSandbox();
    app = await installApp(env.sandbox);
  });
  after(() => env.stop());

  it('creates, reads, patches and deletes the calling settings with the developer API key', async () => {
    assert.equal((await dev('GET', '/settings')).status, 404);
    const created = await dev('POST', '/settings', SETTINGS);
    assert.equal(created.status, 200);
    assert.equal(created.body.name, 'Spokes Dialer');
    assert.ok(created.body.createdAt);
    assert.equal((await dev('POST', '/settings', SETTINGS)).status, 409);
    const patched = await dev('PATCH', '/settings', { isReady: false, height: 700 });
    assert.deepEqual([patched.body.isReady, patched.body.height, patched.body.width], [false, 700, 400]);
    assert.equal((await dev('GET', '/settings')).body.isReady, false);
    assert.equal((await dev('GET', '/settings', undefined, 'wrong-key')).status, 401);
    assert.equal((await call(env.sandbox.url, 'GET', `/crm/v3/extensions/calling/${app.appId}/settings`)).status, 401);
    assert.equal((await dev('DELETE', '/settings')).status, 204);
    assert.equal((await dev('GET', '/settings')).status, 404);
    const incomplete = await dev('POST', '/settings', { name: 'x' });
    assert.equal(incomplete.status, 400);
    assert.equal(incomplete.body.category, 'VALIDATION_ERROR');
  });

  it('stores the recording URL template and accepts recordings/ready for a logged call', async () => {
    const registered = await dev('POST', '/settings/recording', { urlToRetrieveAuthedRecording: 'https://spokes.example/recordings/%s' });
    assert.equal(registered.body.urlToRetrieveAuthedRecording, 'https://spokes.example/recordings/%s');
    assert.equal((await dev('GET', '/settings/recording')).body.urlToRetrieveAuthedRecording, 'https://spokes.example/recordings/%s');
    const logged = await call(env.sandbox.url, 'POST', '/crm/v3/objects/calls', {
      token: app.accessToken,
      body: {
        properties: {
          hs_timestamp: '2025-03-01T10:00:00Z',
          hs_call_recording_url: 'https://spokes.example/r/1.mp3',
          hs_call_source: 'INTEGRATIONS_PLATFORM',
          hs_call_external_id: 'CA1',
        },
        associations: [],
      },
    });
    const ready = await call(env.sandbox.url, 'POST', '/crm/v3/extensions/calling/recordings/ready', {
      token: app.accessToken,
      body: { engagementId: Number(logged.body.id) },
    });
    assert.equal(ready.status, 204);
    const unknown = await call(env.sandbox.url, 'POST', '/crm/v3/extensions/calling/recordings/ready', { token: app.accessToken, body: { engagementId: 1 } });
    assert.equal(unknown.status, 404);
  });

  it('matches inbound callers against contacts and companies and logs the call', async () => {
    const contact = await call(env.sandbox.url, 'POST', '/crm/v3/objects/contacts', {
      token: app.accessToken,
      body: { properties: { firstname: 'Ana', lastname: 'Díaz', email: 'ana@acme.example', phone: '(415) 555-0100' } },
    });
    const company = await call(env.sandbox.url, 'POST', '/crm/v3/objects/companies', {
      token: env.sandbox.info().portals[0].privateAppToken,
      body: { properties: { name: 'Acme', phone: '+1 415-555-0100' } },
    });
    const inbound = await call(env.sandbox.url, 'POST', '/crm/v3/extensions/calling/inbound-call', {
      token: app.accessToken,
      body: {
        externalCallId: 'CA-inbound-1',
        createEngagement: true,
        engagementProperties: { hs_call_title: 'Inbound call' },
        finalCallStatus: 'COMPLETED',
        fromNumber: { e164Number: '+14155550100', phoneNumberType: 'FIXED_LINE' },
        toNumber: { e164Number: '+14155550199', phoneNumberType: 'FIXED_LINE' },
        potentialRecipientUserIds: [],
        durationSeconds: 42,
      },
    });
    assert.equal(inbound.status, 200);
    assert.deepEqual(
      inbound.body.callerIdMatches.map((m: { callerIdType: string; objectCoordinates: { objectId: number } }) => [
        m.callerIdType,
        String(m.objectCoordinates.objectId),
      ]),
      [
        ['CONTACT', contact.body.id],
        ['COMPANY', company.body.id],
      ],
    );
    assert.equal(inbound.body.callerIdMatches[0].firstName, 'Ana');
    const calls = await call(env.sandbox.url, 'GET', `/crm/v4/objects/contacts/${contact.body.id}/associations/calls`, { token: app.accessToken });
    assert.equal(calls.body.results.length, 1);
    const logged = await call(
      env.sandbox.url,
      'GET',
      `/crm/v3/objects/calls/${calls.body.results[0].toObjectId}?properties=hs_call_direction,hs_call_duration,hs_call_title`,
      { token: app.accessToken },
    );
    assert.deepEqual(
      [logged.body.properties.hs_call_direction, logged.body.properties.hs_call_duration, logged.body.properties.hs_call_title],
      ['INBOUND', '42000', 'Inbound call'],
    );
  });
});
