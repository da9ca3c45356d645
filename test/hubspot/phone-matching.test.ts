/**
 * Caller matching through the phone index: a number stored in HubSpot in one
 * format matches a call arriving in another, in both directions, on both
 * database engines. Each case runs in a portal of its own so cases cannot
 * match each other's records.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { PhoneIndex, recordUrl, type PhoneRecord } from '../../src/hubspot/phone/phone-index.ts';
import { createTestDatabase, engines, type TestDatabase } from '../support/databases.ts';

interface Side {
  number: string;
  /** The HubSpot record's country (stored side) or the PBX's default region (call side). */
  region: string;
}

/** Same person, two spellings; `by` says which match is expected (E.164, or the last-digits fallback). */
const PAIRS: { name: string; a: Side; b: Side; by: 'e164' | 'tail' }[] = [
  // NANP
  {
    name: 'US national with parentheses ↔ international with dashes',
    a: { number: '(415) 555-0123', region: 'US' },
    b: { number: '+1 415-555-0123', region: 'US' },
    by: 'e164',
  },
  { name: 'US dots ↔ 11 digits with the 1', a: { number: '415.555.0123', region: 'US' }, b: { number: '14155550123', region: 'US' }, by: 'e164' },
  {
    name: 'US with 1- prefix ↔ 011 exit from Canada',
    a: { number: '1-415-555-0123', region: 'US' },
    b: { number: '011 1 415 555 0123', region: 'CA' },
    by: 'e164',
  },
  { name: 'US with ext. ↔ 10 digits', a: { number: '+1 (617) 555-0199 ext. 12', region: 'US' }, b: { number: '6175550199', region: 'US' }, by: 'e164' },
  { name: 'US ;ext= ↔ x extension', a: { number: '+16175550199;ext=12', region: 'US' }, b: { number: '+1 617 555 0199 x12', region: 'US' }, by: 'e164' },
  {
    name: 'Canada national ↔ E.164 seen from a US PBX',
    a: { number: '613-555-0123', region: 'CA' },
    b: { number: '+1 613 555 0123', region: 'US' },
    by: 'e164',
  },
  { name: 'tel: URI ↔ oddly grouped national', a: { number: 'tel:+1-206-555-0100', region: 'US' }, b: { number: '206555 0100', region: 'US' }, by: 'e164' },
  // United Kingdom
  { name: 'UK +44 (0) ↔ national', a: { number: '+44 (0)20 7946 0123', region: 'GB' }, b: { number: '020 7946 0123', region: 'GB' }, by: 'e164' },
  { name: 'UK 00 44 from the US ↔ +44', a: { number: '0044 20 7946 0123', region: 'US' }, b: { number: '+44 20 7946 0123', region: 'GB' }, by: 'e164' },
  {
    name: 'UK 011 44 from the US ↔ national in the UK',
    a: { number: '011 44 20 7946 0123', region: 'US' },
    b: { number: '020 7946 0123', region: 'GB' },
    by: 'e164',
  },
  { name: 'UK with x extension ↔ digits only', a: { number: '+44 20 7946 0123 x45', region: 'GB' }, b: { number: '02079460123', region: 'GB' }, by: 'e164' },
  {
    name: 'UK drama-range mobile, national ↔ international (not valid: last digits)',
    a: { number: '07700 900123', region: 'GB' },
    b: { number: '+44 7700 900123', region: 'GB' },
    by: 'tail',
  },
  // Germany
  { name: 'DE national ↔ +49', a: { number: '030 12345678', region: 'DE' }, b: { number: '+49 30 12345678', region: 'DE' }, by: 'e164' },
  {
    name: 'DE +49 (0) with Durchwahl ↔ 0049 from a US PBX',
    a: { number: '+49 (0)40 1234567 Durchwahl 12', region: 'DE' },
    b: { number: '0049 40 1234567', region: 'US' },
    by: 'e164',
  },
  { name: 'DE (089) with dash ↔ +49 89', a: { number: '(089) 1234-5678', region: 'DE' }, b: { number: '+49 89 12345678', region: 'DE' }, by: 'e164' },
  { name: 'DE mobile national ↔ international', a: { number: '0170 1234567', region: 'DE' }, b: { number: '+49 170 1234567', region: 'DE' }, by: 'e164' },
  // France
  { name: 'FR spaced national ↔ +33', a: { number: '01 23 45 67 89', region: 'FR' }, b: { number: '+33 1 23 45 67 89', region: 'FR' }, by: 'e164' },
  { name: 'FR dotted ↔ 0033 from a US PBX', a: { number: '04.72.12.34.56', region: 'FR' }, b: { number: '0033 4 72 12 34 56', region: 'US' }, by: 'e164' },
  { name: 'FR mobile ↔ E.164', a: { number: '06 12 34 56 78', region: 'FR' }, b: { number: '+33612345678', region: 'FR' }, by: 'e164' },
  // Italy keeps its 0
  { name: 'IT Rome national ↔ +39 06', a: { number: '06 1234 5678', region: 'IT' }, b: { number: '+39 06 1234 5678', region: 'IT' }, by: 'e164' },
  { name: 'IT 0039 06 from a German PBX ↔ E.164', a: { number: '0039 06 12345678', region: 'DE' }, b: { number: '+390612345678', region: 'IT' }, by: 'e164' },
  { name: 'IT mobile national ↔ international', a: { number: '333 123 4567', region: 'IT' }, b: { number: '+39 333 1234567', region: 'IT' }, by: 'e164' },
  // Japan
  { name: 'JP Tokyo national ↔ +81', a: { number: '03-1234-5678', region: 'JP' }, b: { number: '+81 3-1234-5678', region: 'JP' }, by: 'e164' },
  { name: 'JP mobile ↔ 010 exit', a: { number: '090-1234-5678', region: 'JP' }, b: { number: '010 81 90 1234 5678', region: 'JP' }, by: 'e164' },
  { name: 'JP Nagoya +81- ↔ national', a: { number: '+81-52-123-4567', region: 'JP' }, b: { number: '052-123-4567', region: 'JP' }, by: 'e164' },
  // Australia
  { name: 'AU Sydney (02) ↔ +61', a: { number: '(02) 9876 5432', region: 'AU' }, b: { number: '+61 2 9876 5432', region: 'AU' }, by: 'e164' },
  { name: 'AU mobile ↔ 0011 exit', a: { number: '0412 345 678', region: 'AU' }, b: { number: '0011 61 412 345 678', region: 'AU' }, by: 'e164' },
  // Brazil
  { name: 'BR São Paulo (11) ↔ +55', a: { number: '(11) 3123-4567', region: 'BR' }, b: { number: '+55 11 3123-4567', region: 'BR' }, by: 'e164' },
  { name: 'BR 9-digit mobile ↔ +55', a: { number: '(11) 91234-5678', region: 'BR' }, b: { number: '+55 11 91234 5678', region: 'BR' }, by: 'e164' },
  { name: 'BR with carrier code ↔ +55 (11)', a: { number: '0 21 11 3123 4567', region: 'BR' }, b: { number: '+55 (11) 3123 4567', region: 'BR' }, by: 'e164' },
  // Poland, Thailand
  { name: 'PL Warsaw national ↔ +48', a: { number: '22 123 45 67', region: 'PL' }, b: { number: '+48 22 123 45 67', region: 'PL' }, by: 'e164' },
  { name: 'TH Bangkok national ↔ +66', a: { number: '02 123 4567', region: 'TH' }, b: { number: '+66 2 123 4567', region: 'TH' }, by: 'e164' },
  // A national number read in the wrong region (no country on the record): only the last digits agree.
  { name: 'DE national in a US portal ↔ +49', a: { number: '030 12345678', region: 'US' }, b: { number: '+49 30 12345678', region: 'DE' }, by: 'tail' },
  { name: 'UK national in a US portal ↔ +44', a: { number: '020 7946 0123', region: 'US' }, b: { number: '+44 20 7946 0123', region: 'US' }, by: 'tail' },
];

for (const engine of engines) {
  describe(`phone matching (${engine})`, () => {
    let test: TestDatabase;
    let database: Database;
    let index: PhoneIndex;
    let nextPortal = 1_000;

    before(async () => {
      test = await createTestDatabase(engine);
      database = await openDatabase(test);
      await applyMigrations(database);
      index = new PhoneIndex({ database, defaultRegion: 'US', currentPortalId: async () => null });
    });
    after(async () => {
      await database.close();
      await test.drop();
    });

    const contact = (id: string, stored: Side, extra: Partial<PhoneRecord> = {}): PhoneRecord => ({
      objectType: 'contact',
      objectId: id,
      label: `Contact ${id}`,
      companyId: null,
      modifiedAt: new Date('2026-01-01T00:00:00Z'),
      region: stored.region,
      phones: { phone: stored.number },
      ...extra,
    });

    for (const pair of PAIRS) {
      for (const [stored, call] of [
        [pair.a, pair.b],
        [pair.b, pair.a],
      ] as const) {
        it(`${pair.name}: stored "${stored.number}" (${stored.region}), call from "${call.number}" (${call.region})`, async () => {
          const portalId = nextPortal++;
          await index.upsert(portalId, [contact('101', stored), contact('102', { number: '+1 212 555 0199', region: 'US' })]);
          const result = await index.lookup(call.number, { portalId, region: call.region });
          assert.deepEqual(
            result.records.map((r) => r.objectId),
            ['101'],
          );
          assert.equal(result.matchedBy, pair.by);
          assert.equal(result.records[0]!.raw, stored.number);
        });
      }
    }

    it(`covers at least 30 formats in at least 5 countries`, () => {
      const formats = new Set(PAIRS.flatMap((p) => [p.a.number, p.b.number]));
      const countries = new Set(PAIRS.map((p) => p.b.region));
      assert.ok(formats.size >= 30, `${formats.size} formats`);
      assert.ok(countries.size >= 5, `${countries.size} countries`);
    });

    it('matches nobody for withheld, empty or non-numeric caller ids', async () => {
      const portalId = nextPortal++;
      await index.upsert(portalId, [contact('201', { number: '+1 415 555 0123', region: 'US' })]);
      for (const raw of ['anonymous', 'Unknown', 'private', '', 'restricted']) {
        const result = await index.lookup(raw, { portalId });
        assert.equal(result.number, null, raw);
        assert.deepEqual(result.records, [], raw);
      }
    });

    it('never uses the last-digits fallback for short numbers', async () => {
      const portalId = nextPortal++;
      await index.upsert(portalId, [contact('301', { number: '555 0123', region: 'US' })]);
      assert.deepEqual((await index.lookup('555-0123', { portalId })).records, []);
      assert.deepEqual((await index.lookup('+1 415 555 0123', { portalId })).records, []);
    });

    it('uses the last-digits fallback only when exactly one record has those digits', async () => {
      const portalId = nextPortal++;
      await index.upsert(portalId, [
        contact('401', { number: '030 12345678', region: 'US' }),
        contact('402', { number: '0049 (0)30-12345678-9', region: 'US' }),
      ]);
      assert.deepEqual(
        (await index.lookup('+49 30 12345678', { portalId })).records.map((r) => r.objectId),
        ['401'],
      );
      await index.upsert(portalId, [contact('403', { number: '(030) 1234 5678', region: 'US' })]);
      const ambiguous = await index.lookup('+49 30 12345678', { portalId });
      assert.equal(ambiguous.matchedBy, null);
      assert.deepEqual(ambiguous.records, []);
    });

    it('does not match two different valid numbers that end in the same digits', async () => {
      const portalId = nextPortal++;
      await index.upsert(portalId, [contact('501', { number: '+44 20 1234 5678', region: 'GB' })]);
      assert.deepEqual((await index.lookup('+49 30 12345678', { portalId })).records, []);
    });

    it('returns contacts before companies, then the most recently modified, with the primary company', async () => {
      const portalId = nextPortal++;
      const number = { number: '+1 415 555 0142', region: 'US' };
      await index.upsert(portalId, [
        {
          objectType: 'company',
          objectId: '9',
          label: 'Acme Inc.',
          companyId: null,
          modifiedAt: new Date('2026-03-01T00:00:00Z'),
          phones: { phone: number.number },
        },
        contact('601', number, { modifiedAt: new Date('2026-01-01T00:00:00Z'), label: 'Old Reception', companyId: '9' }),
        contact('602', number, { modifiedAt: new Date('2026-02-01T00:00:00Z'), label: 'Ana Díaz', companyId: '9' }),
      ]);
      const result = await index.lookup('(415) 555-0142', { portalId });
      assert.deepEqual(
        result.records.map((r) => [r.objectType, r.objectId, r.label, r.companyId]),
        [
          ['contact', '602', 'Ana Díaz', '9'],
          ['contact', '601', 'Old Reception', '9'],
          ['company', '9', 'Acme Inc.', null],
        ],
      );
      assert.equal(recordUrl('https://app.hubspot.com', portalId, 'contact', '602'), `https://app.hubspot.com/contacts/${portalId}/record/0-1/602`);
    });

    it('matches a contact by its mobile number and reports one entry per record', async () => {
      const portalId = nextPortal++;
      await index.upsert(portalId, [
        contact('701', { number: '+49 30 1111111', region: 'DE' }, { phones: { phone: '+49 170 1234567', mobilephone: '0170 1234567' } }),
      ]);
      const result = await index.lookup('+491701234567', { portalId });
      assert.deepEqual(
        result.records.map((r) => r.objectId),
        ['701'],
      );
    });

    it("replaces a record's numbers and ignores an older version of it", async () => {
      const portalId = nextPortal++;
      await index.upsert(portalId, [contact('801', { number: '+1 415 555 0101', region: 'US' }, { modifiedAt: new Date('2026-02-01T00:00:00Z') })]);
      await index.upsert(portalId, [contact('801', { number: '+1 415 555 0102', region: 'US' }, { modifiedAt: new Date('2026-03-01T00:00:00Z') })]);
      assert.deepEqual((await index.lookup('+14155550101', { portalId })).records, []);
      assert.equal((await index.lookup('+14155550102', { portalId })).records.length, 1);
      const buildStart = new Date(Date.now() - 1);
      await sleep(5);
      await index.upsert(portalId, [contact('801', { number: '+1 415 555 0101', region: 'US' }, { modifiedAt: new Date('2026-02-15T00:00:00Z') })]);
      assert.equal((await index.lookup('+14155550102', { portalId })).records.length, 1, 'an older version does not overwrite');
      assert.equal(
        await index.removeIndexedBefore(portalId, 'contact', new Date(buildStart.getTime() + 3)),
        0,
        'a record a full build saw (even in an older version) is not swept',
      );
      await index.upsert(portalId, [contact('801', { number: '', region: 'US' }, { modifiedAt: new Date('2026-04-01T00:00:00Z') })]);
      assert.deepEqual((await index.lookup('+14155550102', { portalId })).records, [], 'a removed number leaves the index');
      assert.equal(await index.remove(portalId, 'contact', ['801']), 0);
    });

    it('answers for the connected portal and nothing when HubSpot is not connected', async () => {
      const portalId = nextPortal++;
      await index.upsert(portalId, [contact('901', { number: '+1 415 555 0190', region: 'US' })]);
      const connected = new PhoneIndex({ database, defaultRegion: 'US', currentPortalId: async () => portalId });
      assert.deepEqual(
        (await connected.lookup('415-555-0190')).records.map((r) => r.objectId),
        ['901'],
      );
      const disconnected = new PhoneIndex({ database, defaultRegion: 'US', currentPortalId: async () => null });
      assert.deepEqual((await disconnected.lookup('415-555-0190')).records, []);
    });
  });
}
