/**
 * Scale-out on PostgreSQL: three `spokes worker` processes share 3,000 jobs;
 * one is killed with SIGKILL midway; every job still completes exactly once.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { receiptJob } from '../src/jobs/diagnostics.ts';
import { createLogger } from '../src/logger.ts';
import { createTestDatabase, postgresUrl, type TestDatabase } from './support/databases.ts';
import { runSpokes, type SpokesProcess } from './support/processes.ts';

const JOBS = 3_000;

describe('scale-out on PostgreSQL', { skip: postgresUrl ? false : 'needs TEST_DATABASE_URL' }, () => {
  let t: TestDatabase;
  let database: Database;
  let queue: JobQueue;
  const workers: SpokesProcess[] = [];
  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await queue?.stop({ timeoutMs: 1_000 });
    await database?.close();
    await t?.drop();
  });

  it('three workers complete 3,000 jobs exactly once although one is killed midway', async () => {
    t = await createTestDatabase('postgres');
    database = await openDatabase(t);
    await applyMigrations(database);
    queue = new JobQueue({ database, jobs: [receiptJob], log: createLogger({ level: 'silent' }) });
    await queue.start();

    const env = { ...t.env, SPOKES_JOB_SUPERVISE_SECONDS: '1', SPOKES_WORKER_CONCURRENCY: '2' };
    for (let i = 0; i < 3; i++) workers.push(runSpokes(['worker'], env));
    await Promise.all(workers.map((w) => w.waitFor(/worker started/)));

    const payloads = Array.from({ length: JOBS }, (_, i) => ({ key: `job-${i}`, workMs: 15 }));
    for (let i = 0; i < JOBS; i += 500) await queue.enqueueMany(receiptJob, payloads.slice(i, i + 500));

    const count = async () => (await database.query<{ n: number }>(sql`select count(*)::int as n from job_receipts`))[0]!.n;
    while ((await count()) < JOBS / 3) await sleep(50);
    const victim = workers[0]!;
    const victimPid = victim.child.pid!;
    const activeAtKill = (
      await database.query<{ n: number }>(sql`select count(*)::int as n from pgboss.job where name = 'diagnostics.receipt' and state = 'active'`)
    )[0]!.n;
    victim.child.kill('SIGKILL');
    await victim.exited;

    const deadline = Date.now() + 120_000;
    for (;;) {
      const [s] = await database.query<{ done: number; open: number }>(sql`
        select count(*) filter (where state = 'completed')::int as done, count(*) filter (where state < 'completed')::int as open
        from pgboss.job where name = 'diagnostics.receipt'`);
      if (s!.done === JOBS && s!.open === 0) break;
      assert.ok(Date.now() < deadline, `jobs still open after 120 s: ${JSON.stringify(s)}`);
      await sleep(250);
    }

    const [receipts] = await database.query<{ total: number; distinct_keys: number }>(
      sql`select count(*)::int as total, count(distinct idempotency_key)::int as distinct_keys from job_receipts`,
    );
    assert.equal(receipts!.total, JOBS, 'one receipt per job');
    assert.equal(receipts!.distinct_keys, JOBS, 'no job ran its effect twice');
    const missing = await database.query<{ n: number }>(
      sql`select count(*)::int as n from generate_series(0, ${JOBS - 1}) i where not exists (select 1 from job_receipts r where r.idempotency_key = 'job-' || i)`,
    );
    assert.equal(missing[0]!.n, 0, 'none missing');
    const failed = await database.query<{ n: number }>(sql`select count(*)::int as n from pgboss.job where name = 'diagnostics.receipt' and state = 'failed'`);
    assert.equal(failed[0]!.n, 0);

    // The killed worker held jobs; after their lease expired the others took them over.
    assert.ok(activeAtKill > 0, 'the victim was killed with jobs in flight');
    // (A job whose receipt the victim committed just before dying is completed by a survivor as a
    // duplicate: the ledger entry committed with the receipt, so the effect is not applied again.)
    const takenOver = await database.query<{ worker: string; applied: boolean }>(sql`
      select output->>'worker' as worker, (output->>'applied')::boolean as applied from pgboss.job
      where name = 'diagnostics.receipt' and retry_count > 0`);
    assert.ok(takenOver.length > 0, 'some jobs were retried after the kill');
    assert.ok(
      takenOver.every((r) => r.worker && !r.worker.endsWith(`:${victimPid}`)),
      'retried jobs were finished by the surviving workers',
    );
    const byWorker = await database.query<{ worker: string; n: number }>(sql`select worker, count(*)::int as n from job_receipts group by worker`);
    assert.equal(byWorker.length, 3, 'all three workers did part of the work');
  });
});
