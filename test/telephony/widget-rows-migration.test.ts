/**
 * Issue 10 defect 3 on a database of an older version: the calling widget used to
 * write a `widget:<call id>` row into call_logs beside the call's own row, so the
 * admin saw every widget call twice. The migration that introduces agent_calls
 * moves those rows' engagement ids there (where the call logger now looks for
 * them) and removes them: one row per call, counted once. On both engines.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, wrapPglite, type Database } from '../../src/db/open.ts';
import { applyMigrations, migrationsFolder } from '../../src/db/migrate.ts';
import { engines, createTestDatabase, type TestDatabase } from '../support/databases.ts';

/** The migrations as they were before agent_calls: a copy of the folder whose journal stops before it. */
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

for (const engine of engines) {
  describe(`the widget's extra call_logs rows of older versions (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    it("are merged into agent_calls and removed: one row per call, the call's own row marked as the widget's", async () => {
      const t: TestDatabase = await createTestDatabase(engine);
      cleanup.push(() => t.drop());
      const older = migrationsBefore('agent-calls');
      cleanup.push(async () => rmSync(older, { recursive: true, force: true }));
      // PGlite in memory: a data directory would start from the template, with every migration applied.
      const database = engine === 'pglite' ? wrapPglite(await PGlite.create()) : await openDatabase(t);
      cleanup.push(() => database.close());
      await migrateWith(database, older);

      const row = (cdrId: string, callId: string, engagementId: string, source: string, owner: string, direction: string) => sql`
        insert into call_logs (cdr_id, call_id, direction, status, extension, external_number, started_at, duration_ms, owner_id, engagement_id, state, source, logged_at)
        values (${cdrId}, ${callId}, ${direction}, 'answered', '1001', '+14155550100', now(), 0, ${owner}, ${engagementId}, 'logged', ${source}, now())`;
      // Call A: logged from its record onto the widget's engagement, plus the widget's ghost row.
      await database.query(row('uid:1700000000-A', '1700000000.1', '501', 'cdr', '7001', 'outbound'));
      await database.query(row('widget:1700000000.1', '1700000000.1', '501', 'widget', '7001', 'outbound'));
      // Call B: the widget's row only (its record was not logged yet when the new version started).
      await database.query(row('widget:1700000000.2', '1700000000.2', '502', 'widget', '7002', 'inbound'));

      await applyMigrations(database);

      const logs = await database.query<{ cdr_id: string; source: string; engagement_id: string }>(
        sql`select cdr_id, source, engagement_id from call_logs order by cdr_id`,
      );
      assert.deepEqual(logs, [{ cdr_id: 'uid:1700000000-A', source: 'widget', engagement_id: '501' }]);
      const calls = await database.query<{ call_id: string; owner_id: string; direction: string; engagement_id: string; wrap_up: string }>(
        sql`select call_id, owner_id, direction, engagement_id, wrap_up from agent_calls order by call_id`,
      );
      assert.deepEqual(calls, [
        { call_id: '1700000000.1', owner_id: '7001', direction: 'outbound', engagement_id: '501', wrap_up: 'dismissed' },
        { call_id: '1700000000.2', owner_id: '7002', direction: 'inbound', engagement_id: '502', wrap_up: 'dismissed' },
      ]);
      const [counts] = await database.query<{ logged: number }>(sql`select count(*) filter (where state = 'logged')::int as logged from call_logs`);
      assert.equal(counts!.logged, 1, "the admin's 24-hour counter counts the call once");
    });
  });
}
