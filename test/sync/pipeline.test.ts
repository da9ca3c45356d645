/**
 * The pass's pipeline (src/sync/engine/pipeline.ts) against the emulators: 2,000 seeded cards — seven
 * pages saved at once, one person's cards spread over pages in flight together, cards sharing a
 * company's info@ address — end with one contact per e-mail holding the newest card's values field by
 * field (D8), exactly as if the pages had been saved one after another, on PGlite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emailKey } from '../../src/sync/engine/settings.ts';
import { startSyncWorld, type SyncWorld } from './sync-world.ts';

interface Card {
  id: string;
  updatedTime: string;
  entryStatus?: string;
  email?: string | null;
  companyName?: string | null;
  title?: string | null;
  lastName?: string | null;
}

const CARDS = 2_000;

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`sync pipeline on ${engine}`, () => {
    let w: SyncWorld;
    before(async () => {
      w = await startSyncWorld(engine, { cards: CARDS });
    });
    after(() => w?.close());

    it('merges every person’s cards across pages in flight as one page after another would, with no duplicate', async () => {
      const pass = await w.pass();
      assert.ok(pass.pages >= 7, `pages: ${pass.pages}`);

      // What Sansan holds, read straight from its API; the expected contact per e-mail: newest card first, field by field.
      const info = w.sansan.info();
      const cards: Card[] = [];
      let token: string | null = null;
      do {
        const q: URLSearchParams = token
          ? new URLSearchParams({ nextPageToken: token })
          : new URLSearchParams({
              updatedFrom: '2000-01-01T00:00:00Z',
              updatedTo: '2100-01-01T00:00:00Z',
              range: 'all',
              includePastBizCards: 'true',
              limit: '300',
            });
        const res = await fetch(`${info.apiBaseUrl}/bizCards?${q}`, { headers: { 'X-Sansan-Api-Key': info.apiKeys[0]!.key } });
        assert.equal(res.status, 200);
        const page = (await res.json()) as { data: Card[]; hasMore: boolean; nextPageToken: string | null };
        cards.push(...page.data);
        token = page.hasMore ? page.nextPageToken : null;
      } while (token);
      // The key's user sees the cards shared with everyone and their own (a few are another user's alone).
      assert.ok(cards.length > CARDS * 0.9 && cards.length <= CARDS, `cards: ${cards.length}`);
      const byEmail = new Map<string, Card[]>();
      for (const c of cards) {
        const key = emailKey(c.email);
        if (c.entryStatus && c.entryStatus !== 'completed') continue;
        if (key) byEmail.set(key, [...(byEmail.get(key) ?? []), c]);
      }
      const shared = [...byEmail.values()].filter((list) => list.length > 1);
      assert.ok(shared.length >= 100, `e-mails on several cards: ${shared.length}`);

      const emails = await w.emails();
      assert.equal(new Set(emails).size, emails.length, 'no e-mail twice in HubSpot');
      assert.deepEqual(new Set(emails), new Set(byEmail.keys()));
      const newest = (list: Card[], field: 'companyName' | 'title' | 'lastName') =>
        [...list].sort((a, b) => Date.parse(b.updatedTime) - Date.parse(a.updatedTime) || (a.id < b.id ? -1 : 1)).find((c) => c[field]?.trim())?.[field] ??
        null;
      for (const list of shared) {
        const email = emailKey(list[0]!.email)!;
        const contact = await w.contact(email);
        assert.ok(contact, email);
        assert.equal(contact.properties.company ?? null, newest(list, 'companyName'), `${email}: company`);
        assert.equal(contact.properties.jobtitle ?? null, newest(list, 'title'), `${email}: job title`);
        assert.equal(contact.properties.lastname ?? null, newest(list, 'lastName'), `${email}: last name`);
      }

      // The checkpoint passed every page: the next pass finds nothing to write.
      const again = await w.pass();
      assert.equal(again.created + again.updated, 0, JSON.stringify(again));
    });
  });
}
