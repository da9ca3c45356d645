/**
 * The call history's "Retry" (T8): a call that is not logged goes back to its
 * log-call job — the same job, by its deterministic id (the record's key), so
 * exactly-once holds as for any retry. A dead letter is put back to work
 * (`JobQueue.retryFailed`, as `spokes retry --id` does), a job waiting for its
 * next attempt runs now, and a call skipped for a reason since fixed (an
 * extension bound later) runs again from its record: the job's payload while
 * pg-boss keeps it, else the PBX's record of the call.
 */
import { eq } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { jobIdFor } from '../../jobs/job-id.ts';
import { callLogs } from './schema.ts';
import { cdrPayloadSchema, partyKey, recordKey, toCdrPayload, type CdrPayload } from './call-record.ts';
import { LOG_CALL_JOB, logCallJob } from './jobs.ts';
import type { TelephonyContext } from './context.ts';

type Row = typeof callLogs.$inferSelect;

export interface RetryOutcome {
  cdrId: string;
  /** What was done: a dead letter put back, a waiting attempt brought forward, or the call's job run again. */
  action: 'dead_letter_retried' | 'attempt_brought_forward' | 'requeued';
}

/** Whether the history offers "Retry" for this row: a call that is not logged, for a reason a retry can change. */
export function canRetry(row: Pick<Row, 'state' | 'direction' | 'source'>): boolean {
  return row.state === 'failed' || row.state === 'retrying' || (row.state === 'skipped' && row.direction !== 'internal');
}

export async function retryCall(ctx: TelephonyContext, cdrId: string): Promise<RetryOutcome> {
  const db = ctx.services.database.db;
  const queue = ctx.services.queue;
  const [row] = await db.select().from(callLogs).where(eq(callLogs.cdrId, cdrId));
  if (!row) throw new NotFoundError(`no call ${cdrId} in the call history`);
  if (row.state === 'logged') throw new ConflictError('This call is already logged in HubSpot.');
  if (row.state === 'writing') throw new ConflictError('This call is being logged right now.');
  if (!canRetry(row)) throw new ConflictError('Internal calls (between two extensions) are never logged in HubSpot.');

  const key = row.recordKey ?? (await keyFromJobs(ctx, row));
  const jobId = key ? jobIdFor(LOG_CALL_JOB, key) : null;
  const job = jobId ? await queue.job(logCallJob, jobId) : null;
  if (job?.state === 'active') throw new ConflictError('This call is being logged right now.');
  if (job?.state === 'failed') {
    await queue.retryFailed({ queue: LOG_CALL_JOB, ids: [job.id] });
    // pg-boss's retry keeps the start time its last backoff computed (GREATEST(start_after, now())): up to the
    // job's longest delay away. The admin asked for now.
    await queue.runNow(logCallJob, job.id);
    await markQueued(ctx, row, 'Retry requested: the call goes back to its job.');
    return { cdrId, action: 'dead_letter_retried' };
  }
  if (job && (job.state === 'created' || job.state === 'retry')) {
    // pg-boss edits a job that is not active yet in place: its next attempt is due now.
    await queue.runNow(logCallJob, job.id);
    await markQueued(ctx, row, row.detail ?? 'Retry requested.');
    return { cdrId, action: 'attempt_brought_forward' };
  }
  // Completed (e.g. skipped: the extension was not bound then), or no longer kept by pg-boss: run it again.
  const stored = cdrPayloadSchema.safeParse((job?.data as { payload?: unknown } | undefined)?.payload);
  const payload = stored.success ? stored.data : await recordFromPbx(ctx, row);
  if (!payload) throw new ConflictError("The PBX no longer has this call's record, so Spokes cannot log it again.");
  // The row leaves `skipped` first, so that the job does not take the call for a duplicate.
  await markQueued(ctx, row, 'Retry requested: the call is logged again from its record.');
  if (job) await queue.deleteJob(logCallJob, job.id);
  await queue.enqueue(logCallJob, payload);
  return { cdrId, action: 'requeued' };
}

/** The row shows the call waiting for its attempt, not yet claimed (the job takes it over). */
async function markQueued(ctx: TelephonyContext, row: Row, detail: string): Promise<void> {
  await ctx.services.database.db.update(callLogs).set({ state: 'retrying', detail }).where(eq(callLogs.cdrId, row.cdrId));
}

/** Rows from before `record_key` was kept: the key of the job whose record is this row's. */
async function keyFromJobs(ctx: TelephonyContext, row: Row): Promise<string | null> {
  const id = row.cdrId.split('|')[0]!;
  const jobs = await ctx.services.queue.findJobs(logCallJob, { data: { payload: { id } }, limit: 20 });
  for (const job of jobs) {
    const payload = cdrPayloadSchema.safeParse((job.data as { payload?: unknown }).payload);
    if (payload.success && sameParties(row, payload.data)) return recordKey(payload.data);
  }
  return null;
}

/** The PBX's record of the call, looked up around its start (records are filtered by start time). */
async function recordFromPbx(ctx: TelephonyContext, row: Row): Promise<CdrPayload | null> {
  const adapter = await ctx.registry.adapter();
  const at = row.startedAt.getTime();
  const id = row.cdrId.split('|')[0]!;
  for await (const cdr of adapter.listCdrs({ from: new Date(at - 2_000), to: new Date(at + 2_000) })) {
    const payload = toCdrPayload(cdr);
    if ((row.recordKey ? recordKey(payload) === row.recordKey : payload.id === id) && sameParties(row, payload)) return payload;
  }
  return null;
}

function sameParties(row: Pick<Row, 'direction' | 'extension' | 'externalNumber'>, cdr: CdrPayload): boolean {
  return (
    row.direction === cdr.direction && partyKey(row.extension) === partyKey(cdr.extension) && partyKey(row.externalNumber) === partyKey(cdr.externalNumber)
  );
}
