import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { ALL_TIME, api, apiPost, control } from '../support/sansan-client.ts';

describe("Sansan emulator: the Open API as one tenant's users see it", () => {
  let sb: SansanSandbox;
  let k1: string; // 山田 太郎: may see the tenant's cards
  let k2: string; // 佐藤 花子: likewise
  let k3: string; // Emily Clark: only her own cards
  const ids: Record<string, string> = {};
  const tags: Record<string, string> = {};
  const card = async (name: string, body: Record<string, unknown>) => {
    const res = await control(sb, 'POST', '/sandbox/cards', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids[name] = res.body.id;
    return res.body;
  };

  before(async () => {
    // The 10 requests/s limit has its own test (sansan-limits-faults); here it would only slow the file down.
    sb = await startSansanSandbox({ seed: false, limits: { requestsPerSecond: 0 } });
    const keys = sb.info().apiKeys;
    [k1, k2, k3] = keys.map((k) => k.key);
    const [u1, u2, u3] = keys.map((k) => k.userId);
    tags.private1 = (await control(sb, 'POST', '/sandbox/tags', { name: '山田の個人メモ', type: 'private', ownerUserId: u1 })).body.id;
    tags.shared21 = (await control(sb, 'POST', '/sandbox/tags', { name: '花子と共有', type: 'shared', ownerUserId: u2, sharedWithUserIds: [u1] })).body.id;
    const c1 = await card('c1', {
      ownerUserId: u1,
      lastName: '田中',
      firstName: '一郎',
      lastNameReading: 'タナカ',
      firstNameReading: 'イチロウ',
      companyName: '株式会社テスト商事',
      departmentName: '営業部',
      title: '課長',
      email: 'Ichiro.Tanaka@test-shoji.example',
      tel: '03-1234-5678',
      mobile: '090-1111-2222',
      exchangeDate: '2023-04-01',
      tags: ['展示会 2024', '山田の個人メモ'],
    });
    tags.public = c1.tags.find((t: { type: string }) => t.type === 'public').id;
    await card('c2', {
      ownerUserId: u2,
      lastName: 'Smith',
      firstName: 'John',
      companyName: 'Contoso Inc.',
      email: 'john.smith@contoso.example',
      countryCode: 'US',
      tags: ['花子と共有'],
    });
    await card('c3', { ownerUserId: u2, lastName: '佐藤', firstName: '次郎', companyName: '秘密工業株式会社', visibility: 'owner' });
    await card('c4', { ownerUserId: u3, lastName: 'Lee', firstName: 'Wei', companyName: 'Lucerne Pte. Ltd.', email: 'wei.lee@lucerne.example' });
    // The same person's newer card (same name and e-mail): c1 becomes a past card.
    await card('c5', {
      ownerUserId: u1,
      lastName: '田中',
      firstName: '一郎',
      companyName: '株式会社テスト商事',
      title: '部長',
      email: 'ichiro.tanaka@test-shoji.example',
      exchangeDate: '2025-01-10',
    });
    await card('c6', { ownerUserId: u1, lastName: '鈴木', firstName: '三郎', companyName: '鈴木建設株式会社' });
  });
  after(() => sb.close());

  const feed = async (key: string, query: Record<string, string | number | boolean | string[] | undefined> = {}) => {
    const res = await api(sb, key, '/bizCards', { ...ALL_TIME, ...query });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const names = (data: Array<{ id: string }>) => data.map((c) => Object.keys(ids).find((k) => ids[k] === c.id));

  it('answers 401 invalid_api_key without a key or with an unknown one', async () => {
    for (const key of [undefined, 'a'.repeat(32)]) {
      const res = await api(sb, key, '/bizCards', ALL_TIME);
      assert.equal(res.status, 401);
      assert.equal(res.body.errors[0].code, 'invalid_api_key');
    }
  });

  it('requires updatedFrom and updatedTo, ISO 8601 with an offset, and names each bad parameter', async () => {
    const missing = await api(sb, k1, '/bizCards');
    assert.equal(missing.status, 400);
    assert.deepEqual(
      missing.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]),
      [
        ['updatedFrom', 'required'],
        ['updatedTo', 'required'],
      ],
    );
    const noOffset = await api(sb, k1, '/bizCards', { updatedFrom: '2024-01-01T00:00:00', updatedTo: ALL_TIME.updatedTo });
    assert.equal(noOffset.status, 400);
    assert.equal(noOffset.body.errors[0].field, 'updatedFrom');
    const res = await fetch(`${sb.info().apiBaseUrl}/bizCards?updatedFrom=2024-01-01T00:00:00+09:00&updatedTo=2024-02-01T00:00:00%2B09:00`, {
      headers: { 'X-Sansan-Api-Key': k1 },
    });
    const plus = await res.json();
    assert.equal(res.status, 400, 'an unencoded + is a space');
    assert.match(plus.errors[0].message, /%2B/);
    const reversed = await api(sb, k1, '/bizCards', { updatedFrom: ALL_TIME.updatedTo, updatedTo: ALL_TIME.updatedFrom });
    assert.equal(reversed.body.errors[0].field, 'updatedTo');
    for (const [query, field] of [
      [{ limit: 0 }, 'limit'],
      [{ limit: 301 }, 'limit'],
      [{ entryStatus: 'done' }, 'entryStatus'],
      [{ orderBy: 'name' }, 'orderBy'],
      [{ range: 'team' }, 'range'],
      [{ includeTags: 'yes' }, 'includeTags'],
    ] as const) {
      const bad = await api(sb, k1, '/bizCards', { ...ALL_TIME, ...query });
      assert.equal(bad.status, 400, JSON.stringify(query));
      assert.equal(bad.body.errors[0].field, field);
    }
  });

  it("lists the key user's cards (range=me) or every card the user may see (range=all), newest card of each person only", async () => {
    const me = await feed(k1);
    assert.deepEqual(names(me.data), ['c5', 'c6'], 'range=me by default; c1 is a past card');
    assert.deepEqual(Object.keys(me).sort(), ['data', 'hasMore', 'nextPageToken']);
    assert.equal(me.hasMore, false);
    assert.deepEqual(names((await feed(k1, { range: 'all' })).data), ['c2', 'c4', 'c5', 'c6'], 'not c3: restricted to its owner');
    assert.deepEqual(names((await feed(k2, { range: 'all' })).data), ['c2', 'c3', 'c4', 'c5', 'c6']);
    assert.deepEqual(names((await feed(k3, { range: 'all' })).data), ['c4'], 'a user without the right sees only their own');
    assert.deepEqual(names((await feed(k1, { range: 'all', includePastBizCards: true })).data), ['c1', 'c2', 'c4', 'c5', 'c6']);
    assert.deepEqual(names((await feed(k1, { range: 'all', orderDirection: 'desc' })).data), ['c6', 'c5', 'c4', 'c2']);
  });

  it("shows a card's fields, and with includeTags only the tags the caller may see", async () => {
    const own = await api(sb, k1, `/bizCards/${ids.c1}`, { includeTags: true });
    assert.equal(own.status, 200);
    const c = own.body.item;
    assert.equal(c.lastNameReading, 'タナカ');
    assert.equal(c.companyName, '株式会社テスト商事');
    assert.match(c.updatedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00$/);
    assert.equal(c.exchangeDate, '2023-04-01');
    assert.equal(c.entryStatus, 'completed');
    assert.deepEqual(c.owner, { id: sb.info().apiKeys[0].userId, name: '山田 太郎' });
    assert.equal(c.personId, (await api(sb, k1, `/bizCards/${ids.c5}`)).body.item.personId, 'one person');
    assert.deepEqual(c.tags.map((t: { type: string }) => t.type).sort(), ['private', 'public']);
    const other = await api(sb, k2, `/bizCards/${ids.c1}`, { includeTags: true });
    assert.deepEqual(
      other.body.item.tags.map((t: { type: string }) => t.type),
      ['public'],
      "another user's private tag stays hidden",
    );
    assert.equal((await api(sb, k1, `/bizCards/${ids.c1}`)).body.item.tags, undefined, 'no tags without includeTags');
    const cardTags = await api(sb, k2, `/bizCards/${ids.c1}/tags`);
    assert.deepEqual(
      cardTags.body.data.map((t: { id: string }) => t.id),
      [tags.public],
    );
    assert.equal(cardTags.body.hasMore, false);
  });

  it('answers 404 for a card the user may not see, as for one that does not exist', async () => {
    assert.equal((await api(sb, k2, `/bizCards/${ids.c3}`)).status, 200);
    for (const id of [ids.c3, 'F'.repeat(32)]) {
      const res = await api(sb, k1, `/bizCards/${id}`);
      assert.equal(res.status, 404);
      assert.equal(res.body.errors[0].code, 'not_found');
    }
    assert.equal((await api(sb, k3, `/bizCards/${ids.c2}/tags`)).status, 404);
  });

  it('searches by company (partial), name (prefix), e-mail (exact), phone digits and tags', async () => {
    const search = async (key: string, query: Record<string, string | string[] | boolean>) => {
      const res = await api(sb, key, '/bizCards/search', { range: 'all', ...query });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return names(res.body.data).sort();
    };
    assert.deepEqual(await search(k1, { companyName: 'テスト' }), ['c5']);
    assert.deepEqual(await search(k1, { companyName: 'テスト', includePastBizCards: true }), ['c1', 'c5']);
    assert.deepEqual(await search(k1, { name: '田中一' }), ['c5']);
    assert.deepEqual(await search(k1, { name: '一郎' }), [], 'a prefix of last and first name');
    assert.deepEqual(await search(k1, { email: 'ICHIRO.tanaka@test-shoji.example', includePastBizCards: true }), ['c1', 'c5']);
    assert.deepEqual(await search(k1, { email: 'tanaka@test-shoji.example' }), [], 'e-mail is exact');
    assert.deepEqual(await search(k1, { tel: '1234-56', includePastBizCards: true }), ['c1']);
    assert.deepEqual(await search(k1, { mobile: '09011112222', includePastBizCards: true }), ['c1']);
    assert.deepEqual(await search(k1, { tagId: [tags.shared21, tags.public], includePastBizCards: true }), ['c1', 'c2'], 'tags are ORed');
    assert.deepEqual(await search(k2, { tagId: tags.private1, includePastBizCards: true }), [], "another user's private tag finds nothing");
    assert.deepEqual(await search(k1, { companyName: 'contoso', name: 'Smith' }), ['c2'], 'criteria are ANDed, case-insensitive');
    assert.deepEqual(await search(k3, { companyName: 'Contoso' }), []);
    assert.equal((await api(sb, k1, '/bizCards/search', { orderBy: 'completedAt' })).status, 400);
  });

  it('gives a person with the newest card the caller may see as its head', async () => {
    const personId = (await api(sb, k1, `/bizCards/${ids.c1}`)).body.item.personId;
    const res = await api(sb, k2, `/persons/${personId}`, { includeTags: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.item.id, personId);
    assert.equal(res.body.item.headBizCard.id, ids.c5);
    assert.equal(res.body.item.headBizCard.title, '部長');
    assert.equal((await api(sb, k3, `/persons/${personId}`)).status, 404);
  });

  it('lists tags by type and owner, each user seeing public tags, their own private ones and those shared with them', async () => {
    const list = async (key: string, query: Record<string, string | string[]>) => {
      const res = await api(sb, key, '/tags', query);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((t: { id: string }) => t.id).sort();
    };
    assert.deepEqual(await list(k1, { range: 'all' }), [tags.private1, tags.shared21, tags.public].sort());
    assert.deepEqual(await list(k1, { range: 'all', type: ['public', 'shared'] }), [tags.shared21, tags.public].sort());
    assert.deepEqual(await list(k1, { range: 'me' }), [tags.private1, tags.public].sort(), 'me: the tags I own');
    assert.deepEqual(await list(k3, { range: 'all' }), [tags.public]);
    assert.deepEqual(await list(k1, { range: 'all', tagName: '共有' }), [tags.shared21]);
    assert.deepEqual(await list(k1, { range: 'all', ownerUserId: sb.info().apiKeys[1].userId }), [tags.shared21]);
    assert.equal((await api(sb, k1, '/tags', { type: 'secret' })).status, 400);
    assert.equal((await api(sb, k1, '/tags', { tagName: 'x'.repeat(51) })).body.errors[0].field, 'tagName');
  });

  it("registers a card with POST /bizCards for the key's user, and it joins the feed", async () => {
    const created = await apiPost(sb, k3, '/bizCards', {
      lastName: '高橋',
      firstName: '美咲',
      lastNameReading: 'タカハシ',
      firstNameReading: 'ミサキ',
      companyName: '富士電機株式会社',
      email: 'misaki.takahashi@fuji-denki.example',
      exchangeDate: '2025-03-03',
      tagIds: [tags.public],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const item = created.body.item;
    assert.equal(item.owner.id, sb.info().apiKeys[2].userId);
    assert.equal(item.entryStatus, 'completed');
    assert.deepEqual(
      item.tags.map((t: { id: string }) => t.id),
      [tags.public],
    );
    ids.c7 = item.id;
    assert.deepEqual(names((await feed(k3)).data), ['c4', 'c7']);
    const problems = [
      [{ memo: 'no name' }, 'companyName'],
      [{ lastName: 'x'.repeat(251) }, 'lastName'],
      [{ lastName: '高橋', phone: '03' }, 'phone'],
      [{ lastName: '高橋', tagIds: [tags.private1] }, 'tagIds'],
      [{ lastName: '高橋', exchangeDate: '2025-02-30' }, 'exchangeDate'],
    ] as const;
    for (const [body, field] of problems) {
      const res = await apiPost(sb, k3, '/bizCards', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.errors[0].field, field);
    }
    assert.equal((await apiPost(sb, k3, '/bizCards', '{"lastName":')).body.errors[0].field, 'body');
  });

  it("answers /me with the key's user, and 404 outside the API's paths and version", async () => {
    assert.deepEqual((await api(sb, k2, '/me')).body.item, { id: '1000002', name: '佐藤 花子', email: 'hanako.sato@sansan-tenant.example' });
    assert.equal((await api(sb, k1, '/companies')).status, 404);
    const otherVersion = await fetch(`${sb.url}/v2.5/bizCards`, { headers: { 'X-Sansan-Api-Key': k1 } });
    assert.equal(otherVersion.status, 404);
    assert.equal((await otherVersion.json()).errors[0].code, 'not_found');
  });
});
