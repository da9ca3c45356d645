/**
 * The HubSpot webhook receiver: real deliveries from the emulator keep the phone
 * index fresh (creations, number changes, deletions, a new primary company);
 * unsigned, wrongly signed, stale and malformed requests are refused; a replayed
 * delivery is applied once; events arriving out of order end in HubSpot's state.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Signature } from '@hubspot/api-client';
import { buildServer } from '../../src/web/server.ts';
import { createMetrics } from '../../src/metrics.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import { createPhoneIndexing, phoneIndexJobs, type PhoneIndexing } from '../../src/hubspot/phone/index.ts';
import {
  configureSandboxWebhooks,
  hubspotWebhookJobs,
  WEBHOOK_EVENTS_JOB,
  registerHubSpotWebhookRoutes,
  signatureV3,
  HUBSPOT_WEBHOOKS,
} from '../../src/hubspot/webhooks/index.ts';
import { engines } from '../support/databases.ts';
import { createRecords, FAST, hubspotRequest, startHubSpotWorld, type HubSpotWorld } from './harness.ts';
import { eventually, jobsIdle } from '../support/world.ts';

for (const engine of engines) {
  describe(`HubSpot webhooks (${engine})`, () => {
    let world: HubSpotWorld;
    let phone: PhoneIndexing;
    let queue: JobQueue;
    let server: FastifyInstance;
    let publicUrl: string;

    before(async () => {
      world = await startHubSpotWorld(engine, {
        connect: 'oauth',
        budget: FAST.budget,
        sandbox: {
          limits: FAST.sandboxLimits,
          seed: { contacts: 40, companies: 5, owners: 1, seed: 3 },
          webhookRetryDelaysMs: [200, 400, 800],
          webhookBatchWindowMs: 20,
        },
      });
      phone = createPhoneIndexing({ database: world.database, hubspot: world.hubspot, defaultRegion: 'US', log: world.log });
      const deps = () => ({ api: world.hubspot.api, index: phone.index, log: world.log });
      queue = new JobQueue({
        database: world.database,
        jobs: [...hubspotWebhookJobs(deps), ...phoneIndexJobs(() => ({ hubspot: world.hubspot, sync: phone.sync }))],
        log: world.log,
        pollSeconds: 0.5,
      });
      await queue.start();
      await queue.work();
      server = await buildServer({
        log: world.log,
        metrics: createMetrics(),
        version: 'test',
        engine,
        probes: [],
        routes: (app) => registerHubSpotWebhookRoutes(app, { store: world.hubspot.store, queue, publicUrl: 'http://spokes.example.test' }),
      });
      await server.listen({ port: 0, host: '127.0.0.1' });
      const address = server.server.address();
      publicUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      await phone.sync.run('full');
    });
    after(async () => {
      await server?.close();
      await queue?.stop({ timeoutMs: 2_000 });
      await world?.close();
    });

    /** A delivery signed the way HubSpot signs it (§10.2), posted as HubSpot would. */
    async function deliver(
      events: unknown,
      opts: { secret?: string; timestamp?: number; signedUrl?: string; body?: string; headers?: Record<string, string> } = {},
    ) {
      const body = opts.body ?? JSON.stringify(events);
      const timestamp = String(opts.timestamp ?? Date.now());
      const url = `${publicUrl}${HUBSPOT_WEBHOOKS.path}`;
      const signature = signatureV3(
        opts.secret ?? world.app.clientSecret,
        'POST',
        opts.signedUrl ?? 'http://spokes.example.test/webhooks/hubspot',
        body,
        timestamp,
      );
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp, ...opts.headers },
        body,
      });
      return { status: res.status, body: (await res.json()) as any };
    }

    function event(fields: Record<string, unknown>) {
      return {
        eventId: Math.floor(Math.random() * 1e12),
        subscriptionId: 1,
        portalId: world.portalId,
        appId: world.app.appId,
        occurredAt: Date.now(),
        attemptNumber: 0,
        changeSource: 'CRM_UI',
        ...fields,
      };
    }

    const ids = async (number: string) => (await phone.index.lookup(number)).records.map((r) => r.objectId);
    const batchReads = () =>
      Object.entries(world.sandbox.stats().byRoute)
        .filter(([route]) => route.includes('/batch/read'))
        .reduce((n, [, s]) => n + Object.values(s).reduce((a, b) => a + b, 0), 0);

    it("keeps the index fresh from the emulator's real deliveries (sandbox configuration included)", async () => {
      const configured = await configureSandboxWebhooks({
        baseUrl: world.sandbox.url,
        appId: world.app.appId,
        developerApiKey: world.app.developerApiKey,
        targetUrl: `${publicUrl}${HUBSPOT_WEBHOOKS.path}`,
      });
      assert.equal(configured.created, HUBSPOT_WEBHOOKS.subscriptions.length);
      assert.deepEqual(
        await configureSandboxWebhooks({
          baseUrl: world.sandbox.url,
          appId: world.app.appId,
          developerApiKey: world.app.developerApiKey,
          targetUrl: `${publicUrl}${HUBSPOT_WEBHOOKS.path}`,
        }),
        { created: 0, activated: 0 },
        'configuring again changes nothing',
      );

      // The emulator signs for the URL it calls; Spokes is told its public URL is another: the Host header still verifies.
      const [id] = await createRecords(world, 'contacts', [{ firstname: 'Webhook', lastname: 'Created', phone: '+1 720 555 0111' }]);
      await world.sandbox.webhooksIdle();
      await eventually('the new contact in the index', async () => (await ids('+17205550111')).includes(id!));

      await hubspotRequest(world, 'PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { phone: '+1 720 555 0222' } });
      await eventually('the changed number', async () => (await ids('+17205550222')).includes(id!));
      assert.deepEqual(await ids('+17205550111'), [], 'the old number is gone');

      const companies = await hubspotRequest(world, 'GET', '/crm/v3/objects/companies?limit=1');
      const companyId = companies.body.results[0].id;
      await hubspotRequest(world, 'PUT', `/crm/v4/objects/contacts/${id}/associations/companies/${companyId}`, [
        { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
      ]);
      await eventually('the primary company', async () => (await phone.index.lookup('+17205550222')).records[0]?.companyId === companyId);

      await hubspotRequest(world, 'DELETE', `/crm/v3/objects/contacts/${id}`);
      await eventually('the deleted contact gone', async () => (await ids('+17205550222')).length === 0);
      const failed = world.sandbox.webhookDeliveries().filter((d) => d.status !== 200);
      assert.deepEqual(failed, [], 'every delivery was answered 200');
    });

    it('verifies signatures the same way as @hubspot/api-client', () => {
      const body = JSON.stringify([{ eventId: 1 }]);
      const timestamp = Date.now();
      const url = 'https://spokes.example.com/webhooks/hubspot?x=1';
      const ours = signatureV3('s3cr3t', 'POST', url, body, String(timestamp));
      assert.equal(
        Signature.isValid({ signatureVersion: 'v3', signature: ours, clientSecret: 's3cr3t', requestBody: body, url, method: 'POST', timestamp }),
        true,
      );
      assert.equal(Signature.getSignature('POST', 'v3', { signature: '', clientSecret: 's3cr3t', requestBody: body, url, timestamp }), ours);
    });

    it('refuses missing, wrong and stale signatures with 401', async () => {
      const events = [event({ subscriptionType: 'contact.creation', objectId: 1 })];
      const unsigned = await fetch(`${publicUrl}${HUBSPOT_WEBHOOKS.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      assert.equal(unsigned.status, 401);
      assert.equal(((await unsigned.json()) as any).error.code, 'unauthorized');
      const wrong = await deliver(events, { secret: 'not-the-client-secret' });
      assert.equal(wrong.status, 401);
      assert.match(wrong.body.error.message, /signature does not match/);
      const stale = await deliver(events, { timestamp: Date.now() - 6 * 60_000 });
      assert.equal(stale.status, 401);
      assert.match(stale.body.error.message, /5 minutes/);
      const otherUrl = await deliver(events, { signedUrl: 'https://evil.example/webhooks/hubspot' });
      assert.equal(otherUrl.status, 401);
    });

    it('accepts the public URL behind a proxy and the forwarded host', async () => {
      const events = [event({ subscriptionType: 'contact.propertyChange', objectId: 1, propertyName: 'email' })];
      assert.equal((await deliver(events)).status, 200, 'signed for SPOKES_PUBLIC_URL');
      const forwarded = await deliver([event({ subscriptionType: 'contact.propertyChange', objectId: 1, propertyName: 'email' })], {
        signedUrl: 'https://hooks.example.org/webhooks/hubspot',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.org' },
      });
      assert.equal(forwarded.status, 200);
    });

    it('answers 400 to a signed body that is not JSON or not events', async () => {
      const notJson = await deliver(undefined, { body: '[{"eventId":' });
      assert.equal(notJson.status, 400);
      assert.equal(notJson.body.error.code, 'validation_failed');
      const notEvents = await deliver([{ hello: 'world' }]);
      assert.equal(notEvents.status, 400);
      assert.ok(notEvents.body.error.details.some((d: any) => d.field === 'body.0.eventId'));
      assert.equal((await deliver([])).status, 400);
      assert.equal((await deliver({ eventId: 1 })).status, 400);
    });

    it('answers 400 naming the field to a signed body carrying text that cannot be stored (NUL, lone surrogate), and enqueues nothing', async () => {
      const jobs = async () => (await queue.status()).find((q) => q.name === 'hubspot.webhook-events')?.total ?? 0;
      const before = await jobs();
      for (const value of ['+1 720 555\u00000199', 'Ann\uD800']) {
        const res = await deliver([event({ subscriptionType: 'contact.propertyChange', objectId: 9001, propertyName: 'phone', propertyValue: value })]);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'validation_failed');
        assert.deepEqual(
          res.body.error.details.map((d: { field: string }) => d.field),
          ['body.0.propertyValue'],
        );
      }
      assert.equal(await jobs(), before, 'nothing enqueued');
    });

    it('applies a replayed delivery once', async () => {
      const [id] = await createRecords(world, 'contacts', [{ firstname: 'Replay', lastname: 'Once', phone: '+1 720 555 0333' }]);
      await world.sandbox.webhooksIdle();
      await eventually('the created contact', async () => (await ids('+17205550333')).includes(id!));
      await hubspotRequest(world, 'PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { mobilephone: '+1 720 555 0444' } });
      await world.sandbox.webhooksIdle();
      await eventually('the mobile number', async () => (await ids('+17205550444')).includes(id!));

      const replay = [event({ subscriptionType: 'contact.propertyChange', objectId: Number(id), propertyName: 'phone', occurredAt: Date.now() + 1_000 })];
      const readsBefore = batchReads();
      const first = await deliver(replay);
      const again = await deliver(replay);
      const retried = await deliver(replay.map((e) => ({ ...e, attemptNumber: 1 })));
      assert.deepEqual([first.body.duplicate, again.body.duplicate, retried.body.duplicate], [false, true, true]);
      await eventually('the job', async () => batchReads() > readsBefore);
      await jobsIdle({ queue }, WEBHOOK_EVENTS_JOB);
      assert.equal(batchReads() - readsBefore, 1, 'one batch read for the three deliveries');
    });

    it("ends in HubSpot's state whatever the order of events, and skips events older than the index", async () => {
      const [kept, deleted] = await createRecords(world, 'contacts', [
        { firstname: 'Kept', lastname: 'Late', phone: '+1 720 555 0555' },
        { firstname: 'Deleted', lastname: 'Early', phone: '+1 720 555 0666' },
      ]);
      await world.sandbox.webhooksIdle();
      await eventually('both contacts', async () => (await ids('+17205550555')).length === 1 && (await ids('+17205550666')).length === 1);
      // Deleted in HubSpot; its deletion event is delivered and applied.
      await hubspotRequest(world, 'POST', `/crm/v3/objects/contacts/batch/archive`, { inputs: [{ id: deleted }] });
      await world.sandbox.webhooksIdle();
      await eventually('the deletion applied', async () => (await ids('+17205550666')).length === 0);

      const t = Date.now();
      const readsBefore = batchReads();
      // A creation for the deleted contact arrives after its deletion; a stale deletion for the kept one.
      const late = await deliver([
        event({ subscriptionType: 'contact.creation', objectId: Number(deleted), occurredAt: t - 60_000 }),
        event({ subscriptionType: 'contact.deletion', objectId: Number(kept), occurredAt: t + 5_000 }),
        event({ subscriptionType: 'contact.propertyChange', objectId: Number(kept), propertyName: 'phone', occurredAt: t - 3_600_000 }),
      ]);
      assert.equal(late.status, 200);
      await eventually('the job', async () => batchReads() > readsBefore);
      await jobsIdle({ queue }, WEBHOOK_EVENTS_JOB);
      assert.deepEqual(await ids('+17205550666'), [], 'a late creation does not bring a deleted record back');
      assert.deepEqual(await ids('+17205550555'), [kept], 'a deletion HubSpot does not confirm removes nothing');

      const reads = batchReads();
      await deliver([event({ subscriptionType: 'contact.propertyChange', objectId: Number(kept), propertyName: 'phone', occurredAt: t - 3_600_000 })]);
      await jobsIdle({ queue }, WEBHOOK_EVENTS_JOB);
      assert.equal(batchReads(), reads, 'an event older than the indexed version costs no HubSpot call');
    });

    it('ignores events of another portal and of properties the index does not use', async () => {
      const reads = batchReads();
      const res = await deliver([
        event({ subscriptionType: 'contact.propertyChange', objectId: 1, propertyName: 'jobtitle' }),
        event({ subscriptionType: 'contact.creation', objectId: 1, portalId: 999 }),
        event({ subscriptionType: 'deal.creation', objectId: 1 }),
      ]);
      assert.equal(res.status, 200);
      await jobsIdle({ queue }, WEBHOOK_EVENTS_JOB);
      assert.equal(batchReads(), reads);
    });
  });
}
