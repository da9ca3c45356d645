/**
 * The platform's shared storage on both engines: connections (settings
 * validated on read, credentials sealed, one-per-connector enforced by the
 * database), record links, checkpoints, sync errors and the audit log's
 * filters, keyset paging and retention.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';
import { Connections, type ConnectorSchemas } from '../../src/connections/store.ts';
import { connections } from '../../src/connections/schema.ts';
import { RecordLinks, hashValues } from '../../src/sync/record-links.ts';
import { Checkpoints, defineCheckpoint } from '../../src/sync/checkpoints.ts';
import { SyncErrors } from '../../src/sync/sync-errors.ts';
import { AuditLog, type AuditEntry } from '../../src/sync/audit-log.ts';
import { engines, createTestDatabase, type TestDatabase } from '../support/databases.ts';

const settings = z.object({ region: z.string().default('US'), batch: z.number().int().min(1).default(10) });
const credentials = z.object({ apiKey: z.string().min(8) });
const schemas: Record<string, ConnectorSchemas> = {
  many: { slug: 'many', single: false, settings, credentials },
  solo: { slug: 'solo', single: true, settings, credentials },
};

for (const engine of engines) {
  describe(`platform storage on ${engine}`, () => {
    let t: TestDatabase;
    let database: Database;
    let store: Connections;
    before(async () => {
      t = await createTestDatabase(engine);
      database = await openDatabase(t);
      await applyMigrations(database);
      store = new Connections(database.db, createSecretBox(randomBytes(32)), (slug) => schemas[slug]);
    });
    after(async () => {
      await database?.close();
      await t?.drop();
    });

    it('stores a connection with its settings validated and its credentials sealed', async () => {
      const view = await store.insert({
        connector: 'many',
        label: 'Key A',
        settings: { region: 'JP' },
        credentials: { apiKey: 'secret-key-123' },
        info: { plan: 'pro' },
      });
      assert.match(view.id, /^many-[a-z2-9]{8}$/);
      assert.equal(view.state, 'connected');
      assert.deepEqual(view.settings, { region: 'JP', batch: 10 });
      const [row] = await database.db.select().from(connections).where(eq(connections.id, view.id));
      assert.ok(!row!.credentialsSealed.includes('secret-key-123'), 'credentials are not stored in clear');
      assert.deepEqual((await store.open(view.id)).credentials, { apiKey: 'secret-key-123' });
      await store.insert({ connector: 'many', label: 'Key B', settings: {}, credentials: { apiKey: 'another-key-456' } });
      assert.equal((await store.list({ connector: 'many' })).length, 2, 'several connections where the connector allows many');
    });

    it('refuses bad settings or credentials naming the field, and stores nothing', async () => {
      await assert.rejects(
        store.insert({ connector: 'many', label: 'Bad', settings: { batch: 0 }, credentials: { apiKey: 'secret-key-123' } }),
        (err: Error & { details?: { field: string }[] }) => err.details?.[0]?.field === 'settings.batch',
      );
      await assert.rejects(
        store.insert({ connector: 'many', label: 'Bad', settings: {}, credentials: {} }),
        (err: Error & { details?: { field: string }[] }) => err.details?.[0]?.field === 'credentials.apiKey',
      );
      assert.equal((await store.list()).filter((c) => c.label === 'Bad').length, 0);
    });

    it('lets the database refuse a second connection of a one-connection connector', async () => {
      await store.insert({ connector: 'solo', label: 'Org', settings: {}, credentials: { apiKey: 'secret-key-123' } });
      await assert.rejects(
        store.insert({ connector: 'solo', label: 'Org 2', settings: {}, credentials: { apiKey: 'secret-key-123' } }),
        /allows one connection/,
      );
      // Even a row written around the store: the partial unique index decides.
      await assert.rejects(
        database.db
          .insert(connections)
          .values({ id: 'solo-handmade', connector: 'solo', single: true, label: 'x', state: 'connected', settings: {}, credentialsSealed: 'x' }),
      );
    });

    it('reads a row whose settings no longer validate as `error` naming the field, without breaking the list', async () => {
      const good = await store.insert({ connector: 'many', label: 'Good', settings: {}, credentials: { apiKey: 'secret-key-123' } });
      const broken = await store.insert({ connector: 'many', label: 'Hand-edited', settings: {}, credentials: { apiKey: 'secret-key-123' } });
      await database.db
        .update(connections)
        .set({ settings: { region: 42 } })
        .where(eq(connections.id, broken.id));
      const list = await store.list({ connector: 'many' });
      const b = list.find((c) => c.id === broken.id)!;
      assert.equal(b.state, 'error');
      assert.match(b.reason!, /settings\.region/);
      assert.equal(list.find((c) => c.id === good.id)!.state, 'connected');
      await assert.rejects(store.open(broken.id), /settings\.region/);
      assert.equal((await store.open(broken.id, { allowBrokenSettings: true })).settings, null);
      // Saving valid settings repairs it.
      await store.updateSettings(broken.id, { region: 'DE' });
      assert.equal((await store.get(broken.id))!.state, 'connected');
    });

    it("keeps the admin's choice apart from a problem, and returns to it once repaired", async () => {
      const c = await store.insert({ connector: 'many', label: 'Choice', settings: {}, credentials: { apiKey: 'secret-key-123' } });
      await store.setChoice(c.id, 'enabled');
      await store.setProblem(c.id, 'needs_reauthorization', 'the provider refused the refresh token');
      let view = (await store.get(c.id))!;
      assert.deepEqual([view.state, view.choice, view.reason], ['needs_reauthorization', 'enabled', 'the provider refused the refresh token']);
      assert.ok((await store.connectorsNeedingReauthorization()).has('many'));
      await store.clearProblem(c.id);
      view = (await store.get(c.id))!;
      assert.deepEqual([view.state, view.reason], ['enabled', null]);
    });

    it('keeps record links with their state, attempts and hashes, and drops them with the connection', async () => {
      const links = new RecordLinks(database.db);
      const c = await store.insert({ connector: 'many', label: 'Links', settings: {}, credentials: { apiKey: 'secret-key-123' } });
      const key = { connectionId: c.id, objectType: 'card', remoteId: 'r-1' };
      assert.equal((await links.markFailing(key, 'no e-mail')).attempts, 1);
      assert.equal((await links.markFailing(key, 'still no e-mail')).attempts, 2);
      const hash = hashValues({ b: 2, a: 1 });
      assert.equal(hash, hashValues({ a: 1, b: 2 }), 'key order does not change the hash');
      await links.markSynced(key, { hubspotId: '501', hashToHubspot: hash });
      const synced = (await links.get(key))!;
      assert.deepEqual([synced.state, synced.attempts, synced.reason, synced.hubspotId, synced.hashToHubspot], ['synced', 0, null, '501', hash]);
      assert.equal((await links.byHubSpotId(c.id, 'card', '501'))?.remoteId, 'r-1');
      await links.markExcluded({ ...key, remoteId: 'r-2' }, 'not on the inclusion list');
      assert.deepEqual(
        (await links.list(c.id, 'card', { state: 'excluded' })).map((l) => l.remoteId),
        ['r-2'],
      );
      await store.delete(c.id);
      assert.equal(await links.get(key), null);
    });

    it('validates checkpoints when saved and when read, naming the field of a bad stored value', async () => {
      const checkpoints = new Checkpoints(database.db);
      const c = await store.insert({ connector: 'many', label: 'Checkpoints', settings: {}, credentials: { apiKey: 'secret-key-123' } });
      const cards = defineCheckpoint('cards', z.object({ updatedAfter: z.iso.datetime(), page: z.number().int() }));
      assert.equal(await checkpoints.get(c.id, cards), undefined);
      await checkpoints.set(c.id, cards, { updatedAfter: '2026-05-01T00:00:00Z', page: 3 });
      assert.deepEqual(await checkpoints.get(c.id, cards), { updatedAfter: '2026-05-01T00:00:00Z', page: 3 });
      await assert.rejects(checkpoints.set(c.id, cards, { updatedAfter: 'yesterday', page: 1 }));
      await database.query(sql`update checkpoints set value = '{"updatedAfter":"2026-05-01T00:00:00Z","page":"three"}' where connection_id = ${c.id}`);
      await assert.rejects(
        checkpoints.get(c.id, cards),
        (err: Error & { code?: string; retryable?: boolean }) =>
          /checkpoint\.cards\.page/.test(err.message) && err.code === 'validation_failed' && err.retryable === false,
      );
    });

    it('keeps one open sync error per record and category, bumped on repeats and resolved by a success', async () => {
      const errors = new SyncErrors(database.db);
      const c = await store.insert({ connector: 'many', label: 'Errors', settings: {}, credentials: { apiKey: 'secret-key-123' } });
      const job = { name: 'many.sync-card', schema: z.object({ connectionId: z.string(), cardId: z.string() }) };
      const first = await errors.record({
        connectionId: c.id,
        category: 'validation',
        objectType: 'card',
        recordId: 'c-9',
        reason: 'no e-mail',
        retry: { job, payload: { connectionId: c.id, cardId: 'c-9' } },
      });
      const again = await errors.record({ connectionId: c.id, category: 'validation', objectType: 'card', recordId: 'c-9', reason: 'no e-mail (again)' });
      assert.equal(again, first);
      const [open] = await errors.listOpen({ connectionId: c.id });
      assert.deepEqual([open!.occurrences, open!.reason, open!.retry?.job], [2, 'no e-mail (again)', 'many.sync-card'], 'a repeat keeps the retry action');
      await errors.record({ connectionId: c.id, category: 'rejected', reason: 'the remote refused the whole run' });
      assert.equal((await errors.countOpen()).get(c.id), 2);
      assert.equal(await errors.resolveRecord(c.id, 'card', 'c-9'), 1);
      const third = await errors.record({
        connectionId: c.id,
        category: 'validation',
        objectType: 'card',
        recordId: 'c-9',
        reason: 'broken again',
        retry: { job, payload: { connectionId: c.id, cardId: 'c-9' } },
      });
      assert.notEqual(third, first, 'a new failure after a resolution is a new row');
      assert.deepEqual((await errors.get(third))!.retry, { job: 'many.sync-card', payload: { connectionId: c.id, cardId: 'c-9' } });
    });

    it('pages the audit log newest first by keyset, with every filter, ties broken by id', async () => {
      const audit = new AuditLog(database.db);
      const base = Date.parse('2026-05-01T12:00:00Z');
      const entries: AuditEntry[] = [];
      for (let i = 0; i < 30; i++) {
        entries.push({
          connector: i % 3 === 0 ? 'sansan' : 'telephony',
          connectionId: i % 3 === 0 ? 'sansan-aaaaaaaa' : 'telephony-bbbbbbbb',
          target: 'hubspot',
          objectType: i % 2 ? 'contact' : 'call',
          objectId: String(1000 + i),
          operation: 'create',
          cause: { type: 'event', ref: `event ${i}` },
          idempotencyKey: `k-${i}`,
          outcome: i % 10 === 9 ? 'failed' : 'succeeded',
          error: i % 10 === 9 ? 'HubSpot said no' : null,
          // Five rows share each timestamp: paging must neither skip nor repeat them.
          occurredAt: new Date(base + Math.floor(i / 5) * 60_000),
        });
      }
      await audit.record(entries);
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await audit.query({ limit: 7, cursor });
        seen.push(...page.entries.map((e) => Number(e.objectId)));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      assert.equal(seen.length, 30);
      assert.equal(new Set(seen).size, 30, 'no row twice');
      assert.deepEqual(seen.slice(0, 5).sort(), ['1025', '1026', '1027', '1028', '1029'].map(Number), 'newest minute first');

      const sansan = await audit.query({ connector: 'sansan', limit: 200 });
      assert.equal(sansan.entries.length, 10);
      assert.ok(sansan.entries.every((e) => e.connector === 'sansan'));
      assert.equal((await audit.query({ connection: 'telephony-bbbbbbbb', limit: 200 })).entries.length, 20);
      const failedContacts = await audit.query({ outcome: 'failed', object: 'contact', limit: 200 });
      assert.deepEqual(
        failedContacts.entries.map((e) => e.objectId),
        ['1029', '1019', '1009'],
      );
      assert.equal(failedContacts.entries[0]!.error, 'HubSpot said no');
      const window = await audit.query({ since: new Date(base + 60_000), until: new Date(base + 3 * 60_000), limit: 200 });
      assert.deepEqual(
        window.entries.map((e) => Number(e.objectId)).sort((a, b) => a - b),
        [1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014],
      );
      await assert.rejects(
        audit.query({ cursor: 'not-a-cursor' }),
        (err: Error & { details?: { field: string }[] }) => err.details?.[0]?.field === 'query.cursor',
      );

      // Retention: rows before the cut-off go, in batches.
      assert.equal(await audit.prune(new Date(base + 2 * 60_000), 4), 10);
      assert.equal((await audit.query({ limit: 200 })).entries.length, 20);
    });
  });
}
