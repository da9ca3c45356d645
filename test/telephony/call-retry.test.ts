/**
 * The call history's Retry on both engines, against pg-boss itself: a dead
 * letter is put back to work, a job waiting long for its next attempt runs
 * now, and a call whose job completed (skipped) runs again from its payload —
 * always the call's own job (one id), never a second one. The log-call job
 * here stands in for the real one (same name, payload and key), so HubSpot's
 * answers can be chosen per call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import { defineJob } from '../../src/jobs/job.ts';
import { jobIdFor } from '../../src/jobs/job-id.ts';
import { createLogger } from '../../src/logger.ts';
import { ConflictError, NotFoundError, RemoteRejectedError, RemoteUnavailableError } from '../../src/errors.ts';
import { callLogs } from '../../src/connectors/telephony/schema.ts';
import { cdrPayloadSchema, recordKey, type CdrPayload } from '../../src/connectors/telephony/call-record.ts';
import { LOG_CALL_JOB } from '../../src/connectors/telephony/jobs.ts';
import { retryCall } from '../../src/connectors/telephony/call-retry.ts';
import type { TelephonyContext } from '../../src/connectors/telephony/context.ts';
import { createTestDatabase, engines, type TestDatabase } from '../support/databases.ts';
import { eventually } from '../support/world.ts';

const cdr = (id: string): CdrPayload => ({
  id,
  fingerprint: id,
  callId: `call-${id}`,
  direction: 'inbound',
  status: 'answered',
  pbxStatus: 'ANSWERED',
  startedAt: new Date().toISOString(),
  ringSeconds: 1,
  talkSeconds: 5,
  from: '+14155550100',
  to: '1001',
  externalNumber: '+14155550100',
  extension: '1001',
  otherExtension: null,
  didNumber: null,
  trunk: null,
  recording: null,
});

for (const engine of engines) {
  describe(`Retry from the call history (${engine})`, () => {
    let t: TestDatabase;
    let database: Database;
    let queue: JobQueue;
    let ctx: TelephonyContext;
    /** What "HubSpot" answers each call's next attempt; every attempt is counted. */
    const answer = new Map<string, 'ok' | 'refuse' | 'unavailable'>();
    const attempts = new Map<string, number>();

    before(async () => {
      t = await createTestDatabase(engine);
      database = await openDatabase(t);
      await applyMigrations(database);
      const job = defineJob({
        name: LOG_CALL_JOB,
        schema: cdrPayloadSchema,
        idempotencyKey: (p) => recordKey(p),
        // A long wait before the next attempt: only "Retry" makes it run soon.
        retry: { limit: 3, delaySeconds: 3600 },
        async run(p) {
          attempts.set(p.id, (attempts.get(p.id) ?? 0) + 1);
          const a = answer.get(p.id) ?? 'ok';
          if (a === 'refuse') throw new RemoteRejectedError('HubSpot refused the call (400)', 400);
          if (a === 'unavailable') throw new RemoteUnavailableError('HubSpot answered 503');
          return { result: 'logged' };
        },
      });
      queue = new JobQueue({ database, jobs: [job], log: createLogger({ level: 'silent' }), superviseSeconds: 1, pollSeconds: 0.5 });
      await queue.start();
      await queue.work();
      ctx = {
        services: { database, queue },
        registry: {
          adapter: async () => {
            throw new Error('no PBX in this test');
          },
        },
      } as unknown as TelephonyContext;
    });
    after(async () => {
      await queue?.stop({ timeoutMs: 2_000 });
      await database?.close();
      await t?.drop();
    });

    const stateOf = async (p: CdrPayload) => (await queue.job({ name: LOG_CALL_JOB }, jobIdFor(LOG_CALL_JOB, recordKey(p))))?.state;
    const untilState = (p: CdrPayload, state: string) =>
      eventually(`${p.id}'s job is ${state}`, async () => (await stateOf(p)) === state, { timeoutMs: 20_000 });
    const row = async (p: CdrPayload, state: 'failed' | 'retrying' | 'skipped' | 'logged' | 'writing', extra: Partial<typeof callLogs.$inferInsert> = {}) => {
      await database.db.insert(callLogs).values({
        cdrId: p.id,
        callId: p.callId,
        direction: p.direction,
        status: p.status,
        extension: p.extension,
        externalNumber: p.externalNumber,
        startedAt: new Date(p.startedAt),
        durationMs: 5000,
        state,
        recordKey: recordKey(p),
        ...extra,
      });
    };

    it('puts a dead letter back to work at once (not after its last backoff): the same job runs once more', async () => {
      const call = cdr('dead');
      answer.set(call.id, 'refuse');
      await queue.enqueue(queue.definition(LOG_CALL_JOB), call);
      await untilState(call, 'failed');
      await row(call, 'failed', { detail: 'HubSpot refused the call (400)' });
      answer.set(call.id, 'ok');
      assert.deepEqual(await retryCall(ctx, call.id), { cdrId: call.id, action: 'dead_letter_retried' });
      await untilState(call, 'completed');
      assert.equal(attempts.get(call.id), 2);
      const [r] = await database.db.select().from(callLogs).where(eq(callLogs.cdrId, call.id));
      assert.equal(r!.state, 'retrying', 'the row waits for the attempt, which records the outcome');
    });

    it('runs now a call whose next attempt is an hour away', async () => {
      const call = cdr('waiting');
      answer.set(call.id, 'unavailable');
      await queue.enqueue(queue.definition(LOG_CALL_JOB), call);
      await untilState(call, 'retry');
      await row(call, 'retrying', { detail: 'HubSpot answered 503' });
      answer.set(call.id, 'ok');
      assert.deepEqual(await retryCall(ctx, call.id), { cdrId: call.id, action: 'attempt_brought_forward' });
      await untilState(call, 'completed');
      assert.equal(attempts.get(call.id), 2);
    });

    it("runs again a call whose job completed without logging it (skipped), from the job's payload", async () => {
      const call = cdr('skipped');
      await queue.enqueue(queue.definition(LOG_CALL_JOB), call);
      await untilState(call, 'completed');
      await row(call, 'skipped', { detail: 'extension 1001 is not bound to a HubSpot user' });
      assert.deepEqual(await retryCall(ctx, call.id), { cdrId: call.id, action: 'requeued' });
      await eventually('the job ran again', () => attempts.get(call.id) === 2, { timeoutMs: 20_000 });
      await untilState(call, 'completed');
      const jobs = await queue.findJobs({ name: LOG_CALL_JOB }, { data: { payload: { id: call.id } } });
      assert.equal(jobs.length, 1, 'still one job for the call');
    });

    it('refuses a logged call, one being logged, an internal call and an unknown one', async () => {
      await row(cdr('logged'), 'logged', { engagementId: '901' });
      await row(cdr('writing'), 'writing');
      await row({ ...cdr('internal'), direction: 'internal' }, 'skipped', { detail: 'internal call' });
      await assert.rejects(retryCall(ctx, 'logged'), (e: unknown) => e instanceof ConflictError && /already logged/.test(e.message));
      await assert.rejects(retryCall(ctx, 'writing'), (e: unknown) => e instanceof ConflictError && /being logged/.test(e.message));
      await assert.rejects(retryCall(ctx, 'internal'), (e: unknown) => e instanceof ConflictError && /Internal calls/.test(e.message));
      await assert.rejects(retryCall(ctx, 'nope'), NotFoundError);
    });
  });
}
