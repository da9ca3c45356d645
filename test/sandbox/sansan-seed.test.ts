import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { ALL_TIME, allPages, api, control } from '../support/sansan-client.ts';

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

describe('Sansan emulator: the seed generator', () => {
  let sb: SansanSandbox;
  let key: string;

  before(async () => {
    sb = await startSansanSandbox({ seed: false, limits: { requestsPerSecond: 0 } });
    key = sb.info().apiKeys[0].key;
  });
  after(() => sb.close());

  const everything = { ...ALL_TIME, range: 'all', includePastBizCards: true, entryStatus: ['completed', 'processing', 'unreadable'], limit: 300 };

  it('generates 100,000 cards in a few seconds, and a client pages through them at 300 a page', { timeout: 100_000 }, async () => {
    // CPU time, not wall time: the machine is shared, and the emulator runs in this process.
    const heapBefore = process.memoryUsage().heapUsed;
    let cpu = process.cpuUsage();
    const t0 = performance.now();
    const seeded = await control(sb, 'POST', '/sandbox/seed', { cards: 100_000, seed: 42 });
    const seedMs = performance.now() - t0;
    const seedCpuMs = cpuMs(process.cpuUsage(cpu));
    assert.equal(seeded.status, 200);
    assert.equal(seeded.body.cards, 100_000);
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    cpu = process.cpuUsage();
    const t1 = performance.now();
    const { cards, pages } = await allPages(sb, key, '/bizCards', everything);
    const pageMs = performance.now() - t1;
    const pageCpuMs = cpuMs(process.cpuUsage(cpu));
    process.stdout.write(
      `# sansan seed: 100,000 cards in ${Math.round(seedMs)} ms (${Math.round(seedCpuMs)} ms CPU, heap +${Math.round(heapMb)} MB); ` +
        `paged ${cards.length} cards in ${pages} pages in ${Math.round(pageMs)} ms (${Math.round(pageCpuMs)} ms CPU for client and emulator together, ${(pageMs / pages).toFixed(1)} ms a page)\n`,
    );
    assert.ok(seedCpuMs < 10_000, `seeding took ${Math.round(seedCpuMs)} ms of CPU`);
    assert.ok(heapMb < 400, `heap grew ${Math.round(heapMb)} MB`);
    assert.equal(new Set(cards.map((c) => c.id)).size, cards.length, 'each card once');
    assert.ok(cards.length > 95_000 && cards.length <= 100_000, 'all but the few cards restricted to other users');
    assert.equal(pages, Math.ceil(cards.length / 300));
    assert.ok(pageCpuMs < 40_000, `paging took ${Math.round(pageCpuMs)} ms of CPU`);
  });

  it('generates cards in Japanese and English with readings, several per person, shared and missing e-mails, past cards and over 300 tags', async () => {
    const summary = (await control(sb, 'POST', '/sandbox/seed', { cards: 3_000, seed: 7 })).body;
    assert.ok(summary.tags.public + summary.tags.shared + summary.tags.private > 300);
    const { cards } = await allPages(sb, key, '/bizCards', everything);
    const completed = cards.filter((c) => c.entryStatus === 'completed');
    const japanese = completed.filter((c) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(c.lastName));
    const english = completed.filter((c) => /^[A-Za-z]+$/.test(c.lastName));
    assert.ok(japanese.length > 1_000 && english.length > 200, `${japanese.length} Japanese, ${english.length} English`);
    assert.ok(
      japanese.every((c) => /^[\u30a0-\u30ff]+$/.test(c.lastNameReading)),
      'Japanese names carry katakana readings',
    );
    assert.ok(english.some((c) => c.lastNameReading) && english.some((c) => !c.lastNameReading), 'some English names carry readings');
    const byPerson = Map.groupBy(completed, (c) => c.personId);
    assert.ok(
      [...byPerson.values()].some((list) => list.length >= 3),
      'persons with several cards',
    );
    const byEmail = Map.groupBy(
      completed.filter((c) => c.email),
      (c) => c.email.toLowerCase(),
    );
    const shared = [...byEmail.values()].filter((list) => new Set(list.map((c) => c.personId)).size > 1);
    assert.ok(
      shared.some((list) => list[0].email.startsWith('info@')),
      "an info@ address on several persons' cards",
    );
    assert.ok(completed.filter((c) => !c.email).length > 100, 'cards without e-mail');
    assert.ok(
      cards.some((c) => c.entryStatus !== 'completed'),
      'cards still being digitised or unreadable',
    );
    const heads = (await allPages(sb, key, '/bizCards', { ...everything, includePastBizCards: false })).cards;
    const left = cards.length - heads.length;
    // The seed counts every past card; a user does not see those restricted to other users.
    assert.ok(left > 0.9 * summary.pastCards && left <= summary.pastCards, `past cards are left out by default (${left} of ${summary.pastCards})`);
    assert.ok(
      heads.every((c) => !byPerson.get(c.personId)?.some((o) => o.id !== c.id && o.exchangeDate > c.exchangeDate)),
      "what is left is each person's newest card",
    );
    const tagged = (await api(sb, key, '/bizCards', { ...everything, includeTags: true })).body.data;
    assert.ok(tagged.some((c: { tags: unknown[] }) => c.tags.length > 0));
    let tagCount = 0;
    for (
      let res = await api(sb, key, '/tags', { range: 'all', type: ['public', 'shared'] });
      ;
      res = await api(sb, key, '/tags', { nextPageToken: res.body.nextPageToken })
    ) {
      tagCount += res.body.data.length;
      if (!res.body.hasMore) break;
    }
    assert.ok(tagCount > 250, `${tagCount} public and shared tags for the picker`);
  });

  it('generates the same tenant from the same seed and another from another seed', async () => {
    const content = async (seed: number) => {
      await control(sb, 'POST', '/sandbox/seed', { cards: 500, seed });
      const { cards } = await allPages(sb, key, '/bizCards', { ...everything, orderBy: 'registeredAt' });
      // Times follow the clock at seeding; everything else comes from the seed.
      return cards.map((c) => [c.id, c.personId, c.lastName, c.firstName, c.email, c.companyName, c.exchangeDate.length].join('|')).sort();
    };
    const [a, b, c] = [await content(5), await content(5), await content(6)];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});
