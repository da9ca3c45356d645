import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, installApp, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox controls', () => {
  let env: ContractSandbox;
  let base: string;
  let pat: string;
  const control = (path: string, body: unknown) => call(base, 'POST', `/sandbox/${path}`, { body });
  const contacts = () => call(base, 'GET', '/crm/v3/objects/contacts?limit=1', { token: pat });

  before(async () => {
    env = await startContractSandbox();
    base = env.sandbox.url;
    pat = env.sandbox.info().portals[0].privateAppToken;
  });
  after(() => env.stop());

  it('describes itself at /sandbox/info with the names outside scripts rely on', async () => {
    const info = (await call(base, 'GET', '/sandbox/info')).body;
    assert.equal(info.system, 'hubspot');
    assert.equal(info.baseUrl, base);
    assert.match(info.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(
      info.portals.map((p: { type: string }) => p.type),
      ['STANDARD', 'STANDARD', 'DEVELOPER_TEST'],
    );
    for (const portal of info.portals) {
      assert.equal(typeof portal.portalId, 'number');
      assert.equal(typeof portal.name, 'string');
      assert.match(portal.privateAppToken, /^pat-na1-[0-9a-f-]{36}$/);
    }
    for (const app of info.apps) {
      assert.equal(typeof app.appId, 'number');
      assert.match(app.clientId, /^[0-9a-f-]{36}$/);
      assert.equal(typeof app.clientSecret, 'string');
      assert.ok(Array.isArray(app.redirectUrls));
    }
  });

  it('registers apps through POST /sandbox/apps', async () => {
    const created = await control('apps', { name: 'Registered', redirectUrls: ['https://spokes.example/callback'], scopes: ['oauth'] });
    assert.equal(created.status, 201);
    assert.ok(env.sandbox.info().apps.some((a) => a.clientId === created.body.clientId));
    const bad = await control('apps', { name: 'No redirects', redirectUrls: ['not a url'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
    assert.equal(bad.body.error.details[0].field, 'body.redirectUrls.0');
  });

  it('injects 429s, 5xx, latency and dropped connections, and {} clears them', async () => {
    assert.equal((await control('faults', { rateLimitProbability: 1 })).status, 200);
    const limited = await contacts();
    assert.equal(limited.status, 429);
    assert.equal(limited.body.policyName, 'TEN_SECONDLY_ROLLING');
    assert.equal((await call(base, 'GET', '/sandbox/info')).status, 200, 'controls are never faulted');

    await control('faults', { serverErrorProbability: 1, serverErrorStatuses: [503] });
    const failed = await contacts();
    assert.equal(failed.status, 503);
    assert.ok(failed.body.correlationId);

    await control('faults', { latencyMs: 150 });
    const started = performance.now();
    assert.equal((await contacts()).status, 200);
    assert.ok(performance.now() - started >= 140);

    await control('faults', { dropConnectionProbability: 1 });
    await assert.rejects(contacts(), /fetch failed|socket|terminated/i);

    await control('faults', {});
    assert.equal((await contacts()).status, 200);
    const stats = env.sandbox.stats();
    assert.deepEqual([stats.faults.rateLimit, stats.faults.serverError, stats.faults.dropped], [1, 1, 1]);
  });

  it('names the offending field for bad control bodies', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['faults', { rateLimitProbability: 2 }, 'body.rateLimitProbability'],
      ['faults', { explode: true }, 'body'],
      ['seed', { contacts: -1 }, 'body.contacts'],
      ['clock', { advanceMs: 'soon' }, 'body.advanceMs'],
      ['oauth/approve', { clientId: 'x' }, 'body.redirectUri'],
    ];
    for (const [path, body, field] of cases) {
      const response = await control(path, body);
      assert.equal(response.status, 400, path);
      assert.ok(
        response.body.error.details.some((d: { field: string }) => d.field === field),
        `${path}: ${JSON.stringify(response.body)}`,
      );
    }
  });

  it('approves installs programmatically, like "Connect app"', async () => {
    const app = env.sandbox.info().apps[0];
    const approved = await control('oauth/approve', {
      clientId: app.clientId,
      redirectUri: app.redirectUrls[0],
      scopes: app.scopes,
      state: 's1',
      portalId: env.sandbox.info().portals[0].portalId,
    });
    assert.equal(approved.status, 200);
    const location = new URL(approved.body.redirectUrl);
    assert.equal(location.searchParams.get('state'), 's1');
    assert.equal(location.searchParams.get('code'), approved.body.code);
    const refused = await control('oauth/approve', {
      clientId: app.clientId,
      redirectUri: app.redirectUrls[0],
      scopes: ['oauth'],
      portalId: env.sandbox.info().portals[0].portalId,
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /insufficient/);
  });

  it('moves the clock forward so tokens expire', async () => {
    const installed = await installApp(env.sandbox);
    const moved = await control('clock', { advanceSeconds: 1801 });
    assert.ok(moved.body.offsetMs >= 1_801_000);
    const expired = await call(base, 'GET', '/crm/v3/objects/contacts', { token: installed.accessToken });
    assert.equal(expired.body.category, 'EXPIRED_AUTHENTICATION');
  });

  it('resets to fresh portals while keeping registered apps and private-app tokens', async () => {
    await call(base, 'POST', '/crm/v3/objects/contacts', { token: pat, body: { properties: { email: 'before-reset@example.com' } } });
    const apps = env.sandbox.info().apps.map((a) => a.clientId);
    const reset = await control('reset', {});
    assert.equal(reset.status, 200);
    assert.deepEqual(
      env.sandbox.info().apps.map((a) => a.clientId),
      apps,
    );
    const after = await contacts();
    assert.equal(after.status, 200);
    assert.deepEqual(after.body.results, []);
  });
});
