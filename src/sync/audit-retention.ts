/**
 * How old audit rows go: a job every night deletes rows older than
 * `SPOKES_AUDIT_RETENTION_DAYS` (default 90), in batches of 10,000 so no
 * transaction holds the table long. A pg-boss schedule (one row, installed by
 * every serving process, idempotent) fires it once a day for the installation.
 */
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { defineJob, type JobDefinition } from '../jobs/job.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { AuditLog } from './audit-log.ts';

export const AUDIT_PRUNE_JOB = 'audit.prune';
/** 04:17 UTC: away from the hour, when other installations' jobs bunch up. */
const CRON = '17 4 * * *';

const pruneSchema = z.object({ key: z.string().min(1) });

export function auditRetentionJobs(deps: () => { audit: AuditLog; retentionDays: number; log: Logger }): JobDefinition[] {
  return [
    defineJob({
      name: AUDIT_PRUNE_JOB,
      schema: pruneSchema,
      idempotencyKey: (p) => p.key,
      retry: { limit: 3, delaySeconds: 60 },
      leaseSeconds: 3600,
      async run() {
        const { audit, retentionDays, log } = deps();
        const before = new Date(Date.now() - retentionDays * 86_400_000);
        const deleted = await audit.prune(before);
        if (deleted) log.info({ deleted, before: before.toISOString() }, 'audit log pruned');
        return { deleted };
      },
    }),
  ] as JobDefinition[];
}

export async function scheduleAuditRetention(queue: JobQueue): Promise<void> {
  await queue.schedule({ name: AUDIT_PRUNE_JOB, schema: pruneSchema }, CRON, { key: 'daily' }, 'audit-prune');
}
