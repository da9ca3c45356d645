import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Signature } from '@hubspot/api-client';
import { call, installApp, startContractSandbox, type ContractSandbox, type InstalledApp } from '../support/hubspot-harness.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  events: Array<Record<string, any>>;
}

describe('HubSpot sandbox webhooks v3', () => {
  let env: ContractSandbox;
  let app: InstalledApp;
  let receiver: Server;
  let targetUrl: string;
  const received: Received[] = [];
  /** Status codes (or 'hang') to answer with, in order; then 200. */
  let script: Array<number | 'hang'> = [];

  const dev = (method: string, path: string, body?: unknown) =>
    call(env.sandbox.url, method, `/webhooks/v3/${app.appId}${path}?hapikey=${app.developerApiKey}`, { body });
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token: app.accessToken, body });

  before(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body, events: JSON.parse(body) });
        const next = script.shift() ?? 200;
        if (next === 'hang') return;
        response.writeHead(next).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address() as { port: number };
    targetUrl = `http://127.0.0.1:${address.port}/hubspot/webhooks?source=sandbox`;
    env = await startContractSandbox({ webhookRetryDelaysMs: [30, 30, 30], webhookTimeoutMs: 300, webhookBatchWindowMs: 20, limits: { tenSecondly: 10_000 } });
    app = await installApp(env.sandbox);
    assert.equal((await dev('PUT', '/settings', { targetUrl, throttling: { maxConcurrentRequests: 10 } })).status, 200);
    for (const subscription of [
      { eventType: 'contact.creation' },
      { eventType: 'contact.propertyChange', propertyName: 'email' },
      { eventType: 'company.deletion' },
      { eventType: 'object.creation', objectTypeId: '0-48' },
    ]) {
      assert.equal((await dev('POST', '/subscriptions', { ...subscription, active: true })).status, 201);
    }
  });
  beforeEach(async () => {
    await env.sandbox.webhooksIdle();
    received.length = 0;
    script = [];
  });
  after(async () => {
    await env.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('manages settings and subscriptions with the developer API key', async () => {
    const settings = await dev('GET', '/settings');
    assert.equal(settings.body.targetUrl, targetUrl);
    assert.equal(settings.body.throttling.maxConcurrentRequests, 10);
    const list = await dev('GET', '/subscriptions');
    assert.equal(list.body.results.length, 4);
    const extra = await dev('POST', '/subscriptions', { eventType: 'deal.creation' });
    assert.equal((await dev('GET', `/subscriptions/${extra.body.id}`)).body.eventType, 'deal.creation');
    assert.equal((await dev('PATCH', `/subscriptions/${extra.body.id}`, { active: false })).body.active, false);
    const batch = await dev('POST', '/subscriptions/batch/update', { inputs: [{ id: Number(extra.body.id), active: true }] });
    assert.equal(batch.body.results[0].active, true);
    assert.equal((await dev('DELETE', `/subscriptions/${extra.body.id}`)).status, 204);
    assert.equal((await dev('POST', '/subscriptions', { eventType: 'contact.propertyChange' })).status, 400);
    assert.equal((await call(env.sandbox.url, 'GET', `/webhooks/v3/${app.appId}/settings?hapikey=wrong`)).status, 401);
  });

  it('delivers signed batches that @hubspot/api-client Signature.isValid accepts', async () => {
    const contact = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'hook@example.com' } });
    await api('PATCH', `/crm/v3/objects/contacts/${contact.body.id}`, { properties: { email: 'hook2@example.com', firstname: 'Not subscribed' } });
    await env.sandbox.webhooksIdle();
    const events = received.flatMap((r) => r.events);
    assert.deepEqual(events.map((e) => e.subscriptionType).sort(), ['contact.creation', 'contact.propertyChange']);
    const change = events.find((e) => e.subscriptionType === 'contact.propertyChange')!;
    assert.equal(change.propertyName, 'email');
    assert.equal(change.propertyValue, 'hook2@example.com');
    assert.equal(change.objectId, Number(contact.body.id));
    assert.equal(change.portalId, app.portalId);
    assert.equal(change.appId, app.appId);
    assert.equal(change.attemptNumber, 0);
    assert.equal(typeof change.occurredAt, 'number');
    for (const request of received) {
      const timestamp = Number(request.headers['x-hubspot-request-timestamp']);
      assert.equal(request.headers['x-hubspot-signature-version'], 'v1');
      assert.ok(
        Signature.isValid({
          signatureVersion: 'v1',
          signature: String(request.headers['x-hubspot-signature']),
          clientSecret: app.clientSecret,
          requestBody: request.body,
        }),
      );
      assert.ok(
        Signature.isValid({
          signatureVersion: 'v3',
          signature: String(request.headers['x-hubspot-signature-v3']),
          clientSecret: app.clientSecret,
          requestBody: request.body,
          url: targetUrl,
          method: 'POST',
          timestamp,
        }),
      );
      assert.ok(
        !Signature.isValid({
          signatureVersion: 'v3',
          signature: String(request.headers['x-hubspot-signature-v3']),
          clientSecret: 'other-secret',
          requestBody: request.body,
          url: targetUrl,
          method: 'POST',
          timestamp,
        }),
      );
    }
  });

  it('sends generic object.* events with objectTypeId, and nothing for portals without the app', async () => {
    await api('POST', '/crm/v3/objects/calls', { properties: { hs_timestamp: '2025-03-01T10:00:00Z' }, associations: [] });
    const otherPortal = env.sandbox.info().portals[1];
    await call(env.sandbox.url, 'POST', '/crm/v3/objects/contacts', {
      token: otherPortal.privateAppToken,
      body: { properties: { email: 'elsewhere@example.com' } },
    });
    await env.sandbox.webhooksIdle();
    const events = received.flatMap((r) => r.events);
    assert.deepEqual(
      events.map((e) => [e.subscriptionType, e.objectTypeId]),
      [['object.creation', '0-48']],
    );
  });

  it('delivers at most 100 events per request', async () => {
    for (let b = 0; b < 2; b++) {
      const inputs = Array.from({ length: 75 }, (_, i) => ({ properties: { email: `bulk${b}-${i}@example.com` } }));
      assert.equal((await api('POST', '/crm/v3/objects/contacts/batch/create', { inputs })).status, 201);
    }
    await env.sandbox.webhooksIdle();
    const sizes = received.map((r) => r.events.length);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      150,
    );
    assert.ok(
      sizes.every((n) => n <= 100),
      `batch sizes ${sizes}`,
    );
    assert.equal(new Set(received.flatMap((r) => r.events.map((e) => e.eventId))).size, 150);
  });

  it('retries failures and timeouts with attemptNumber incremented', async () => {
    script = [500, 'hang', 200];
    const company = await api('POST', '/crm/v3/objects/companies', { properties: { name: 'Doomed' } });
    received.length = 0;
    await api('DELETE', `/crm/v3/objects/companies/${company.body.id}`);
    await env.sandbox.webhooksIdle();
    const attempts = received.flatMap((r) => r.events).filter((e) => e.subscriptionType === 'company.deletion');
    assert.deepEqual(
      attempts.map((e) => e.attemptNumber),
      [0, 1, 2],
    );
    assert.equal(new Set(attempts.map((e) => e.eventId)).size, 1);
    const deliveries = env.sandbox.webhookDeliveries().slice(-3);
    assert.deepEqual(
      deliveries.map((d) => d.status),
      [500, null, 200],
    );
    assert.match(String(deliveries[1].error), /Timeout|abort/i);
  });
});
