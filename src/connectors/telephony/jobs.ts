/**
 * The telephony connector's background work, each a declared job type:
 * logging a finished call (T8), back-filling the calls of a stream gap,
 * copying a CRM record into the PBX phonebook (T4) and the periodic pass that
 * restores the phonebook over edits made on the PBX.
 */
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/job.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { cdrPayloadSchema, recordKey, toCdrPayload, type CdrPayload } from './call-record.ts';
import { logCall, type CallLoggingDeps } from './call-logging.ts';
import { restorePhonebook, syncRecord, type ContactSyncDeps } from './contact-sync.ts';
import type { PbxStore } from './pbx-store.ts';
import type { PbxRegistry } from './pbx-registry.ts';

export interface TelephonyJobDeps {
  logging: CallLoggingDeps;
  sync: ContactSyncDeps;
  store: PbxStore;
  registry: PbxRegistry;
  queue: () => JobQueue;
}

export const LOG_CALL_JOB = 'telephony.log-call';
export const RESTORE_PHONEBOOK_JOB = 'telephony.restore-phonebook';

export function telephonyJobs(deps: () => TelephonyJobDeps): JobDefinition[] {
  const logCallJob = defineJob({
    name: LOG_CALL_JOB,
    schema: cdrPayloadSchema,
    // The record's id and parties: a duplicated, replayed or back-filled record is the same job; another
    // call whose record shares the id (two calls of one second with the same uid) is a job of its own.
    idempotencyKey: (cdr) => recordKey(cdr),
    gate: 'hubspot',
    // A call is retried for a day (then every 10 minutes): a HubSpot or network outage of hours must not
    // dead-letter calls, which a later back-fill would not bring back (same job id). A definite refusal
    // (4xx) is not retried at all.
    retry: { limit: 150, delaySeconds: 5, maxDelaySeconds: 600 },
    // A live job may wait out HubSpot's rate windows for minutes; it must not be taken over meanwhile
    // (a second attempt would not find the engagement the first is still writing). A dead worker's
    // jobs are retried after the heartbeat instead.
    leaseSeconds: 900,
    heartbeatSeconds: 10,
    // Many at once, so the batch writer turns them into few HubSpot batch requests.
    batchSize: 100,
    concurrency: 2,
    async run(cdr, ctx) {
      const outcome = await logCall(deps().logging, cdr, ctx.signal);
      if (outcome.result === 'skipped') ctx.log.debug({ cdrId: cdr.id, reason: outcome.reason }, 'call not logged');
      return outcome;
    },
  });

  const backfill = defineJob({
    name: 'telephony.backfill-cdrs',
    schema: z.object({ from: z.iso.datetime(), to: z.iso.datetime(), reason: z.string() }),
    idempotencyKey: (p) => `${p.from}/${p.to}`,
    retry: { limit: 8, delaySeconds: 10, maxDelaySeconds: 600 },
    leaseSeconds: 600,
    batchSize: 1,
    async run(p, ctx) {
      const adapter = await deps().registry.adapter();
      const queue = deps().queue();
      let batch = [];
      let total = 0;
      let refused = 0;
      for await (const cdr of adapter.listCdrs({ from: new Date(p.from), to: new Date(p.to) })) {
        // One record the log-call payload refuses (a week-long call, a time no Date holds) is skipped alone, visibly,
        // instead of failing the batch and with it every call of the gap.
        let payload: CdrPayload;
        try {
          payload = toCdrPayload(cdr);
        } catch (err) {
          refused++;
          ctx.log.warn({ cdrId: cdr.id, err: (err as Error).message }, 'a PBX call record was refused and is not logged');
          continue;
        }
        const invalid = queue.invalidPayload(logCallJob, payload);
        if (invalid) {
          refused++;
          ctx.log.warn({ cdrId: cdr.id, err: invalid.message }, 'a PBX call record was refused and is not logged');
          continue;
        }
        batch.push(payload);
        if (batch.length === 500) {
          total += (await queue.enqueueMany(logCallJob, batch)).filter((r) => !r.duplicate).length;
          batch = [];
        }
      }
      if (batch.length) total += (await queue.enqueueMany(logCallJob, batch)).filter((r) => !r.duplicate).length;
      ctx.log.info({ from: p.from, to: p.to, reason: p.reason, newCalls: total, refused }, 'back-filled PBX call records');
      return { newCalls: total, refused };
    },
  });

  const syncContact = defineJob({
    name: 'telephony.sync-contact',
    schema: z.object({ objectType: z.enum(['contact', 'company']), objectId: z.string().min(1), callId: z.string().nullable().optional() }),
    idempotencyKey: (p) => `${p.objectType}:${p.objectId}:${p.callId ?? ''}`,
    gate: 'hubspot',
    retry: { limit: 6, delaySeconds: 5, maxDelaySeconds: 600 },
    // Many at once, so that their HubSpot reads share batch requests (crm-reader.ts).
    batchSize: 50,
    async run(p) {
      const connection = await deps().store.get();
      if (!connection?.enabled || !connection.settings.contactSync.enabled) return { result: 'skipped' };
      return { result: await syncRecord(deps().sync, connection.settings, p.objectType, p.objectId) };
    },
  });

  const restore = defineJob({
    name: RESTORE_PHONEBOOK_JOB,
    schema: z.object({ at: z.string() }),
    idempotencyKey: (p) => p.at,
    gate: 'hubspot',
    retry: { limit: 3, delaySeconds: 30 },
    leaseSeconds: 1800,
    batchSize: 1,
    async run(_p, ctx) {
      const connection = await deps().store.get();
      if (!connection?.enabled || !connection.settings.contactSync.enabled || !connection.settings.contactSync.phonebookId) return { result: 'skipped' };
      const counts = await restorePhonebook(deps().sync, connection.settings);
      ctx.log.info(counts, 'PBX phonebook checked against the CRM');
      return counts;
    },
  });

  return [logCallJob, backfill, syncContact, restore] as JobDefinition[];
}

/** Every 10 minutes, the phonebook is checked against the CRM (T4: read-only in effect). */
export async function scheduleTelephonyJobs(queue: JobQueue): Promise<void> {
  await queue.boss.schedule(RESTORE_PHONEBOOK_JOB, '*/10 * * * *', { payload: { at: 'scheduled' }, key: 'scheduled' }, { key: 'restore' });
}
