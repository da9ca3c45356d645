import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { ALL_TIME, allPages, api, control } from '../support/sansan-client.ts';

/** Cards by id; a later version (newer updatedTime) replaces an earlier one, as a sync client keeps them. */
function collect(into: Map<string, any>, cards: any[]): void {
  for (const c of cards) {
    const seen = into.get(c.id);
    if (!seen || seen.updatedTime < c.updatedTime) into.set(c.id, c);
  }
}

describe('Sansan emulator: paging with nextPageToken', () => {
  let sb: SansanSandbox;
  let key: string;
  let otherKey: string;
  const base = { ...ALL_TIME, range: 'all', includePastBizCards: true, entryStatus: ['completed', 'processing', 'unreadable'] };

  before(async () => {
    sb = await startSansanSandbox({ seed: { cards: 700, seed: 11 }, limits: { requestsPerSecond: 0 } });
    [key, otherKey] = sb.info().apiKeys.map((k) => k.key);
  });
  after(() => sb.close());

  it('pages through a window in a stable order, each card once, the same set in either direction', async () => {
    const asc = await allPages(sb, key, '/bizCards', { ...base, limit: 45 });
    const desc = await allPages(sb, key, '/bizCards', { ...base, limit: 300, orderDirection: 'desc' });
    const one = await api(sb, key, '/bizCards', { ...base, limit: 300 });
    assert.ok(asc.pages > 10);
    const ascIds = asc.cards.map((c) => c.id);
    assert.equal(new Set(ascIds).size, ascIds.length, 'no card twice');
    assert.deepEqual([...ascIds].sort(), desc.cards.map((c) => c.id).sort());
    assert.deepEqual(
      ascIds.slice(0, 300),
      one.body.data.map((c: { id: string }) => c.id),
      'page boundaries do not change the order',
    );
    const times = asc.cards.map((c) => Date.parse(c.updatedTime));
    assert.ok(
      times.every((t, i) => i === 0 || times[i - 1] <= t),
      'ordered by updatedTime',
    );
    const byRegistration = await allPages(sb, key, '/bizCards', { ...base, orderBy: 'registeredAt', limit: 70 });
    assert.deepEqual(byRegistration.cards.map((c) => c.id).sort(), [...ascIds].sort());
  });

  it('skips no card when cards are updated, deleted and created between pages', async () => {
    const before = (await allPages(sb, key, '/bizCards', { ...base, limit: 300 })).cards.map((c) => c.id);
    const first = await api(sb, key, '/bizCards', { ...base, limit: 40 });
    const seenFirst = first.body.data.map((c: { id: string }) => c.id);
    const seenEarly = seenFirst[5];
    const unseen = before.slice(100, 103);
    assert.equal((await control(sb, 'PATCH', `/sandbox/cards/${seenEarly}`, { title: 'Seen, then changed' })).status, 200);
    assert.equal((await control(sb, 'PATCH', `/sandbox/cards/${unseen[0]}`, { title: 'Changed before it was reached' })).status, 200);
    assert.equal((await control(sb, 'DELETE', `/sandbox/cards/${unseen[1]}`)).status, 204);
    const created = (await control(sb, 'POST', '/sandbox/cards', { lastName: '新規', firstName: '登録', companyName: '新星商事株式会社' })).body.id;

    const rest: any[] = [];
    let page = first.body;
    while (page.hasMore) {
      const next = await api(sb, key, '/bizCards', { nextPageToken: page.nextPageToken, limit: 40 });
      assert.equal(next.status, 200, JSON.stringify(next.body));
      page = next.body;
      rest.push(...page.data);
    }
    const seen = [...seenFirst, ...rest.map((c) => c.id)];
    for (const id of before) if (id !== unseen[1]) assert.ok(seen.includes(id), `card ${id} was skipped`);
    assert.ok(!seen.includes(unseen[1]), 'the deleted card is gone');
    assert.ok(seen.includes(created), 'the new card is reached');
    assert.equal(rest.find((c) => c.id === unseen[0]).title, 'Changed before it was reached');
    assert.equal(rest.find((c) => c.id === seenEarly).title, 'Seen, then changed', 'a card changed after it was read comes again');
    assert.equal(seen.filter((id) => id === unseen[0]).length, 1);
  });

  it('lets a client that moves its window with an overlap see every change made while it paged', async () => {
    const t1 = new Date(Date.now() - 1).toISOString();
    const windowOne = { ...base, updatedTo: t1, limit: 60 };
    const known = new Map<string, any>();
    const first = await api(sb, key, '/bizCards', windowOne);
    collect(known, first.body.data);
    const unreached = (
      await api(sb, key, '/bizCards/search', { range: 'all', includePastBizCards: true, orderBy: 'updatedAt', orderDirection: 'desc', limit: 1 })
    ).body.data[0].id;
    assert.equal((await control(sb, 'PATCH', `/sandbox/cards/${unreached}`, { memo: 'changed while the client paged' })).status, 200);
    let page = first.body;
    while (page.hasMore) {
      page = (await api(sb, key, '/bizCards', { nextPageToken: page.nextPageToken })).body;
      collect(known, page.data);
    }
    // The next poll: from the last window's end minus an overlap, to now.
    const overlapMs = 5 * 60_000;
    const next = await allPages(sb, key, '/bizCards', {
      ...base,
      updatedFrom: new Date(Date.parse(t1) - overlapMs).toISOString(),
      updatedTo: new Date(Date.now() + 1000).toISOString(),
      limit: 300,
    });
    collect(known, next.cards);
    const everything = (await allPages(sb, key, '/bizCards', { ...base, limit: 300 })).cards;
    assert.deepEqual([...known.keys()].sort(), everything.map((c) => c.id).sort());
    assert.equal(known.get(unreached).memo, 'changed while the client paged');
  });

  it('binds a token to its query and its API key, refuses edited tokens, and lets it be sent alone', async () => {
    const first = await api(sb, key, '/bizCards', { ...base, limit: 10 });
    const token = first.body.nextPageToken;
    const same = await api(sb, key, '/bizCards', { ...base, limit: 25, nextPageToken: token });
    assert.equal(same.status, 200, 'the same parameters with the token (another page size)');
    assert.equal(same.body.data.length, 25);
    const alone = await api(sb, key, '/bizCards', { nextPageToken: token });
    assert.equal(alone.status, 200);
    assert.deepEqual(
      alone.body.data.map((c: { id: string }) => c.id),
      same.body.data.slice(0, 10).map((c: { id: string }) => c.id),
      'the token remembers the page size',
    );
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['another range', { ...base, range: 'me', nextPageToken: token }, /range differs/],
      ['another window', { ...base, updatedFrom: '2001-01-01T00:00:00Z', nextPageToken: token }, /updatedFrom differs/],
      ['edited', { nextPageToken: `${token.slice(0, -3)}AAA` }, /not a token/],
    ];
    for (const [what, query, message] of cases) {
      const res = await api(sb, key, '/bizCards', query as Record<string, string>);
      assert.equal(res.status, 400, what);
      assert.equal(res.body.errors[0].field, 'nextPageToken');
      assert.match(res.body.errors[0].message, message, what);
    }
    assert.match((await api(sb, otherKey, '/bizCards', { nextPageToken: token })).body.errors[0].message, /another API key/);
    assert.match((await api(sb, key, '/bizCards/search', { nextPageToken: token })).body.errors[0].message, /another listing/);
  });

  it('expires tokens after pageTokenTtlSeconds', async () => {
    const token = (await api(sb, key, '/bizCards', { ...base, limit: 10 })).body.nextPageToken;
    sb.advanceClock(sb.info().limits.pageTokenTtlSeconds * 1000 + 1);
    const res = await api(sb, key, '/bizCards', { nextPageToken: token });
    assert.equal(res.status, 400);
    assert.match(res.body.errors[0].message, /expired/);
  });
});
