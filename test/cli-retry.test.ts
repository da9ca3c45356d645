/**
 * Dead letters from the command line: `spokes status` lists them, `spokes retry` puts them back to work — through
 * the running server on the embedded database, directly on PostgreSQL — and a worker stopped with SIGTERM
 * finishes the job in flight.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { cliScope, runSpokesToEnd } from './support/processes.ts';
import { postgresUrl, type TestDatabase } from './support/databases.ts';
import { eventually } from './support/world.ts';
import { openDatabase } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { RemoteRejectedError } from '../src/errors.ts';
import { receiptJob } from '../src/jobs/diagnostics.ts';
import { createLogger } from '../src/logger.ts';

describe('spokes CLI: dead letters', () => {
  const cli = cliScope();
  after(() => cli.cleanUp());

  /**
   * Dead-letters one `diagnostics.receipt` job: this process works it with a handler that HubSpot
   * "refuses", as a call-logging job would be after a bad deploy. The real handler (in the `spokes`
   * processes below) is the fix.
   */
  async function deadLetterReceipt(t: TestDatabase, key: string): Promise<string> {
    const database = await openDatabase(t);
    await applyMigrations(database);
    const broken = {
      ...receiptJob,
      async run() {
        throw new RemoteRejectedError('HubSpot refused: Property "x" does not exist', 400);
      },
    };
    const queue = new JobQueue({ database, jobs: [broken], log: createLogger({ level: 'silent' }), pollSeconds: 0.5 });
    await queue.start();
    try {
      await queue.work();
      const { id } = await queue.enqueue(receiptJob, { key });
      await eventually('the job to be dead-lettered', async () => (await queue.deadLetters()).some((d) => d.id === id), { timeoutMs: 30_000, intervalMs: 100 });
      return id;
    } finally {
      await queue.stop({ timeoutMs: 2_000 });
      await database.close();
    }
  }

  async function receiptsAndState(t: TestDatabase, key: string, id: string): Promise<{ receipts: number; state: string | undefined }> {
    const database = await openDatabase(t);
    try {
      const [r] = await database.query<{ n: number }>(sql`select count(*)::int as n from job_receipts where idempotency_key = ${key}`);
      const [j] = await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`);
      return { receipts: r!.n, state: j?.state };
    } finally {
      await database.close();
    }
  }

  it('`retry` on the embedded database asks the running server to put dead letters back to work', async () => {
    const t = await cli.db('pglite');
    const id = await deadLetterReceipt(t, 'dead-pglite');
    // The emulators play no part here: sandbox mode off keeps the start short.
    const p = cli.start(['start'], { ...t.env, SPOKES_PORT: '0', SPOKES_SANDBOX: 'off' });
    const [, url] = await p.waitFor(/is running at (http:\/\/\S+)/, 90_000);
    const env = { ...t.env, SPOKES_PORT: new URL(url!).port };

    const [status, unknown, copies, badArgs] = await Promise.all([
      runSpokesToEnd(['status'], env),
      runSpokesToEnd(['retry', 'nope'], env),
      runSpokesToEnd(['retry', 'spokes.dead-letters'], env),
      runSpokesToEnd(['retry', '--id'], env),
    ]);
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, new RegExp(`diagnostics\\.receipt  ${id}  after 1 attempt\\(s\\): HubSpot refused`));
    assert.match(status.output, /Retry them with `spokes retry/);

    assert.equal(unknown.code, 1);
    assert.match(unknown.output, /spokes retry: unknown queue "nope"; known queues: .*diagnostics\.receipt/);
    assert.equal(copies.code, 1);
    assert.match(copies.output, /only keeps copies of dead letters/);
    assert.equal(badArgs.code, 2);
    // A web page on this machine cannot make the server retry: the endpoint takes JSON only.
    const form = await fetch(`${url}/api/status/retry`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(form.status, 400);
    const relayed = await fetch(`${url}/api/status/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: '{}',
    });
    assert.equal(relayed.status, 403, 'a request relayed by a proxy is not from this machine');

    const retry = await runSpokesToEnd(['retry', 'diagnostics.receipt'], env);
    assert.equal(retry.code, 0, retry.output);
    assert.match(retry.output, /Put 1 failed job\(s\) in diagnostics\.receipt back to work/);
    await eventually(
      'the retried job to complete',
      async () => {
        const report = (await (await fetch(`${url}/api/status`)).json()) as {
          queues: { name: string; queued: number; active: number; failed: number }[];
          deadLetters: unknown[];
        };
        const q = report.queues.find((x) => x.name === 'diagnostics.receipt')!;
        if (q.queued + q.active + q.failed !== 0 || report.deadLetters.length !== 0) throw new Error(JSON.stringify(report));
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const again = await runSpokesToEnd(['retry'], env);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /No failed jobs in all queues to retry/);

    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0);
    assert.deepEqual(await receiptsAndState(t, 'dead-pglite', id), { receipts: 1, state: 'completed' });
  });

  if (postgresUrl) {
    it('`retry --id` on PostgreSQL puts a dead letter back to work directly; a worker completes it once', async () => {
      const t = await cli.db('postgres');
      const id = await deadLetterReceipt(t, 'dead-pg');
      const unknown = await runSpokesToEnd(['retry', 'nope'], t.env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.output, /unknown queue "nope"; known queues: .*diagnostics\.receipt/);
      const retry = await runSpokesToEnd(['retry', '--id', id], t.env);
      assert.equal(retry.code, 0, retry.output);
      assert.match(retry.output, /Put 1 failed job\(s\) of the 1 given job id\(s\) back to work/);
      assert.equal((await receiptsAndState(t, 'dead-pg', id)).state, 'retry');

      const worker = cli.start(['worker'], { ...t.env, SPOKES_JOB_POLL_SECONDS: '0.5' });
      await worker.waitFor(/worker started/);
      await eventually('the retried job to complete', async () => (await receiptsAndState(t, 'dead-pg', id)).state === 'completed', {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      worker.child.kill('SIGTERM');
      assert.equal((await worker.exited).code, 0);
      assert.deepEqual(await receiptsAndState(t, 'dead-pg', id), { receipts: 1, state: 'completed' });
      const again = await runSpokesToEnd(['retry', '--id', id], t.env);
      assert.match(again.output, /No failed jobs of the 1 given job id\(s\) to retry/);
    });

    it('a worker stopped with SIGTERM finishes the job in flight before exiting', async () => {
      const t = await cli.db('postgres');
      const worker = cli.start(['worker'], { ...t.env, SPOKES_JOB_POLL_SECONDS: '0.5' });
      await worker.waitFor(/worker started/);
      const database = await openDatabase(t);
      const queue = new JobQueue({ database, jobs: [receiptJob], log: createLogger({ level: 'silent' }) });
      await queue.start();
      cli.defer(async () => {
        await queue.stop({ timeoutMs: 1_000 });
        await database.close();
      });
      const { id } = await queue.enqueue(receiptJob, { key: 'slow', workMs: 2_000 });
      await eventually('the job to be running', async () => {
        const [j] = await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`);
        return j?.state === 'active';
      });
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
