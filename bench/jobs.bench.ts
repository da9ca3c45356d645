/**
 * End-to-end job throughput: enqueue → handler done, no-op handler, batches.
 * On PGlite in one process; on PostgreSQL with 1 and 3 `spokes worker` processes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { noopJob } from '../src/jobs/diagnostics.ts';
import { createLogger } from '../src/logger.ts';
import { createTestDatabase } from '../test/support/databases.ts';
import { runSpokes } from '../test/support/processes.ts';
import { report, round, postgresUrl } from './support.ts';

process.env.TEST_DATABASE_URL ??= postgresUrl;
const log = createLogger({ level: 'silent' });

async function completed(database: Database): Promise<number> {
  const [r] = await database.query<{ n: number }>(sql`select count(*)::int as n from pgboss.job where name = 'diagnostics.noop' and state = 'completed'`);
  return r!.n;
}

/** Enqueues `n` no-op jobs in batches and returns jobs/s from the first insert to the last completion. */
async function measure(queue: JobQueue, database: Database, n: number): Promise<number> {
  const payloads = Array.from({ length: n }, (_, i) => ({ key: `bench-${Date.now()}-${i}` }));
  const started = performance.now();
  for (let i = 0; i < n; i += 1_000) await queue.enqueueMany(noopJob, payloads.slice(i, i + 1_000));
  while ((await completed(database)) < n) await sleep(20);
  return n / ((performance.now() - started) / 1000);
}

async function pglite(): Promise<void> {
  const t = await createTestDatabase('pglite');
  const database = await openDatabase(t);
  await applyMigrations(database);
  const queue = new JobQueue({ database, jobs: [noopJob], log, pollSeconds: 0.5, concurrency: 2 });
  await queue.start();
  await queue.work();
  const rate = await measure(queue, database, 3_000);
  report({ bench: 'jobs', metric: 'throughput_pglite_1_process', value: round(rate), unit: 'jobs/s', ceiling: 300, target: 'min' });
  await queue.stop();
  await database.close();
  await t.drop();
}

async function postgres(workers: number, target: number): Promise<number> {
  const t = await createTestDatabase('postgres');
  const database = await openDatabase(t);
  await applyMigrations(database);
  const queue = new JobQueue({ database, jobs: [noopJob], log });
  await queue.start();
  const procs = Array.from({ length: workers }, () => runSpokes(['worker'], { ...t.env, SPOKES_LOG_LEVEL: 'warn', SPOKES_WORKER_CONCURRENCY: '4' }));
  await Promise.all(procs.map((p) => p.waitFor(/worker started|"level":30/, 30_000).catch(() => sleep(3_000))));
  await sleep(1_000);
  const rate = await measure(queue, database, 20_000);
  report({
    bench: 'jobs',
    metric: `throughput_postgres_${workers}_worker${workers > 1 ? 's' : ''}`,
    value: round(rate),
    unit: 'jobs/s',
    ceiling: target,
    target: 'min',
  });
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
  await queue.stop();
  await database.close();
  await t.drop();
  return rate;
}

await pglite();
const one = await postgres(1, 1_000);
const three = await postgres(3, 2_500);
report({
  bench: 'jobs',
  metric: 'postgres_3_vs_1_worker_ratio',
  value: round(three / one, 2),
  unit: 'x',
  note: "all workers, PostgreSQL and the enqueuer share this machine's cores",
});
