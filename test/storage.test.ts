import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { appSettings, jobLedger } from '../src/db/schema.ts';
import { engines, createTestDatabase, type TestDatabase } from './support/databases.ts';

for (const engine of engines) {
  describe(`storage on ${engine}`, () => {
    const dbs: TestDatabase[] = [];
    after(async () => {
      for (const d of dbs) await d.drop();
    });
    const fresh = async () => {
      const t = await createTestDatabase(engine);
      dbs.push(t);
      return t;
    };

    it('applies the migrations once, and again without effect', async () => {
      const t = await fresh();
      const database = await openDatabase(t);
      try {
        await applyMigrations(database);
        await applyMigrations(database);
        const tables = await database.query<{ table_name: string }>(
          sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
        );
        assert.deepEqual(
          tables.map((r) => r.table_name).filter((n) => ['app_settings', 'job_ledger', 'job_receipts'].includes(n)),
          ['app_settings', 'job_ledger', 'job_receipts'],
        );
      } finally {
        await database.close();
      }
    });

    it('runs the same typed queries and transactions, and keeps data across a reopen', async () => {
      const t = await fresh();
      let database = await openDatabase(t);
      await applyMigrations(database);
      await database.db.insert(appSettings).values({ key: 'greeting', value: { text: 'hello', n: 1 } });
      await assert.rejects(
        database.db.transaction(async (tx) => {
          await tx
            .update(appSettings)
            .set({ value: { text: 'lost' } })
            .where(eq(appSettings.key, 'greeting'));
          throw new Error('roll back');
        }),
      );
      await database.close();

      database = await openDatabase(t);
      try {
        await applyMigrations(database);
        const [row] = await database.db.select().from(appSettings).where(eq(appSettings.key, 'greeting'));
        assert.deepEqual(row?.value, { text: 'hello', n: 1 });
        await database.db.insert(jobLedger).values({ idempotencyKey: 'k', jobName: 'x' });
        const again = await database.db.insert(jobLedger).values({ idempotencyKey: 'k', jobName: 'x' }).onConflictDoNothing().returning();
        assert.equal(again.length, 0, 'the unique key holds');
      } finally {
        await database.close();
      }
    });

    if (engine === 'postgres') {
      it('lets several processes migrate one database at once (advisory lock)', async () => {
        const t = await fresh();
        const opened = await Promise.all([1, 2, 3, 4].map(() => openDatabase(t)));
        try {
          await Promise.all(opened.map((d) => applyMigrations(d)));
          const [row] = await opened[0]!.query<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
          assert.ok(row!.n >= 1);
          const [{ n: distinct }] = await opened[0]!.query<{ n: number }>(sql`select count(distinct hash)::int as n from drizzle.__drizzle_migrations`);
          assert.equal(distinct, row!.n, 'no migration recorded twice');
        } finally {
          await Promise.all(opened.map((d) => d.close()));
        }
      });

      it('says clearly when PostgreSQL cannot be reached', async () => {
        await assert.rejects(openDatabase({ databaseUrl: 'postgres://nobody:pw@127.0.0.1:1/none', dataDir: '/tmp' }), (err: Error) =>
          /cannot connect to PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/.test(err.message),
        );
      });
    } else {
      it('refuses a second process on the same embedded data directory', async () => {
        const t = await fresh();
        const first = await openDatabase(t);
        try {
          await assert.rejects(openDatabase(t), /in use by process \d+.*DATABASE_URL/);
        } finally {
          await first.close();
        }
        const reopened = await openDatabase(t);
        await reopened.close();
      });
    }
  });
}
