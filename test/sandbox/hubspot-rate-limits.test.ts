import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, installApp, startContractSandbox, type ContractSandbox, type InstalledApp } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox rate limits', () => {
  let env: ContractSandbox;
  let app: InstalledApp;
  const get = (token: string) => call(env.sandbox.url, 'GET', '/crm/v3/objects/contacts?limit=1', { token });

  before(async () => {
    env = await startContractSandbox({ limits: { tenSecondly: 4, privateAppTenSecondly: 3, daily: 5, searchPerSecond: 2 } });
    app = await installApp(env.sandbox);
  });
  after(() => env.stop());

  it('allows `tenSecondly` OAuth calls per app and portal in a rolling 10 s window, with headers', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 4; i++) {
      const ok = await get(app.accessToken);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('x-hubspot-ratelimit-max'), '4');
      assert.equal(ok.headers.get('x-hubspot-ratelimit-interval-milliseconds'), '10000');
      assert.equal(ok.headers.get('x-hubspot-ratelimit-daily'), null, 'no daily headers on OAuth calls');
      remaining.push(ok.headers.get('x-hubspot-ratelimit-remaining')!);
    }
    assert.deepEqual(remaining, ['3', '2', '1', '0']);
    const limited = await get(app.accessToken);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.status, 'error');
    assert.equal(limited.body.errorType, 'RATE_LIMIT');
    assert.equal(limited.body.policyName, 'TEN_SECONDLY_ROLLING');
    assert.equal(limited.body.message, 'You have reached your ten_secondly_rolling limit.');
    assert.ok(limited.body.correlationId);
    assert.equal(limited.headers.get('x-hubspot-ratelimit-remaining'), '0');

    // Another app in the same portal has its own budget.
    const other = await installApp(env.sandbox, { name: 'Other app' });
    assert.equal((await get(other.accessToken)).status, 200);

    env.sandbox.advanceClock(5_000);
    assert.equal((await get(app.accessToken)).status, 429, 'still inside the rolling window');
    env.sandbox.advanceClock(5_001);
    assert.equal((await get(app.accessToken)).status, 200, 'the window rolled');
  });

  it('gives private-app tokens their own burst limit plus a daily cap with Daily headers', async () => {
    const pat = env.sandbox.info().portals[1].privateAppToken;
    const first = await get(pat);
    assert.equal(first.headers.get('x-hubspot-ratelimit-max'), '3');
    assert.equal(first.headers.get('x-hubspot-ratelimit-daily'), '5');
    assert.equal(first.headers.get('x-hubspot-ratelimit-daily-remaining'), '4');
    await get(pat);
    await get(pat);
    const burst = await get(pat);
    assert.equal(burst.body.policyName, 'TEN_SECONDLY_ROLLING');
    env.sandbox.advanceClock(10_001);
    await get(pat);
    await get(pat);
    const daily = await get(pat);
    assert.equal(daily.status, 429);
    assert.equal(daily.body.policyName, 'DAILY');
    assert.equal(daily.body.message, 'You have reached your daily limit.');
    assert.equal(daily.headers.get('x-hubspot-ratelimit-daily-remaining'), '0');
  });

  it('limits search per second per portal in its own bucket, without rate-limit headers', async () => {
    env.sandbox.advanceClock(10_001);
    const search = () => call(env.sandbox.url, 'POST', '/crm/v3/objects/contacts/search', { token: app.accessToken, body: {} });
    assert.equal((await search()).status, 200);
    assert.equal((await search()).status, 200);
    const limited = await search();
    assert.equal(limited.status, 429);
    assert.equal(limited.body.policyName, 'SECONDLY');
    assert.equal(limited.body.message, 'You have reached your secondly limit.');
    assert.equal(limited.headers.get('x-hubspot-ratelimit-max'), null);
    // Searches do not spend the ten-secondly budget.
    assert.equal((await get(app.accessToken)).headers.get('x-hubspot-ratelimit-remaining'), '3');
    env.sandbox.advanceClock(1_001);
    assert.equal((await search()).status, 200);
  });

  it('counts requests and 429s per portal, app and route in /sandbox/stats', async () => {
    const stats = (await call(env.sandbox.url, 'GET', '/sandbox/stats')).body;
    const portal = stats.byPortal[String(app.portalId)];
    assert.ok(portal.rateLimited >= 2);
    const byApp = portal.byApp[String(app.appId)];
    assert.ok(byApp.byRoute['GET /crm/v3/objects/:objectType']['429'] >= 1);
    assert.ok(byApp.byRoute['POST /crm/v3/objects/:objectType/search']['429'] >= 1);
    assert.ok(stats.byPortal[String(env.sandbox.info().portals[1].portalId)].byApp['private-app'].requests >= 6);
    assert.equal(stats.rateLimited, env.sandbox.stats().rateLimited);
  });
});
