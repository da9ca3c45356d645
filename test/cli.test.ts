import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { runSpokes, runSpokesToEnd, type SpokesProcess } from './support/processes.ts';
import { createTestDatabase, postgresUrl, type TestDatabase } from './support/databases.ts';
import { openDatabase } from '../src/db/open.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { receiptJob } from '../src/jobs/diagnostics.ts';
import { createLogger } from '../src/logger.ts';

describe('spokes CLI', () => {
  const cleanup: (() => Promise<void>)[] = [];
  const running: SpokesProcess[] = [];
  after(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    for (const c of cleanup.reverse()) await c();
  });
  async function db(engine: 'pglite' | 'postgres'): Promise<TestDatabase> {
    const t = await createTestDatabase(engine);
    cleanup.push(() => t.drop());
    return t;
  }

  it('prints usage and exits 2 on an unknown command; --help exits 0', async () => {
    const bad = await runSpokesToEnd(['frobnicate'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.output, /unknown command "frobnicate"/);
    assert.match(bad.output, /Usage: spokes <command>/);
    const help = await runSpokesToEnd(['--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.output, /start +Run the HTTP server and a job worker/);
  });

  it('starts on an empty data directory, serves /healthz, reports status through the running server, and stops on SIGTERM', async () => {
    const t = await db('pglite');
    const env = { ...t.env, SPOKES_PORT: '0' };
    const p = runSpokes(['start'], env);
    running.push(p);
    const [, url] = await p.waitFor(/is running at (http:\/\/\S+)/, 90_000);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);

    // A second process on the same embedded database is refused, and status asks the server.
    const worker = await runSpokesToEnd(['worker'], env);
    assert.equal(worker.code, 1);
    assert.match(worker.output, /in use by process \d+\. Stop it first, or run several processes on PostgreSQL/);
    const port = new URL(url!).port;
    const status = await runSpokesToEnd(['status', '--json'], { ...env, SPOKES_PORT: port });
    assert.equal(status.code, 0, status.output);
    const report = JSON.parse(status.output) as { engine: string; queues: { name: string }[] };
    assert.equal(report.engine, 'pglite');
    assert.ok(report.queues.some((q) => q.name === 'diagnostics.receipt'));

    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.match(p.output(), /shutting down/);
    const migrate = await runSpokesToEnd(['migrate'], env);
    assert.equal(migrate.code, 0);
    assert.match(migrate.output, /Database is up to date/);
  });

  it('refuses to start with a different secret key and touches nothing', async () => {
    const t = await db('pglite');
    const first = await runSpokesToEnd(['migrate'], { ...t.env, SPOKES_SECRET_KEY: randomBytes(32).toString('base64') });
    assert.equal(first.code, 0, first.output);
    const other = await runSpokesToEnd(['start'], { ...t.env, SPOKES_PORT: '0', SPOKES_SECRET_KEY: randomBytes(32).toString('base64') });
    assert.equal(other.code, 1);
    assert.match(other.output, /stored credentials cannot be decrypted with this key/);
    assert.doesNotMatch(other.output, /is running at/);
  });

  if (postgresUrl) {
    it('`start` exits with a clear message when PostgreSQL is unreachable; `worker` retries with backoff and logs each attempt', async () => {
      const unreachable = { DATABASE_URL: 'postgres://spokes:hunter2@127.0.0.1:1/spokes', SPOKES_DATA_DIR: (await db('pglite')).dataDir };
      const start = await runSpokesToEnd(['start'], { ...unreachable, SPOKES_PORT: '0' });
      assert.equal(start.code, 1);
      assert.match(start.output, /cannot connect to PostgreSQL at postgres:\/\/spokes:\*\*\*@127\.0\.0\.1:1\/spokes/);
      assert.doesNotMatch(start.output, /hunter2/);

      const worker = runSpokes(['worker'], unreachable);
      running.push(worker);
      await worker.waitFor(/"attempt":2,.*database unreachable, retrying/, 15_000);
      assert.doesNotMatch(worker.output(), /hunter2/);
      worker.child.kill('SIGKILL');
    });

    it('a worker stopped with SIGTERM finishes the job in flight before exiting', async () => {
      const t = await db('postgres');
      const worker = runSpokes(['worker'], { ...t.env, SPOKES_JOB_POLL_SECONDS: '0.5' });
      running.push(worker);
      await worker.waitFor(/worker started/);
      const database = await openDatabase(t);
      const queue = new JobQueue({ database, jobs: [receiptJob], log: createLogger({ level: 'silent' }) });
      await queue.start();
      cleanup.push(async () => { await queue.stop({ timeoutMs: 1_000 }); await database.close(); });
      const { id } = await queue.enqueue(receiptJob, { key: 'slow', workMs: 2_000 });
      for (;;) {
        const [j] = await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`);
        if (j?.state === 'active') break;
        await sleep(50);
      }
      worker.child.kill('SIGTERM');
      const { code } = await worker.exited;
      assert.equal(code, 0);
      const [j] = await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`);
      assert.equal(j?.state, 'completed');
      const [r] = await database.query<{ n: number }>(sql`select count(*)::int as n from job_receipts where idempotency_key = 'slow'`);
      assert.equal(r?.n, 1);
    });
  }
});
