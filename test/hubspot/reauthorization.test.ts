/**
 * A refresh token HubSpot rejects (app uninstalled, token revoked) puts the
 * connection into "needs re-authorization": calls fail with a clear message,
 * jobs that need HubSpot pause instead of failing, and reconnecting resumes them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { connectByOAuth } from '../support/hubspot-connect.ts';
import type { HubSpotStatus } from '../../src/hubspot/service.ts';
import { requestPhoneIndexSync } from '../../src/hubspot/phone/index.ts';

describe('HubSpot re-authorization', () => {
  let sandbox: HubSpotSandbox;
  let spokes: Spokes;
  let admin: AdminHttp;
  before(async () => {
    sandbox = await startHubSpotSandbox();
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: sandbox.url } });
    admin = await signInOverHttp(spokes);
  });
  after(async () => {
    await spokes?.close();
    await sandbox?.close();
  });

  it('marks the connection, pauses HubSpot jobs without losing them, and resumes after reconnecting', async () => {
    const { hubspot, database, queue } = spokes.runtime.services;
    await connectByOAuth(hubspot, sandbox);
    const state = async (id: string) => (await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`))[0]?.state;
    const settled = async (id: string) => {
      for (let i = 0; i < 150; i++) {
        const s = await state(id);
        if (s === 'completed' || s === 'failed') return s;
        await sleep(100);
      }
      return state(id);
    };
    // A job that needs HubSpot (a phone index pass) runs while the connection is good.
    const before = await requestPhoneIndexSync(queue, 'incremental', Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(await settled(before.id), 'completed');

    // The admin uninstalled the app in HubSpot; the access token runs out.
    const { refreshToken } = (await hubspot.store.connection())!;
    assert.equal((await fetch(`${sandbox.url}/oauth/v1/refresh-tokens/${refreshToken}`, { method: 'DELETE' })).status, 204);
    await database.query(sql`update hubspot_connection set access_expires_at = now() - interval '1 minute'`);

    await assert.rejects(
      hubspot.api.call('list owners', (c) => c.crm.owners.ownersApi.getPage()),
      /HubSpot needs re-authorization.*Reconnect it on the HubSpot page/,
    );
    const status = (await (await admin.request('GET', '/api/hubspot')).json()) as HubSpotStatus;
    assert.equal(status.connection?.status, 'needs_reauthorization');
    assert.match(status.connection?.lastError ?? '', /refresh token/i);

    // Jobs enqueued meanwhile wait: not run, not failed.
    const during = await requestPhoneIndexSync(queue, 'incremental', Date.parse('2030-01-01T00:01:00Z'));
    await sleep(3_000);
    assert.equal(await state(during.id), 'created');

    // Reconnecting resumes them.
    await connectByOAuth(hubspot, sandbox);
    assert.equal(((await (await admin.request('GET', '/api/hubspot')).json()) as HubSpotStatus).connection?.status, 'connected');
    assert.equal(await settled(during.id), 'completed');
  });
});
