/**
 * The call history's query (T8) on both engines: search by any part of a
 * number in any format or by the first letters of a name, each filter, the
 * keyset paging (no call twice, none skipped, ties broken), the calling
 * widget's calls listed like any other (one row per call), and bad cursors refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { callLogs } from '../../src/connectors/telephony/schema.ts';
import { historyPageSchema, readHistory, readHistoryPage, searchQuery, type HistoryPage } from '../../src/connectors/telephony/call-history.ts';
import { ValidationError } from '../../src/errors.ts';
import { createTestDatabase, engines, type TestDatabase } from '../support/databases.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
type Row = typeof callLogs.$inferInsert;
const row = (cdrId: string, minutesAgo: number, extra: Partial<Row> = {}): Row => ({
  cdrId,
  callId: `call-${cdrId}`,
  direction: 'inbound',
  status: 'answered',
  extension: '1001',
  externalNumber: '+14155550199',
  startedAt: new Date(T0 - minutesAgo * 60_000),
  durationMs: 42_000,
  ownerId: '100',
  state: 'logged',
  engagementId: `9${minutesAgo}`,
  ...extra,
});

const named: Row[] = [
  row('ada', 5, { externalNumber: '+14155550100', contactName: 'Ada Lovelace', contactId: '501' }),
  row('bjorn', 10, {
    externalNumber: '+44 20 7946 0958',
    contactName: 'Björn Ångström',
    status: 'no_answer',
    ownerId: '200',
    state: 'skipped',
    detail: 'extension 1009 is not bound to a HubSpot user',
    engagementId: null,
  }),
  row('busy', 15, {
    direction: 'outbound',
    externalNumber: '0049 30 1234567',
    contactName: 'Analytical Engines Ltd',
    companyId: '77',
    status: 'busy',
    state: 'failed',
    detail: 'HubSpot refused: 400',
    engagementId: null,
  }),
  row('internal', 20, { direction: 'internal', externalNumber: null, extension: '1002', state: 'skipped', detail: 'internal call', engagementId: null }),
  row('retrying', 25, { externalNumber: '+16465550143', state: 'retrying', detail: 'HubSpot answered 503', engagementId: null }),
  // A call placed in the calling widget: its one row (the widget's engagement, completed by the logger).
  row('widget-call', 30, { source: 'widget', externalNumber: '+16505550199', contactName: 'Grace Hopper', state: 'logged' }),
];
// 120 more, two per minute with the same start (ties broken by the record id), an hour back and more.
const filler: Row[] = Array.from({ length: 120 }, (_, i) =>
  row(`f${String(i).padStart(3, '0')}`, 60 + Math.floor(i / 2), { externalNumber: `+1212555${String(1000 + i)}`, ownerId: i % 3 ? '100' : '300' }),
);

for (const engine of engines) {
  describe(`call history query (${engine})`, () => {
    let t: TestDatabase;
    let database: Database;
    const page = (q: Record<string, unknown> = {}) => readHistoryPage(database.db, historyPageSchema.parse(q) as HistoryPage);
    const ids = async (q: Record<string, unknown>) => (await page({ limit: 200, ...q })).rows.map((r) => r.cdrId);

    before(async () => {
      t = await createTestDatabase(engine);
      database = await openDatabase(t);
      await applyMigrations(database);
      await database.db.insert(callLogs).values([...named, ...filler]);
    });
    after(async () => {
      await database?.close();
      await t?.drop();
    });

    it('finds a number by any part of it, written any way', async () => {
      for (const q of ['+14155550100', '4155550100', '(415) 555-0100', '555 0100', '0100', '415555']) {
        assert.deepEqual(await ids({ q }), ['ada'], q);
      }
      assert.deepEqual(await ids({ q: '7946 0958' }), ['bjorn']);
      assert.deepEqual(await ids({ q: '49301234567' }), ['busy'], "the digits as written, with the trunk's 00");
    });

    it('finds a contact or company by the first letters of its words, in any case and with accents', async () => {
      assert.deepEqual(await ids({ q: 'ada' }), ['ada']);
      assert.deepEqual(await ids({ q: 'LOVEL' }), ['ada']);
      assert.deepEqual(await ids({ q: 'ada lov' }), ['ada']);
      assert.deepEqual(await ids({ q: 'ångs' }), ['bjorn']);
      assert.deepEqual(await ids({ q: 'analytical engines' }), ['busy']);
      assert.deepEqual(await ids({ q: 'ada zzz' }), [], 'every word must match');
      assert.deepEqual(await ids({ q: 'velace' }), [], 'words match by their beginning');
    });

    it('takes search text with query syntax as plain words', async () => {
      assert.equal(searchQuery("o'brien & x:* | !(y)"), "'o':* & 'brien':* & 'x':* & 'y':*");
      assert.deepEqual(await ids({ q: "ada' & !:*" }), ['ada']);
      assert.equal(searchQuery('--- ()'), null);
      assert.equal((await ids({ q: '---' })).length, named.length + filler.length, 'nothing to search for: no search');
    });

    it('filters by user, direction, answered or missed, logged or not, and dates', async () => {
      assert.deepEqual(await ids({ ownerId: '200' }), ['bjorn']);
      assert.equal((await ids({ ownerId: '300' })).length, 40);
      assert.deepEqual(await ids({ direction: 'outbound' }), ['busy']);
      assert.deepEqual(await ids({ outcome: 'missed' }), ['bjorn']);
      assert.deepEqual(await ids({ outcome: 'unanswered' }), ['busy']);
      assert.deepEqual(await ids({ logged: 'not_logged' }), ['bjorn', 'busy', 'internal', 'retrying']);
      assert.deepEqual(await ids({ logged: 'failed' }), ['busy']);
      assert.deepEqual(await ids({ logged: 'skipped', direction: 'inbound' }), ['bjorn']);
      const from = new Date(T0 - 21 * 60_000).toISOString();
      const to = new Date(T0 - 6 * 60_000).toISOString();
      assert.deepEqual(await ids({ from, to }), ['bjorn', 'busy', 'internal']);
      assert.deepEqual(await ids({ from, to, q: 'ångström', outcome: 'missed', ownerId: '200', logged: 'not_logged' }), ['bjorn'], 'filters combine');
      assert.equal((await ids({ to: '2026-03-01' })).length, 0, 'a date as the end includes its day, and only it');
      assert.equal((await ids({ from: '2026-03-02', to: '2026-03-02' })).length, named.length + filler.length);
    });

    it('lists a call placed in the calling widget like any other, once', async () => {
      const all = [];
      for await (const rows of readHistory(database.db, {}, 7)) all.push(...rows.map((r) => r.cdrId));
      assert.equal(all.length, named.length + filler.length);
      assert.equal(all.filter((id) => id === 'widget-call').length, 1);
      assert.deepEqual(await ids({ q: 'grace' }), ['widget-call']);
    });

    it('pages newest first by a cursor: every call once, none skipped, ties in a stable order', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const p = await page({ limit: 50, ...(cursor ? { cursor } : {}) });
        seen.push(...p.rows.map((r) => r.cdrId));
        cursor = p.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      assert.equal(pages, 3);
      assert.equal(seen.length, named.length + filler.length);
      assert.equal(new Set(seen).size, seen.length);
      assert.deepEqual(seen.slice(0, 6), ['ada', 'bjorn', 'busy', 'internal', 'retrying', 'widget-call']);
      // Two calls per minute: the same start, the higher record id first.
      assert.deepEqual(seen.slice(6, 10), ['f001', 'f000', 'f003', 'f002']);
    });

    it('refuses a cursor it did not give, and unknown or bad filters, naming them', async () => {
      await assert.rejects(
        page({ cursor: 'bm90IGEgY3Vyc29y' }),
        (err: unknown) => err instanceof ValidationError && err.details?.[0]?.field === 'query.cursor',
      );
      for (const [q, field] of [
        [{ direciton: 'inbound' }, ''],
        [{ direction: 'sideways' }, 'direction'],
        [{ from: 'yesterday' }, 'from'],
        [{ from: '2026-03-02T10:00:00Z', to: '2026-03-01T10:00:00Z' }, 'to'],
        [{ limit: 500 }, 'limit'],
        [{ ownerId: 'bob' }, 'ownerId'],
      ] as const) {
        const parsed = historyPageSchema.safeParse(q);
        assert.equal(parsed.success, false, JSON.stringify(q));
        assert.equal(parsed.error!.issues[0]!.path.join('.'), field, JSON.stringify(q));
      }
    });
  });
}
