/**
 * Background work of the phone index: the sync job (full build or incremental
 * pass) and its schedule. The first pass for a portal — or after a build was
 * interrupted — is a full build whatever was asked, so the scheduled
 * incremental pass is all it takes to fill an empty index.
 */
import { z } from 'zod';
import { defineJob, defineJobType, type JobDefinition } from '../../jobs/job.ts';
import type { EnqueueResult, JobQueue } from '../../jobs/queue.ts';
import type { HubSpotService } from '../service.ts';
import type { PhoneIndexSync } from './index-sync.ts';

export const PHONE_INDEX_SYNC_JOB = 'hubspot.phone-index-sync';

export const phoneIndexSyncPayload = z.object({
  mode: z.enum(['full', 'incremental']),
  /** Distinguishes requests; the same value twice is one job. */
  requestedAt: z.string().max(40).optional(),
});

export interface PhoneIndexJobDeps {
  hubspot: HubSpotService;
  sync: PhoneIndexSync;
}

/** A pass of the phone index (enqueued by this object). */
export const phoneIndexSyncJob = defineJobType({
  name: PHONE_INDEX_SYNC_JOB,
  schema: phoneIndexSyncPayload,
  idempotencyKey: (p) => `${p.mode}:${p.requestedAt ?? ''}`,
});

export function phoneIndexJobs(deps: () => PhoneIndexJobDeps): JobDefinition[] {
  const sync = defineJob({
    ...phoneIndexSyncJob,
    retry: { limit: 5, delaySeconds: 30, maxDelaySeconds: 600 },
    // 200,000 contacts take ~4 min of search budget (§3: 5 searches/s); the cursor survives a takeover.
    leaseSeconds: 1_800,
    // Needs a usable connection: while HubSpot needs re-authorization, passes wait in the queue.
    gate: 'hubspot',
    batchSize: 1,
    concurrency: 1,
    async run(payload, ctx) {
      const { hubspot, sync: indexSync } = deps();
      // Nothing to read while HubSpot is not connected; the next scheduled pass tries again.
      if (!(await hubspot.usable())) return { skipped: 'HubSpot is not connected' };
      const reports = await indexSync.run(payload.mode, ctx.signal);
      ctx.log.info({ reports }, 'phone index pass done');
      return { reports };
    },
  });
  return [sync] as JobDefinition[];
}

/** Asks for a pass now (e.g. right after HubSpot was connected); requests within a minute are one job. */
export function requestPhoneIndexSync(queue: JobQueue, mode: 'full' | 'incremental', now = Date.now()): Promise<EnqueueResult> {
  const minute = new Date(Math.floor(now / 60_000) * 60_000).toISOString();
  return queue.enqueue(phoneIndexSyncJob, { mode, requestedAt: minute });
}

export interface PhoneIndexSchedule {
  /** Incremental pass; default every 5 minutes. */
  incrementalCron?: string;
  /** Full build, which also drops records deleted while no webhook arrived; default nightly. */
  fullCron?: string;
  tz?: string;
}

/**
 * Installs the periodic passes (pg-boss schedules: one row each, idempotent, fired once per
 * occurrence across all workers) and asks for a pass now, which fills an empty index.
 */
export async function schedulePhoneIndexSync(queue: JobQueue, schedule: PhoneIndexSchedule = {}): Promise<void> {
  for (const [key, mode, cron] of [
    ['incremental', 'incremental', schedule.incrementalCron ?? '*/5 * * * *'],
    ['full', 'full', schedule.fullCron ?? '23 3 * * *'],
  ] as const) {
    await queue.schedule(phoneIndexSyncJob, cron, { mode }, key, { tz: schedule.tz });
  }
  await requestPhoneIndexSync(queue, 'incremental');
}
