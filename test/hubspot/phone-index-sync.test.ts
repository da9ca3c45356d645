/**
 * Building the phone index from HubSpot and keeping it fresh: a full build
 * against a seeded emulator (through the 10,000-result cap, shrunk here so the
 * restarts happen with few records), records sharing one timestamp, a killed
 * build that resumes, and the incremental pass picking up changes and deletions.
 */
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { PhoneIndex } from '../../src/hubspot/phone/phone-index.ts';
import { PhoneIndexSync, type PageProgress } from '../../src/hubspot/phone/index-sync.ts';
import { IndexCursors } from '../../src/hubspot/phone/index-cursors.ts';
import { normalizePhone } from '../../src/hubspot/phone/normalize.ts';
import { countryToRegion } from '../../src/hubspot/phone/hubspot-records.ts';
import { engines } from '../support/databases.ts';
import { createRecords, FAST, hubspotRequest, startHubSpotWorld, type HubSpotWorld } from './harness.ts';

const CAP = 50;
const PAGE = 20;

interface ApiContact {
  id: string;
  properties: Record<string, string | undefined>;
}

for (const engine of engines) {
  describe(`phone index sync (${engine})`, () => {
    let world: HubSpotWorld;
    let index: PhoneIndex;
    const sync = (onPage?: (p: PageProgress) => void) =>
      new PhoneIndexSync({
        // No overlap: the emulator's search is immediately consistent, so each pass reads exactly what changed.
        database: world.database,
        api: world.hubspot.api,
        index,
        log: world.log,
        pageSize: PAGE,
        resultCap: CAP,
        overlapMs: 0,
        onPage,
      });

    before(async () => {
      world = await startHubSpotWorld(engine, {
        sandbox: { limits: { ...FAST.sandboxLimits, searchResultCap: CAP }, seed: { contacts: 300, companies: 30, owners: 3, seed: 7 } },
        budget: FAST.budget,
      });
      index = new PhoneIndex({ database: world.database, defaultRegion: 'US', currentPortalId: async () => world.portalId });
    });
    after(async () => world.close());

    async function allContacts(): Promise<ApiContact[]> {
      const out: ApiContact[] = [];
      let after: string | undefined;
      do {
        const page = await hubspotRequest(
          world,
          'GET',
          `/crm/v3/objects/contacts?limit=100&properties=phone,mobilephone,country,associatedcompanyid,firstname,lastname${after ? `&after=${after}` : ''}`,
        );
        out.push(...page.body.results);
        after = page.body.paging?.next?.after;
      } while (after);
      return out;
    }

    async function assertIndexed(contacts: ApiContact[]): Promise<void> {
      for (const c of contacts) {
        const region = countryToRegion(c.properties.country) ?? 'US';
        for (const raw of [c.properties.phone, c.properties.mobilephone]) {
          if (!raw || !normalizePhone(raw, region)?.e164) continue;
          const found = await index.lookup(raw, { region });
          assert.ok(
            found.records.some((r) => r.objectId === c.id),
            `contact ${c.id} by "${raw}" (${region})`,
          );
        }
      }
    }

    it('builds the index from an empty table, restarting each query before the result cap', async () => {
      const reports = await sync().run('incremental');
      assert.deepEqual(
        reports.map((r) => [r.objectType, r.ran, r.records]),
        [
          ['contact', 'full', 300],
          ['company', 'full', 30],
        ],
        'the first pass for a portal is a full build',
      );
      // 300 contacts through windows of at most 50 results: at least 300/40 queries, each page ≤ 20.
      assert.ok(reports[0]!.searches >= 300 / PAGE, `${reports[0]!.searches} searches`);
      assert.deepEqual(await index.count(world.portalId), { contact: 300, company: 30 });
      const contacts = await allContacts();
      await assertIndexed(contacts);
      const withCompany = contacts.find((c) => c.properties.associatedcompanyid)!;
      const match = await index.lookup(withCompany.properties.phone, { region: countryToRegion(withCompany.properties.country) ?? 'US' });
      const entry = match.records.find((r) => r.objectId === withCompany.id);
      if (entry) {
        assert.equal(entry.companyId, withCompany.properties.associatedcompanyid, 'the primary company comes with the contact');
        assert.equal(entry.label, `${withCompany.properties.firstname} ${withCompany.properties.lastname}`);
      }
      const stats = world.sandbox.stats();
      assert.equal(stats.rateLimited, 0);
      const refused = Object.entries(stats.byRoute).filter(([, byStatus]) => byStatus['400']);
      assert.deepEqual(refused, [], 'no query ever paged beyond the cap');
    });

    it('indexes every record when more records than the cap share one last-modified time', async () => {
      const frozen = Date.now() - 60_000;
      mock.timers.enable({ apis: ['Date'], now: frozen });
      let ids: string[];
      try {
        ids = await createRecords(
          world,
          'contacts',
          Array.from({ length: 130 }, (_, i) => ({
            firstname: 'Tied',
            lastname: String(i),
            phone: `+1 212 555 ${String(1000 + i)}`,
          })),
        );
      } finally {
        mock.timers.reset();
      }
      const same = await hubspotRequest(world, 'POST', '/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'EQ', value: String(frozen) }] }],
        limit: 1,
      });
      assert.equal(same.body.total, 130, 'all share one timestamp');
      const [contacts] = await sync().run('incremental');
      assert.equal(contacts!.ran, 'incremental');
      for (const [i, id] of ids!.entries()) {
        assert.deepEqual(
          (await index.lookup(`(212) 555-${1000 + i}`)).records.map((r) => r.objectId),
          [id],
        );
      }
    });

    it('resumes a killed full build from its saved cursor and finishes it', async () => {
      const killer = new AbortController();
      let pages = 0;
      const first = sync((p) => {
        if (p.objectType === 'contact' && ++pages === 5) killer.abort(new Error('worker killed'));
      });
      await assert.rejects(first.run('full', killer.signal), /killed/);
      const cursors = new IndexCursors(world.database.db);
      const state = await cursors.read(world.portalId, 'contact');
      assert.ok(state?.buildStartedAt, 'the build is marked as under way');
      assert.ok((state?.buildCursor ?? 0) > 0, 'its cursor was saved');

      const seen: number[] = [];
      const reports = await sync((p) => {
        if (p.objectType === 'contact') seen.push(p.records);
      }).run('incremental');
      assert.equal(reports[0]!.ran, 'resumed-full');
      const reread = seen.reduce((a, b) => a + b, 0);
      assert.ok(reread < 430, `the resumed build reads only what was left (${reread} of 430 contacts)`);
      assert.equal((await cursors.read(world.portalId, 'contact'))?.buildStartedAt, null);
      assert.deepEqual(await index.count(world.portalId), { contact: 430, company: 30 });
      await assertIndexed(await allContacts());
    });

    it('picks up changed, new and deleted records in the incremental pass', async () => {
      const contacts = await allContacts();
      const changed =
        contacts.find((c) => c.properties.phone && normalizePhone(c.properties.phone, 'US')?.e164 === null && c.properties.country === 'United States') ??
        contacts[0]!;
      const deleted = contacts[1]!;
      const oldPhone = changed.properties.phone!;
      assert.equal(
        (await hubspotRequest(world, 'PATCH', `/crm/v3/objects/contacts/${changed.id}`, { properties: { phone: '+1 303 555 0177', lastname: 'Renamed' } }))
          .status,
        200,
      );
      assert.equal((await hubspotRequest(world, 'DELETE', `/crm/v3/objects/contacts/${deleted.id}`)).status, 204);
      const [created] = await createRecords(world, 'contacts', [{ firstname: 'New', lastname: 'Caller', phone: '+44 20 7946 0999' }]);
      const companies = await hubspotRequest(world, 'GET', '/crm/v3/objects/companies?limit=1&properties=phone');
      const company = companies.body.results[0];
      await hubspotRequest(world, 'PATCH', `/crm/v3/objects/companies/${company.id}`, { properties: { name: 'Renamed Holdings', phone: '+81 3-1234-9999' } });

      const reports = await sync().run('incremental');
      assert.deepEqual(
        reports.map((r) => r.ran),
        ['incremental', 'incremental'],
      );
      assert.ok(reports[0]!.records < 50, `only what changed is read (${reports[0]!.records})`);
      const now = await index.lookup('303-555-0177');
      assert.deepEqual(
        now.records.map((r) => [r.objectId, r.label?.endsWith('Renamed')]),
        [[changed.id, true]],
      );
      const before = await index.lookup(oldPhone, { region: countryToRegion(changed.properties.country) ?? 'US' });
      assert.ok(!before.records.some((r) => r.objectId === changed.id), 'the old number no longer matches');
      assert.deepEqual(
        (await index.lookup('+442079460999')).records.map((r) => r.objectId),
        [created],
      );
      assert.deepEqual(
        (await index.lookup('+81 3 1234 9999')).records.map((r) => [r.objectType, r.objectId, r.label]),
        [['company', company.id, 'Renamed Holdings']],
      );
      assert.equal(reports[0]!.removed, 1, 'the deleted contact left the index');
      const gone = await index.lookup(deleted.properties.phone, { region: countryToRegion(deleted.properties.country) ?? 'US' });
      assert.ok(!gone.records.some((r) => r.objectId === deleted.id));
    });

    it('removes in a full build what HubSpot no longer has', async () => {
      await index.upsert(world.portalId, [
        { objectType: 'contact', objectId: '99999999', label: 'Ghost', companyId: null, modifiedAt: null, phones: { phone: '+1 505 555 0100' } },
      ]);
      assert.equal((await index.lookup('+15055550100')).records.length, 1);
      const reports = await sync().run('full');
      assert.equal(reports[0]!.ran, 'full');
      assert.ok(reports[0]!.removed >= 1);
      assert.deepEqual((await index.lookup('+15055550100')).records, []);
    });

    it('lets one worker at a time run a pass for a type', async () => {
      const cursors = new IndexCursors(world.database.db);
      assert.equal(await cursors.acquire(world.portalId, 'contact', 'another-worker', 60_000), true);
      const reports = await sync().run('incremental');
      assert.deepEqual(
        reports.map((r) => r.ran),
        ['busy', 'incremental'],
      );
      await cursors.release(world.portalId, 'contact', 'another-worker');
      assert.equal((await sync().run('incremental'))[0]!.ran, 'incremental');
    });
  });
}
