/**
 * A refresh token HubSpot rejects (app uninstalled, token revoked) puts the
 * connection into "needs re-authorization": calls fail with a clear message,
 * jobs that need HubSpot pause instead of failing, and reconnecting resumes them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startSpokes, signInOverHttp, type AdminHttp, type SpokesUnderTest } from '../support/browser.ts';
import { connectByOAuth } from '../support/hubspot-connect.ts';
import type { HubSpotStatus } from '../../src/hubspot/service.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import { defineJob } from '../../src/jobs/job.ts';
import { createLogger } from '../../src/logger.ts';

describe('HubSpot re-authorization', () => {
  let sandbox: HubSpotSandbox;
  let spokes: SpokesUnderTest;
  let admin: AdminHttp;
  before(async () => {
    sandbox = await startHubSpotSandbox();
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: sandbox.url } });
    admin = await signInOverHttp(spokes);
  });
  after(async () => {
    await spokes?.stop();
    await sandbox?.close();
  });

  it('marks the connection, pauses HubSpot jobs without losing them, and resumes after reconnecting', async () => {
    const { hubspot, database } = spokes.runtime.services;
    await connectByOAuth(hubspot, sandbox);

    // A job type that needs HubSpot, worked by its own queue on the same database.
    const ran: string[] = [];
    const listOwners = defineJob({
      name: 'test.list-owners', schema: z.object({ id: z.string() }), idempotencyKey: (p) => p.id, gate: 'hubspot',
      retry: { limit: 3, delaySeconds: 1 },
      async run(p) {
        await hubspot.api.call('list owners', (c) => c.crm.owners.ownersApi.getPage());
        ran.push(p.id);
      },
    });
    const queue = new JobQueue({ database, jobs: [listOwners], log: createLogger({ level: 'silent' }), gates: { hubspot: () => hubspot.usable() }, gateCheckSeconds: 1 });
    await queue.start();
    await queue.work();
    try {
      await queue.enqueue(listOwners, { id: 'before' });
      for (let i = 0; i < 100 && !ran.includes('before'); i++) await sleep(100);
      assert.deepEqual(ran, ['before']);

      // The admin uninstalled the app in HubSpot; the access token runs out.
      const { refreshToken } = (await hubspot.store.connection())!;
      assert.equal((await fetch(`${sandbox.url}/oauth/v1/refresh-tokens/${refreshToken}`, { method: 'DELETE' })).status, 204);
      await database.query(sql`update hubspot_connection set access_expires_at = now() - interval '1 minute'`);

      await assert.rejects(hubspot.api.call('list owners', (c) => c.crm.owners.ownersApi.getPage()),
        /HubSpot needs re-authorization.*Reconnect it on the HubSpot page/);
      const status = (await (await admin.request('GET', '/api/hubspot')).json()) as HubSpotStatus;
      assert.equal(status.connection?.status, 'needs_reauthorization');
      assert.match(status.connection?.lastError ?? '', /refresh token/i);

      // Jobs enqueued meanwhile wait: not run, not failed.
      await queue.enqueue(listOwners, { id: 'while-broken' });
      await sleep(3_000);
      assert.deepEqual(ran, ['before']);
      const [waiting] = await database.query<{ state: string }>(sql`select state from pgboss.job where name = 'test.list-owners' and data->'payload'->>'id' = 'while-broken'`);
      assert.equal(waiting?.state, 'created');

      // Reconnecting resumes them.
      await connectByOAuth(hubspot, sandbox);
      assert.equal(((await (await admin.request('GET', '/api/hubspot')).json()) as HubSpotStatus).connection?.status, 'connected');
      for (let i = 0; i < 100 && !ran.includes('while-broken'); i++) await sleep(100);
      assert.deepEqual(ran, ['before', 'while-broken']);
    } finally {
      await queue.stop({ timeoutMs: 1_000 });
    }
  });
});
