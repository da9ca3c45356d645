import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { ALL_TIME, api, control } from '../support/sansan-client.ts';

describe('Sansan emulator: rate limit, faults and controls', () => {
  let sb: SansanSandbox;
  let key: string;
  let otherKey: string;

  before(async () => {
    // Another version than the default, to prove the option moves the base path.
    sb = await startSansanSandbox({ apiVersion: 'v3.1', seed: { cards: 40, seed: 2 } });
    [key, otherKey] = sb.info().apiKeys.map((k) => k.key);
  });
  after(() => sb.close());
  beforeEach(() => sb.reset());

  it('describes itself at /sandbox/info with the fields scripts rely on', async () => {
    const info = (await control(sb, 'GET', '/sandbox/info')).body;
    assert.equal(info.system, 'sansan');
    assert.equal(info.baseUrl, sb.url);
    assert.equal(info.apiBaseUrl, `${sb.url}/v3.1`);
    assert.equal(info.apiKeys.length, 3);
    for (const k of info.apiKeys) {
      assert.deepEqual(Object.keys(k), ['key', 'userId', 'name', 'email']);
      assert.match(k.key, /^[A-Za-z0-9]{32}$/);
    }
    assert.equal(info.limits.requestsPerSecond, 10);
    assert.equal((await api(sb, key, '/me')).status, 200);
    assert.equal((await fetch(`${sb.url}/v3.2/me`, { headers: { 'X-Sansan-Api-Key': key } })).status, 404);
  });

  it('allows 10 requests per rolling second per key, then 429 with retry_after', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => api(sb, key, '/me')));
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length > 0, 'a burst of 30 is refused in part');
    assert.ok(answers.every((a) => a.status === 200 || a.status === 429));
    assert.equal(refused[0].body.retry_after, 1);
    assert.equal(refused[0].body.errors[0].code, 'rate_limit_exceeded');
    assert.equal(refused[0].headers.get('retry-after'), null, 'the documented API sends no rate-limit headers');
    // Accepted requests, by emulator time: never more than 10 in any second.
    const accepted = sb
      .requests()
      .filter((r) => r.status === 200)
      .map((r) => Date.parse(r.at));
    for (const t of accepted) assert.ok(accepted.filter((u) => u > t - 1000 && u <= t).length <= 10);
    assert.equal((await api(sb, otherKey, '/me')).status, 200, 'another key has its own budget');
    sb.advanceClock(1_000);
    assert.equal((await api(sb, key, '/me')).status, 200, 'a second later the key may call again');
  });

  it('injects 429 bursts and 5xx storms for the next requests', async () => {
    assert.equal((await control(sb, 'POST', '/sandbox/faults', { rateLimitCount: 2, retryAfterSeconds: 3 })).status, 200);
    const limited = [await api(sb, key, '/me'), await api(sb, key, '/me'), await api(sb, key, '/me')];
    assert.deepEqual(
      limited.map((a) => a.status),
      [429, 429, 200],
    );
    assert.equal(limited[0].body.retry_after, 3);
    sb.setFaults({ serverErrorCount: 2, serverErrorStatuses: [500] });
    const storm = [await api(sb, key, '/me'), await api(sb, key, '/me'), await api(sb, key, '/me')];
    assert.deepEqual(
      storm.map((a) => a.status),
      [500, 500, 200],
    );
    assert.equal(storm[0].body.errors[0].code, 'internal_error');
    sb.setFaults({ serverErrorCount: 1, serverErrorStatuses: [503] });
    const gateway = await api(sb, key, '/me');
    assert.equal(gateway.status, 503);
    assert.match(gateway.body, /<html>/, "a gateway page, not the API's JSON");
    const seen = (await control(sb, 'GET', '/sandbox/requests')).body;
    assert.deepEqual(seen.injected, { rateLimit: 2, serverError: 3, dropped: 0, delayed: 0 });
  });

  it('delays answers, drops connections, limits faults to path prefixes', async () => {
    sb.setFaults({ latencyMs: 200, pathPrefixes: ['/me'] });
    const t0 = performance.now();
    await api(sb, key, '/me');
    assert.ok(performance.now() - t0 >= 190);
    assert.equal((await api(sb, key, '/tags')).status, 200);
    assert.equal((await control(sb, 'GET', '/sandbox/requests')).body.injected.delayed, 1, 'only /me was delayed');
    sb.setFaults({ dropConnectionCount: 1 });
    await assert.rejects(api(sb, key, '/me'), /fetch failed/);
    assert.equal((await api(sb, key, '/me')).status, 200);
  });

  it('revokes an API key while the fault is set', async () => {
    sb.setFaults({ revokedApiKeys: [key] });
    const revoked = await api(sb, key, '/bizCards', ALL_TIME);
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.errors[0].code, 'invalid_api_key');
    assert.equal((await api(sb, otherKey, '/me')).status, 200);
    await control(sb, 'POST', '/sandbox/faults', {});
    assert.equal((await api(sb, key, '/me')).status, 200);
  });

  it('creates, changes and deletes cards as a user would in Sansan', async () => {
    const created = await control(sb, 'POST', '/sandbox/cards', {
      lastName: '村上',
      firstName: '修',
      companyName: '株式会社光システムズ',
      title: '主任',
      email: 'osamu.murakami@hikari-systems.example',
      tel: '03-5555-0101',
      tags: ['展示会 2025 春'],
      ownerUserId: sb.info().apiKeys[1].userId,
    });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9A-F]{32}$/);
    assert.equal(created.body.entryStatus, 'completed');
    const id = created.body.id;
    const read = async () => (await api(sb, otherKey, `/bizCards/${id}`, { includeTags: true })).body.item;
    const before = await read();
    assert.deepEqual(
      before.tags.map((t: { name: string }) => t.name),
      ['展示会 2025 春'],
    );

    const patched = await control(sb, 'PATCH', `/sandbox/cards/${id}`, { title: '係長', tel: null });
    assert.equal(patched.status, 200);
    const after = await read();
    assert.equal(after.title, '係長');
    assert.equal(after.tel, null);
    assert.equal(after.email, before.email, 'a partial update');
    assert.ok(after.updatedTime > before.updatedTime, 'the update time moves');
    const feed = await api(sb, otherKey, '/bizCards', { updatedFrom: before.updatedTime, updatedTo: '2100-01-01T00:00:00Z' });
    assert.deepEqual(
      feed.body.data.map((c: { id: string }) => c.id),
      [id],
      'the change is in the feed',
    );

    assert.equal((await control(sb, 'DELETE', `/sandbox/cards/${id}`)).status, 204);
    assert.equal((await api(sb, otherKey, `/bizCards/${id}`)).status, 404);
    assert.equal((await control(sb, 'DELETE', `/sandbox/cards/${id}`)).status, 404);
  });

  it("answers bad control bodies with 400 naming the field, in Spokes' error shape", async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/sandbox/cards', { lastName: 'A', ownerUserId: 'nobody' }, 'ownerUserId'],
      ['POST', '/sandbox/cards', { lastName: 'A', phone: '1' }, 'phone'],
      ['POST', '/sandbox/cards', { memo: 'no name' }, 'companyName'],
      ['POST', '/sandbox/faults', { rateLimitProbability: 2 }, 'rateLimitProbability'],
      ['POST', '/sandbox/seed', { cards: -1 }, 'cards'],
      ['POST', '/sandbox/tags', { name: 'x', type: 'team', ownerUserId: '1000001' }, 'type'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await control(sb, method, path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.equal(res.body.error.details[0].field, field);
    }
  });

  it('resets to the start-up tenant with the same keys and no faults', async () => {
    const infoBefore = sb.info();
    await control(sb, 'POST', '/sandbox/cards', { companyName: 'Reset Me Ltd.' });
    sb.setFaults({ revokedApiKeys: [key] });
    const reset = await control(sb, 'POST', '/sandbox/reset');
    assert.equal(reset.status, 200);
    assert.deepEqual(reset.body.apiKeys, infoBefore.apiKeys);
    assert.equal(reset.body.counts.cards, infoBefore.counts.cards);
    assert.equal((await api(sb, key, '/me')).status, 200);
  });
});
