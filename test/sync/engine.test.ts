/**
 * The sync engine on both database engines, against the HubSpot and Sansan
 * emulators: initial and incremental passes, echo suppression, each conflict
 * rule, a record leaving the filter (excluded, never deleted), the merge of
 * cards sharing an e-mail (D8), dry run writing nothing, mappings refused
 * against HubSpot's definitions, and 429s from both sides waited out.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines } from '../support/databases.ts';
import { cardSync } from '../../src/connectors/sansan/cards.ts';
import { syncSettingsSchema } from '../../src/sync/engine/settings.ts';
import { startSyncWorld, STANDARD_MAPPINGS, type SyncWorld } from './sync-world.ts';

for (const engine of engines) {
  describe(`sync engine on ${engine}`, () => {
    let w: SyncWorld;
    before(async () => {
      w = await startSyncWorld(engine);
    });
    after(async () => {
      await w?.close();
    });

    it('creates contacts from cards, matched by e-mail case-insensitively, and skips its own writes on the next pass', async () => {
      await w.card({ lastName: '田中', firstName: '花子', companyName: '株式会社サンプル', email: 'Hanako.Tanaka@Sample.example', title: '課長' });
      await w.card({ lastName: 'No', firstName: 'Email', companyName: 'Nowhere Ltd' });
      await w.card({ lastName: 'Bad', companyName: 'Broken', email: 'not-an-email' });
      const first = await w.pass();
      assert.equal(first.initial, true);
      assert.equal(first.created, 1);
      assert.equal(first.excluded, 2);
      const c = await w.contact('hanako.tanaka@sample.example');
      assert.equal(c?.properties.lastname, '田中');
      assert.equal(c?.properties.jobtitle, '課長');

      // The overlap re-reads the last cards; the stored hash says HubSpot already holds them.
      const audits = await w.auditCount();
      const second = await w.pass();
      assert.equal(second.initial, false);
      assert.equal(second.created + second.updated, 0);
      assert.equal(second.hubspotRequests, 0, 'nothing is sent to HubSpot for unchanged cards');
      assert.equal(await w.auditCount(), audits);
      const health = await w.h.engine.health(cardSync, w.connectionId);
      assert.deepEqual(health.counts, { synced: 1, excluded: 2, failing: 0 });
      assert.deepEqual(health.excluded.map((e) => e.reason).sort(), ['invalid e-mail "not-an-email"', 'no e-mail']);
    });

    it('applies each conflict rule; a value missing on the winning side changes nothing', async () => {
      const card = await w.card({ lastName: '佐々木', companyName: 'Alpha KK', title: 'Engineer', email: 'sasaki@alpha.example' });
      await w.pass();
      const contact = await w.contact('sasaki@alpha.example');
      // Someone edits the contact in HubSpot after the card's last change.
      const patch = await fetch(`${w.hubspotSandbox.url}/crm/v3/objects/contacts/${contact!.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${w.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { company: 'Alpha (HubSpot edit)', jobtitle: '' } }),
      });
      assert.equal(patch.status, 200);
      // Most recent wins: HubSpot's edit is newer than the card; its emptied title is filled from the card.
      await w.pass({ conflict: 'recent' });
      let now = await w.contact('sasaki@alpha.example');
      assert.equal(now?.properties.company, 'Alpha (HubSpot edit)');
      assert.equal(now?.properties.jobtitle, 'Engineer');
      // Always HubSpot: a newer card still does not overwrite.
      await w.patchCard(card.id, { companyName: 'Alpha KK (card edit)' });
      await w.pass({ conflict: 'hubspot' });
      now = await w.contact('sasaki@alpha.example');
      assert.equal(now?.properties.company, 'Alpha (HubSpot edit)');
      // Most recent wins: the card is newer now.
      await w.pass({ conflict: 'recent' });
      assert.equal((await w.contact('sasaki@alpha.example'))?.properties.company, 'Alpha KK (card edit)');
      // Always Sansan: HubSpot's later edit is overwritten on the next change of the card.
      await fetch(`${w.hubspotSandbox.url}/crm/v3/objects/contacts/${contact!.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${w.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { company: 'Edited again' } }),
      });
      await w.patchCard(card.id, { title: 'Lead engineer' });
      await w.pass({ conflict: 'remote' });
      now = await w.contact('sasaki@alpha.example');
      assert.equal(now?.properties.company, 'Alpha KK (card edit)');
      assert.equal(now?.properties.jobtitle, 'Lead engineer');
    });

    it('merges cards sharing an e-mail, newest card winning field by field (D8), shown in health', async () => {
      const old = await w.card({ lastName: '鈴木', companyName: 'Old Co', title: '主任', tel: '03-1111-2222', email: 'suzuki@merge.example' });
      await w.sansan.advanceClock(1_000);
      const newer = await w.card({ lastName: '鈴木', companyName: 'New Co', email: 'SUZUKI@merge.example' });
      await w.pass();
      const c = await w.contact('suzuki@merge.example');
      assert.equal(c?.properties.company, 'New Co');
      assert.equal(c?.properties.jobtitle, '主任', 'the newest card has no title: the older one gives it');
      assert.equal(c?.properties.phone, '03-1111-2222');
      const health = await w.h.engine.health(cardSync, w.connectionId);
      const merge = health.merges.find((m) => m.email === 'suzuki@merge.example');
      assert.deepEqual(merge?.records, [newer.id, old.id]);
      assert.equal(merge?.fields.companyName, newer.id);
      assert.equal(merge?.fields.title, old.id);
    });

    it('excludes a card that leaves the filter and never deletes its contact (D7)', async () => {
      const card = await w.card({ lastName: 'Filter', companyName: 'Keep KK', email: 'leaves@filter.example', tags: ['展示会'] });
      const tagId = (await (await fetch(`${w.sansan.url}/sandbox/cards/${card.id}`)).json()).tags?.[0]?.id as string | undefined;
      const cfg = { tagIds: tagId ? [tagId] : [] };
      await w.pass({}, cfg);
      assert.ok(await w.contact('leaves@filter.example'));
      await w.patchCard(card.id, { tags: ['別のタグ'] });
      await w.pass({}, cfg);
      assert.ok(await w.contact('leaves@filter.example'), 'still in HubSpot');
      const health = await w.h.engine.health(cardSync, w.connectionId);
      assert.equal(health.excluded.find((e) => e.remoteId === card.id)?.reason, 'none of the selected tags');
    });

    it('dry run reports what it would do, with examples, and writes nothing', async () => {
      await w.card({ lastName: 'Preview', companyName: 'Dry KK', email: 'dry@run.example' });
      const before = { contacts: (await w.emails()).length, audit: await w.auditCount() };
      const report = await w.h.engine.dryRun('sansan', cardSync, { connectionId: w.connectionId, settings: w.settings(), config: w.config });
      assert.ok(report.create >= 1, JSON.stringify(report));
      assert.ok(report.examples.create.some((e) => e.email === 'dry@run.example'));
      assert.ok(report.excluded >= 2);
      assert.equal((await w.emails()).length, before.contacts);
      assert.equal(await w.auditCount(), before.audit);
      assert.equal(await w.contact('dry@run.example'), null);
    });

    it('refuses a mapping to a missing property or of the wrong type, naming it', async () => {
      const bad = syncSettingsSchema.parse({
        mappings: [
          ...STANDARD_MAPPINGS,
          { remote: ['memo'], hubspot: 'no_such_property' },
          { remote: ['title'], hubspot: 'hs_lead_status', coercion: 'number' },
        ],
      });
      await assert.rejects(w.h.engine.validate(cardSync, bad), (err: Error & { details?: { field: string }[] }) => {
        const fields = err.details?.map((d) => d.field) ?? [];
        assert.ok(fields.includes(`sync.mappings.${STANDARD_MAPPINGS.length}.hubspot`), JSON.stringify(err.details));
        assert.ok(fields.includes(`sync.mappings.${STANDARD_MAPPINGS.length + 1}.coercion`), JSON.stringify(err.details));
        return true;
      });
      await w.h.engine.validate(cardSync, w.settings());
    });

    it('two-way: a contact new in HubSpot becomes one Sansan card (POST /bizCards), and its return is not bounced', async () => {
      const twoWay = { direction: 'both' as const, mappings: STANDARD_MAPPINGS.map((m) => (m.remote.length === 1 ? { ...m, direction: 'both' as const } : m)) };
      await w.pass(twoWay);
      const res = await fetch(`${w.hubspotSandbox.url}/crm/v3/objects/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { email: 'two.way@hubspot-first.example', lastname: 'Ito', firstname: 'Ken', company: 'HubSpot First KK' } }),
      });
      assert.equal(res.status, 201);
      const pushed = await w.pass(twoWay);
      assert.equal(pushed.pushed, 1);
      const key = w.sansan.info().apiKeys[0]!.key;
      const cards = async () =>
        (
          (await (
            await fetch(`${w.sansan.info().apiBaseUrl}/bizCards/search?email=two.way@hubspot-first.example&range=all`, { headers: { 'X-Sansan-Api-Key': key } })
          ).json()) as { data: { companyName: string }[] }
        ).data;
      assert.deepEqual(
        (await cards()).map((c) => c.companyName),
        ['HubSpot First KK'],
      );
      const audits = await w.auditCount();
      const back = await w.pass(twoWay);
      assert.equal(back.created + back.updated + (back.pushed ?? 0), 0, 'the new card coming back is recognised, not written to HubSpot again');
      assert.equal(await w.auditCount(), audits);
      assert.equal((await cards()).length, 1);
    });

    it('waits out 429s from Sansan and from HubSpot', async () => {
      for (let i = 0; i < 5; i++) await w.card({ lastName: `Limit${i}`, companyName: 'Busy KK', email: `limit${i}@busy.example` });
      w.sansan.setFaults({ rateLimitCount: 2, retryAfterSeconds: 1 });
      w.hubspotSandbox.setFaults({ rateLimitProbability: 0.5, seed: 3, pathPrefixes: ['/crm/v3/objects/contacts/batch'] });
      try {
        await w.pass();
      } finally {
        w.sansan.setFaults({});
        w.hubspotSandbox.setFaults({});
      }
      for (let i = 0; i < 5; i++) assert.ok(await w.contact(`limit${i}@busy.example`), `limit${i}`);
      const emails = await w.emails();
      assert.equal(new Set(emails).size, emails.length, 'no contact twice');
    });
  });
}
