import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { JobQueue, DEAD_LETTER_QUEUE } from '../src/jobs/queue.ts';
import { defineJob, type JobDefinition } from '../src/jobs/job.ts';
import { receiptJob } from '../src/jobs/diagnostics.ts';
import { createLogger } from '../src/logger.ts';
import { RemoteRejectedError, RemoteUnavailableError, ValidationError } from '../src/errors.ts';
import { engines, createTestDatabase } from './support/databases.ts';
import { eventually, jobDone, jobsIdle } from './support/world.ts';

for (const engine of engines) {
  describe(`jobs on ${engine}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    async function setup(jobs: JobDefinition[]): Promise<{ queue: JobQueue; database: Database }> {
      const t = await createTestDatabase(engine);
      const database = await openDatabase(t);
      await applyMigrations(database);
      const queue = new JobQueue({ database, jobs, log: createLogger({ level: 'silent' }), superviseSeconds: 1, pollSeconds: 0.5 });
      await queue.start();
      cleanup.push(async () => {
        await queue.stop({ timeoutMs: 2_000 });
        await database.close();
        await t.drop();
      });
      return { queue, database };
    }

    it('retries a retryable failure with backoff until it succeeds', async () => {
      const attempts: number[] = [];
      const flaky = defineJob({
        name: 'test.flaky',
        schema: z.object({ id: z.string() }),
        idempotencyKey: (p) => p.id,
        retry: { limit: 3, delaySeconds: 1 },
        async run(_p, ctx) {
          attempts.push(Date.now());
          if (ctx.attempt < 2) throw new RemoteUnavailableError('HubSpot answered 502');
          return { ok: true };
        },
      });
      const { queue } = await setup([flaky]);
      await queue.work();
      const { id } = await queue.enqueue(flaky, { id: 'a' });
      assert.equal(await jobDone({ queue }, flaky, id), 'completed');
      const [job] = await queue.findJobs(flaky, { id });
      assert.equal(attempts.length, 3);
      assert.equal(job!.retryCount, 2);
      assert.ok(attempts[2]! - attempts[1]! >= attempts[1]! - attempts[0]! - 200, 'the delay does not shrink (exponential backoff)');
    });

    it('dead-letters a job that keeps failing, with its error, and a permanent error at once', async () => {
      let runs = 0;
      const broken = defineJob({
        name: 'test.broken',
        schema: z.object({ id: z.string() }),
        idempotencyKey: (p) => p.id,
        retry: { limit: 1, delaySeconds: 1 },
        async run(p) {
          runs++;
          if (p.id === 'permanent') throw new RemoteRejectedError('HubSpot refused: Property "x" does not exist', 400);
          throw new RemoteUnavailableError('connection reset');
        },
      });
      const { queue } = await setup([broken]);
      await queue.work();
      await queue.enqueue(broken, { id: 'transient' });
      await queue.enqueue(broken, { id: 'permanent' });
      const dead = await eventually('two dead letters', async () => {
        const d = await queue.deadLetters();
        return d.length === 2 ? d : undefined;
      });
      const transient = dead.find((d) => (d.payload as { id: string }).id === 'transient')!;
      const permanent = dead.find((d) => (d.payload as { id: string }).id === 'permanent')!;
      assert.equal(transient.attempts, 2, 'one attempt and one retry');
      assert.match(transient.error, /connection reset/);
      assert.equal(permanent.attempts, 1, 'a permanent error is not retried');
      assert.match(permanent.error, /does not exist/);
      assert.equal(runs, 3);
      const status = await queue.status();
      assert.equal(status.find((s) => s.name === 'test.broken')?.failed, 2);
      assert.ok((status.find((s) => s.name === 'spokes.dead-letters')?.queued ?? 0) >= 2, 'copies kept in the dead-letter queue');
    });

    it('dead-letters at once a write the database refuses for its data (a number out of range), naming the SQLSTATE, not the values written', async () => {
      let runs = 0;
      const opened: { database?: Database } = {};
      const overflow = defineJob({
        name: 'test.overflow',
        schema: z.object({ number: z.string(), seconds: z.number() }),
        idempotencyKey: (p) => p.number,
        retry: { limit: 5, delaySeconds: 1 },
        async run(p) {
          runs++;
          // A call's milliseconds into an int4, as call_logs.duration_ms was: 22003 numeric value out of range.
          await opened.database!.db.execute(sql`select ${p.number}::text as caller, (${p.seconds}::bigint * 1000)::int as ms`);
        },
      });
      const { queue, database } = await setup([overflow]);
      opened.database = database;
      await queue.work();
      await queue.enqueue(overflow, { number: '+16505550177', seconds: 3_000_000 });
      const [dead] = await eventually('one dead letter', async () => {
        const d = await queue.deadLetters();
        return d.length === 1 ? d : undefined;
      });
      assert.equal(dead!.attempts, 1, 'not retried');
      assert.equal(runs, 1);
      assert.match(dead!.error, /^database error 22003: /);
      assert.doesNotMatch(dead!.error, /6505550177/, 'the values written are not kept with the error');
    });

    it('puts dead letters back to work (by id, by queue, all) once the cause is fixed; each completes once', async () => {
      let fixed = false;
      const done = new Map<string, number>();
      const handler = (name: string) =>
        defineJob({
          name,
          schema: z.object({ id: z.string() }),
          idempotencyKey: (p) => p.id,
          retry: { limit: 1, delaySeconds: 1 },
          async run(p) {
            if (!fixed) throw new RemoteRejectedError('HubSpot refused: Property "x" does not exist', 400);
            done.set(`${name}:${p.id}`, (done.get(`${name}:${p.id}`) ?? 0) + 1);
            return { ok: true };
          },
        });
      const calls = handler('test.calls');
      const other = handler('test.other');
      const { queue } = await setup([calls, other]);
      await queue.work();
      const a = await queue.enqueue(calls, { id: 'a' });
      await queue.enqueue(calls, { id: 'b' });
      await queue.enqueue(other, { id: 'c' });
      await eventually('three dead letters', async () => (await queue.deadLetters()).length === 3);
      // While the failed job is kept, the same work cannot be enqueued again: retrying is the way back.
      assert.equal((await queue.enqueue(calls, { id: 'a' })).duplicate, true);
      const copies = async () => (await queue.status()).find((q) => q.name === DEAD_LETTER_QUEUE)!.total;
      const copiesBefore = await copies();
      assert.equal(copiesBefore, 3);

      await assert.rejects(queue.retryFailed({ queue: 'test.nope' }), (err: ValidationError) => {
        assert.ok(err instanceof ValidationError);
        assert.match(err.message, /unknown queue "test\.nope"; known queues: .*test\.calls.*test\.other/);
        return true;
      });
      await assert.rejects(queue.retryFailed({ queue: DEAD_LETTER_QUEUE }), /only keeps copies of dead letters/);
      await assert.rejects(queue.retryFailed({ ids: ['not-a-uuid'] }), /not a job id: not-a-uuid/);
      assert.equal(await queue.retryFailed({ ids: [] }), 0);

      fixed = true;
      assert.equal(await queue.retryFailed({ ids: [a.id.toUpperCase()] }), 1);
      await eventually('a done', () => done.get('test.calls:a') === 1);
      assert.deepEqual((await queue.deadLetters()).map((d) => d.queue).sort(), ['test.calls', 'test.other'], 'only the given id was retried');
      assert.ok(!(await queue.deadLetters()).some((d) => d.id === a.id));
      assert.equal(await queue.retryFailed({ ids: [a.id] }), 0, 'a completed job is not a dead letter');

      assert.equal(await queue.retryFailed({ queue: 'test.calls' }), 1);
      await eventually('b done', () => done.get('test.calls:b') === 1);
      assert.equal((await queue.deadLetters()).length, 1, "the other queue's dead letter is untouched");

      assert.equal(await queue.retryFailed(), 1);
      await eventually('c done', () => done.get('test.other:c') === 1);
      // Nothing left to run, so nothing can run twice later.
      await jobsIdle({ queue }, 'test.');
      assert.deepEqual([...done.values()], [1, 1, 1], 'each retried job ran once');
      assert.deepEqual(await queue.deadLetters(), []);
      assert.equal(await queue.retryFailed(), 0);
      const [state] = await queue.findJobs({ name: 'test.calls' }, { id: a.id });
      assert.equal(state?.state, 'completed');
      assert.equal(await copies(), copiesBefore, 'the dead-letter copies are kept as the record, not retried');
      assert.equal((await queue.status()).find((q) => q.name === DEAD_LETTER_QUEUE)!.active, 0);
    });

    it('rejects a payload that fails its schema at enqueue time, naming the field', async () => {
      const typed = defineJob({
        name: 'test.typed',
        schema: z.object({ portalId: z.number().int(), number: z.string().min(3) }),
        idempotencyKey: (p) => p.number,
        async run() {},
      });
      const { queue } = await setup([typed]);
      await assert.rejects(queue.enqueue(typed, { portalId: 'x', number: '12345' } as never), (err: ValidationError) => {
        assert.ok(err instanceof ValidationError);
        assert.deepEqual(
          err.details?.map((d) => d.field),
          ['payload.portalId'],
        );
        return true;
      });
      const [s] = (await queue.status()).filter((q) => q.name === 'test.typed');
      assert.equal(s?.total, 0, 'nothing enqueued');
    });

    it('enqueues the same idempotency key once, and applies a ledgered effect once', async () => {
      const { queue, database } = await setup([receiptJob]);
      const first = await queue.enqueue(receiptJob, { key: 'cdr-1' });
      const again = await queue.enqueue(receiptJob, { key: 'cdr-1' });
      const many = await queue.enqueueMany(receiptJob, [{ key: 'cdr-2' }, { key: 'cdr-2' }, { key: 'cdr-1' }]);
      assert.equal(first.duplicate, false);
      assert.equal(again.duplicate, true);
      assert.equal(again.id, first.id);
      assert.deepEqual(
        many.map((m) => m.duplicate),
        [false, true, true],
      );
      await queue.work();
      await eventually('two receipts', async () => (await database.query<{ n: number }>(sql`select count(*)::int as n from job_receipts`))[0]!.n === 2);
      await jobsIdle({ queue }, receiptJob.name);
      // A replay after completion (e.g. the PBX resending a CDR) is still a no-op.
      assert.equal((await queue.enqueue(receiptJob, { key: 'cdr-1' })).duplicate, true);
      await jobsIdle({ queue }, receiptJob.name);
      const rows = await database.query<{ idempotency_key: string }>(sql`select idempotency_key from job_receipts order by 1`);
      assert.deepEqual(
        rows.map((r) => r.idempotency_key),
        ['cdr-1', 'cdr-2'],
      );
    });
  });
}
