/**
 * The HubSpot emulator plays a calling app's recording the way HubSpot's docs
 * describe ("Call recordings and transcripts"): a call with the four app
 * properties plays through the app's `urlToRetrieveAuthedRecording` — `%s`
 * replaced by the external id, `externalAccountId` and `appId` added, signed
 * with the app's client secret (checked here with `@hubspot/api-client`'s own
 * `Signature.isValid`) — and the player goes to the `authenticatedUrl` answered.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Signature } from '@hubspot/api-client';
import { decodeSignedUri } from '../../src/hubspot/webhooks/signature.ts';
import { call, installApp, startContractSandbox, type ContractSandbox, type InstalledApp } from '../support/hubspot-harness.ts';

describe("HubSpot sandbox: playing a calling app's recordings", () => {
  let env: ContractSandbox;
  let app: InstalledApp;
  let server: Server;
  let base: string;
  const asked: { url: string; valid: boolean }[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  before(async () => {
    env = await startContractSandbox();
    app = await installApp(env.sandbox);
    server = createServer((req, res) => {
      const url = `${base}${req.url}`;
      const valid = Signature.isValid({
        signatureVersion: 'v3',
        signature: String(req.headers['x-hubspot-signature-v3']),
        clientSecret: app.clientSecret,
        // The SDK signs the URI as given: HubSpot's listed escapes (%2F…) are decoded first (reference §10.2).
        requestBody: '',
        url: decodeSignedUri(url),
        method: req.method,
        timestamp: Number(req.headers['x-hubspot-request-timestamp']),
      });
      asked.push({ url, valid });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const registered = await call(env.sandbox.url, 'POST', `/crm/v3/extensions/calling/${app.appId}/settings/recording?hapikey=${app.developerApiKey}`, {
      body: { urlToRetrieveAuthedRecording: `${base}/recordings/%s/authed` },
    });
    assert.equal(registered.status, 200);
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await env.stop();
  });

  /** A contact with one logged call; returns the player's address on the contact's page. */
  async function playerFor(properties: Record<string, string>): Promise<{ callId: string; src: string | undefined }> {
    const contact = await call(env.sandbox.url, 'POST', '/crm/v3/objects/contacts', {
      token: app.accessToken,
      body: { properties: { firstname: 'Rec', lastname: 'Ording' } },
    });
    const logged = await call(env.sandbox.url, 'POST', '/crm/v3/objects/calls', {
      token: app.accessToken,
      body: {
        properties: { hs_timestamp: '2025-03-01T10:00:00Z', ...properties },
        associations: [{ to: { id: contact.body.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }] }],
      },
    });
    const page = await (await fetch(`${env.sandbox.url}/contacts/${app.portalId}/record/0-1/${contact.body.id}`)).text();
    return { callId: logged.body.id, src: /<audio[^>]*src="([^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&') };
  }

  it("asks the app, signed, for the call's external id, and plays the authenticatedUrl", async () => {
    answer = { status: 200, body: { authenticatedUrl: 'https://recordings.example/signed/abc.wav' } };
    const { callId, src } = await playerFor({
      hs_call_recording_url: 'https://recordings.example/stored.wav',
      hs_call_external_id: '2025 A/1',
      hs_call_external_account_id: String(app.portalId),
      hs_call_app_id: String(app.appId),
      hs_call_source: 'INTEGRATIONS_PLATFORM',
    });
    assert.equal(src, `/contacts/${app.portalId}/calls/${callId}/recording`);
    const res = await fetch(`${env.sandbox.url}${src}`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), 'https://recordings.example/signed/abc.wav');
    const request = asked.at(-1)!;
    assert.equal(request.url, `${base}/recordings/2025%20A%2F1/authed?externalAccountId=${app.portalId}&appId=${app.appId}`);
    assert.equal(request.valid, true, "signed with the app's client secret (v3)");
  });

  it("plays the stored URL of a call without the app's properties, and says so when the app does not answer", async () => {
    const stored = await playerFor({ hs_call_recording_url: 'https://recordings.example/stored.wav', hs_call_external_id: 'X1' });
    assert.equal(stored.src, 'https://recordings.example/stored.wav');
    answer = { status: 404, body: { error: 'no such recording' } };
    const { src } = await playerFor({
      hs_call_external_id: 'X2',
      hs_call_app_id: String(app.appId),
      hs_call_source: 'INTEGRATIONS_PLATFORM',
      hs_call_external_account_id: String(app.portalId),
    });
    const res = await fetch(`${env.sandbox.url}${src}`, { redirect: 'manual' });
    assert.equal(res.status, 502);
    assert.match(await res.text(), /did not provide this call&#39;s recording \(HTTP 404\)/);
  });
});
