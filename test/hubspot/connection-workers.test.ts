/**
 * The HubSpot connection shared by several worker processes on PostgreSQL:
 * one token refresh for everyone at expiry, and one rate budget that keeps
 * three busy workers clear of HubSpot's 429s without losing a write.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import type { HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import type { Database } from '../../src/db/open.ts';
import type { HubSpotService } from '../../src/hubspot/service.ts';
import { postgresUrl } from '../support/databases.ts';
import { routeCount } from '../support/hubspot-connect.ts';
import { type SharedConnection, startSharedConnection, startWorker } from '../support/hubspot-workers.ts';

describe('HubSpot connection across worker processes (PostgreSQL)', { skip: postgresUrl ? false : 'needs TEST_DATABASE_URL' }, () => {
  let shared: SharedConnection;
  let sandbox: HubSpotSandbox;
  let database: Database;
  let hubspot: HubSpotService;
  let env: Record<string, string>;

  before(async () => {
    shared = await startSharedConnection();
    ({ sandbox, database, hubspot, env } = shared);
  });
  after(() => shared?.close());

  it('refreshes the token exactly once when 3 workers × 20 callers need it at the same moment', async () => {
    const before = routeCount(sandbox, '/oauth/v1/token');
    const { accessToken: old } = await hubspot.tokens.accessToken();
    // The token is about to expire: every caller sees it inside the refresh window.
    await database.query(sql`update hubspot_connection set access_expires_at = now() + interval '60 seconds'`);
    const workers = [1, 2, 3].map(() => startWorker({ ...env, MODE: 'refresh' }));
    await Promise.all(workers.map((w) => w.line(/^ready$/)));
    for (const w of workers) w.child.stdin!.write('go\n');
    const results = await Promise.all(
      workers.map(async (w) => JSON.parse(await w.line(/^\{/)) as { distinctTokens: number; token: string; refreshes: number }),
    );
    await Promise.all(workers.map((w) => w.done));

    assert.equal(routeCount(sandbox, '/oauth/v1/token') - before, 1, 'one token request reached HubSpot');
    assert.equal(
      results.reduce((n, r) => n + r.refreshes, 0),
      1,
      'one process refreshed',
    );
    assert.ok(
      results.every((r) => r.distinctTokens === 1),
      'each process handed one token to all its callers',
    );
    assert.equal(new Set(results.map((r) => r.token)).size, 1, 'all processes use the same new token');
    assert.notEqual(results[0]!.token, old);
    const check = await fetch(`${sandbox.url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${results[0]!.token}` } });
    assert.equal(check.status, 200, 'the new token works');
  });

  // Past one 10-second window, so the shared budget is tested across its boundary; the throughput over 30 s is
  // a figure of bench/hubspot-workers.bench.ts.
  it('keeps 3 workers writing for 12 s under the 10-second limit: no 429, no write lost', async () => {
    const before = sandbox.stats();
    const workers = ['a', 'b', 'c'].map((tag) => startWorker({ ...env, MODE: 'hammer', DURATION_MS: '12000', TAG: tag }));
    const results = await Promise.all(workers.map(async (w) => JSON.parse(await w.line(/^\{/)) as { written: number; rateLimited: number }));
    await Promise.all(workers.map((w) => w.done));
    const after = sandbox.stats();

    const written = results.reduce((n, r) => n + r.written, 0);
    assert.equal(after.rateLimited - before.rateLimited, 0, 'HubSpot answered no 429');
    const portalId = await hubspot.api.portalId();
    const { total } = await hubspot.api.call('count', (c) =>
      c.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'EQ' as never, value: 'Hammer' }] }],
        limit: 1,
      }),
    );
    assert.equal(total, written, 'every write is in HubSpot');
    assert.ok(portalId > 0);
    assert.ok(written > 0, 'the workers wrote');
  });
});
