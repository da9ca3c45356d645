/**
 * Issue 11 phase 2 on a database of the previous version: the telephony
 * connector's own tables (pbx_connection, phonebook_entries,
 * telephony_sync_errors) move onto the platform's (connections, checkpoints,
 * record links, sync errors). A database built at the schema before the move,
 * holding a connected and enabled PBX with sealed secrets, settings, a
 * checkpoint, bindings, a call log, phonebook entries and a sync error, is
 * migrated; everything reads back through the code that now serves it (the
 * credentials sealed anew, bound to the connection), and on PostgreSQL a
 * Spokes process started on it shows the phone system as it was. On both engines.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, wrapPglite, type Database } from '../../src/db/open.ts';
import { applyMigrations, migrationsFolder } from '../../src/db/migrate.ts';
import { createSecretBox } from '../../src/secrets/secret-key.ts';
import { Connections } from '../../src/connections/store.ts';
import { Checkpoints } from '../../src/sync/checkpoints.ts';
import { RecordLinks } from '../../src/sync/record-links.ts';
import { SyncErrors } from '../../src/sync/sync-errors.ts';
import { PbxStore, pbxCredentialsSchema } from '../../src/connectors/telephony/pbx-store.ts';
import { settingsSchema } from '../../src/connectors/telephony/settings.ts';
import { engines, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startSpokes } from '../support/world.ts';

function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'spokes-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tag));
  assert.ok(at > 0, `a migration named …${tag}`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

async function migrateWith(database: Database, folder: string): Promise<void> {
  if (database.engine === 'pglite') await migratePglite(database.db as never, { migrationsFolder: folder });
  else await migratePg(database.db as never, { migrationsFolder: folder });
}

const SETTINGS = {
  autoCreate: { inbound: true, outbound: false },
  contactSync: { enabled: true, modules: ['contacts', 'companies'], phonebookId: '7', phonebookName: 'HubSpot_CRM_Phonebook' },
  numbers: { defaultRegion: 'DE', outboundPrefix: '9' },
};

for (const engine of engines) {
  describe(`an existing phone system upgraded onto the connector platform (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    it('keeps the connection, its secrets, settings, switch and checkpoint, the bindings, the call log, the phonebook entries and the sync errors', async () => {
      const t: TestDatabase = await createTestDatabase(engine);
      cleanup.push(() => t.drop());
      const older = migrationsBefore('telephony-on-platform');
      cleanup.push(async () => rmSync(older, { recursive: true, force: true }));
      const database = engine === 'pglite' ? wrapPglite(await PGlite.create()) : await openDatabase(t);
      let closed = false;
      cleanup.push(async () => {
        if (!closed) await database.close();
      });
      await migrateWith(database, older);

      const key = randomBytes(32);
      const box = createSecretBox(key);
      const seen = new Date('2026-11-30T10:00:00.000Z');
      const since = new Date('2026-11-01T08:00:00.000Z');
      await database.query(sql`
        insert into pbx_connection (id, vendor, base_url, client_id, client_secret_sealed, webhook_secret_sealed, pbx_info, enabled, settings,
          stream_state, last_error, events_seen_until, logging_since)
        values ('default', 'yeastar', 'https://pbx.example.com:8088', 'client-1', ${box.encrypt('s3cret', 'pbx:client_secret')},
          ${box.encrypt('hook-secret', 'pbx:webhook_secret')}, ${JSON.stringify({ vendor: 'yeastar', model: 'P550', firmware: '37.1', serialNumber: 'SN1', utcOffsetMinutes: 60 })}::jsonb,
          true, ${JSON.stringify(SETTINGS)}::jsonb, 'connected', null, ${seen.toISOString()}, ${since.toISOString()})`);
      await database.query(sql`insert into extension_bindings (extension, owner_id, owner_email, source) values ('1001', '501', 'ann@example.com', 'auto')`);
      await database.query(sql`
        insert into call_logs (cdr_id, call_id, direction, status, extension, external_number, started_at, duration_ms, owner_id, engagement_id, state, logged_at)
        values ('uid:1', '1700000000.1', 'inbound', 'answered', '1001', '+14155550100', now(), 5000, '501', '9001', 'logged', now())`);
      await database.query(
        sql`insert into phonebook_entries (object_type, object_id, pbx_contact_id, synced_hash) values ('contact', '301', '55', 'hash-a'), ('company', '401', '56', 'hash-b')`,
      );
      await database.query(
        sql`insert into telephony_sync_errors (kind, object_type, object_id, reason) values ('contact_sync', 'contact', '302', 'the contact has no phone number')`,
      );

      await applyMigrations(database);

      const [tables] = await database.query<{ n: number }>(
        sql`select count(*)::int as n from information_schema.tables where table_name in ('pbx_connection', 'phonebook_entries', 'telephony_sync_errors')`,
      );
      assert.equal(tables!.n, 0, 'the old tables are gone');
      const connections = new Connections(database.db, box, (slug) =>
        slug === 'telephony' ? { slug, single: true, settings: settingsSchema, credentials: pbxCredentialsSchema } : undefined,
      );
      const checkpoints = new Checkpoints(database.db);
      const store = new PbxStore(connections, checkpoints);
      const pbx = await store.get();
      assert.ok(pbx, 'the connection is there');
      assert.match(pbx.id, /^telephony-/);
      assert.deepEqual(
        { baseUrl: pbx.baseUrl, clientId: pbx.clientId, clientSecret: pbx.clientSecret, webhookSecret: pbx.webhookSecret, enabled: pbx.enabled },
        { baseUrl: 'https://pbx.example.com:8088', clientId: 'client-1', clientSecret: 's3cret', webhookSecret: 'hook-secret', enabled: true },
      );
      assert.deepEqual(pbx.settings, SETTINGS);
      assert.equal(pbx.info.model, 'P550');
      assert.equal(pbx.eventsSeenUntil?.toISOString(), seen.toISOString());
      assert.equal(pbx.loggingSince?.toISOString(), since.toISOString());
      const [sealed] = await database.query<{ credentials_sealed: string; label: string; state: string }>(
        sql`select credentials_sealed, label, state from connections where id = ${pbx.id}`,
      );
      assert.equal(sealed!.label, 'Yeastar at https://pbx.example.com:8088');
      assert.equal(sealed!.state, 'enabled');
      assert.ok(!sealed!.credentials_sealed.startsWith('legacy:'), 'sealed anew, bound to the connection, on first use');
      assert.ok(!sealed!.credentials_sealed.includes('s3cret'));
      store.invalidate();
      assert.equal((await store.get())?.clientSecret, 's3cret', 'and still read back');

      const links = new RecordLinks(database.db);
      const contact = await links.byHubSpotId(pbx.id, 'contact', '301');
      assert.deepEqual(
        { remoteId: contact?.remoteId, state: contact?.state, hash: contact?.hashToRemote },
        { remoteId: '55', state: 'synced', hash: 'hash-a' },
      );
      assert.equal((await links.byHubSpotId(pbx.id, 'company', '401'))?.remoteId, '56');
      const errors = await new SyncErrors(database.db).listOpen({ connectionId: pbx.id });
      assert.deepEqual(
        errors.map((e) => [e.category, e.objectType, e.recordId, e.reason]),
        [['validation', 'contact', '302', 'the contact has no phone number']],
      );
      const [kept] = await database.query<{ bindings: number; calls: number }>(
        sql`select (select count(*)::int from extension_bindings) as bindings, (select count(*)::int from call_logs where state = 'logged') as calls`,
      );
      assert.deepEqual({ ...kept }, { bindings: 1, calls: 1 });

      if (engine !== 'postgres') return;
      // Spokes itself, started on the upgraded database: the Phone system page shows what was there.
      await database.close();
      closed = true;
      const spokes = await startSpokes({
        env: { SPOKES_SANDBOX: 'off', DATABASE_URL: t.databaseUrl!, SPOKES_SECRET_KEY: key.toString('base64') },
      });
      cleanup.push(() => spokes.close());
      const status = (await (await spokes.admin.request('GET', '/api/telephony')).json()) as {
        connection: { baseUrl: string; clientId: string; enabled: boolean; webhookSecretSet: boolean } | null;
        settings: unknown;
        bindings: number;
        today: { logged: number };
      };
      assert.deepEqual(
        status.connection && {
          baseUrl: status.connection.baseUrl,
          clientId: status.connection.clientId,
          enabled: status.connection.enabled,
          webhook: status.connection.webhookSecretSet,
        },
        { baseUrl: 'https://pbx.example.com:8088', clientId: 'client-1', enabled: true, webhook: true },
      );
      assert.deepEqual(status.settings, SETTINGS);
      assert.equal(status.bindings, 1);
      assert.equal(status.today.logged, 1);
      const list = (await (await spokes.admin.request('GET', '/api/connections')).json()) as { connections: { connector: string; state: string }[] };
      assert.ok(
        list.connections.some((c) => c.connector === 'telephony'),
        JSON.stringify(list),
      );
    });
  });
}
