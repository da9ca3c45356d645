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
import { logCall, recordFailure, type CallLoggingDeps } from './call-logging.ts';
import { isRetryable } from '../../errors.ts';
import { restorePhonebook, syncRecord, type ContactSyncDeps } from './contact-sync.ts';
import { and, eq } from 'drizzle-orm';
import { agentCalls } from './schema.ts';
import { withWrapUp } from './agent-calls.ts';
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
/** About a day of attempts, up to every 10 minutes (docs/decisions.md, "A call is retried for a day"). */
const LOG_CALL_RETRY = { limit: 150, delaySeconds: 5, maxDelaySeconds: 600 };
export const APPLY_WRAP_UP_JOB = 'telephony.apply-wrap-up';

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
    retry: LOG_CALL_RETRY,
    // A live job may wait out HubSpot's rate windows for minutes; it must not be taken over meanwhile
    // (a second attempt would not find the engagement the first is still writing). A dead worker's
    // jobs are retried after the heartbeat instead.
    leaseSeconds: 900,
    heartbeatSeconds: 10,
    // Many at once, so the batch writer turns them into few HubSpot batch requests.
    batchSize: 100,
    concurrency: 2,
    async run(cdr, ctx) {
      const logging = deps().logging;
      try {
        const outcome = await logCall(logging, cdr, ctx.signal);
        if (outcome.result === 'skipped') ctx.log.debug({ cdrId: cdr.id, reason: outcome.reason }, 'call not logged');
        return outcome;
      } catch (err) {
        // The call history shows the call as not logged, with this error, until an attempt succeeds.
        const final = !isRetryable(err) || ctx.attempt >= LOG_CALL_RETRY.limit;
        const ownerId = cdr.extension ? ((await logging.bindings.byExtension(cdr.extension).catch(() => null))?.ownerId ?? null) : null;
        await recordFailure(logging.db, cdr, (err as Error).message ?? String(err), final, ownerId).catch((failure: unknown) =>
          ctx.log.warn({ err: (failure as Error).message, cdrId: cdr.id }, 'could not record the failed attempt in the call history'),
        );
        throw err;
      }
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

  // A wrap-up saved after the call was logged: its notes and outcome go onto the engagement, with what
  // the logger wrote (the widget's callCompleted has just replaced the title and body with its own).
  const applyWrapUp = defineJob({
    name: APPLY_WRAP_UP_JOB,
    schema: z.object({ callId: z.string().min(1), ownerId: z.string().min(1), version: z.string() }),
    idempotencyKey: (p) => `${p.callId}|${p.ownerId}|${p.version}`,
    gate: 'hubspot',
    retry: { limit: 30, delaySeconds: 5, maxDelaySeconds: 600 },
    async run(p) {
      const { db, writer } = deps().logging;
      const [row] = await db
        .select()
        .from(agentCalls)
        .where(and(eq(agentCalls.callId, p.callId), eq(agentCalls.ownerId, p.ownerId)));
      // Not logged yet: the call logger writes the wrap-up with the rest.
      if (!row?.engagementId || !row.logged || row.wrapUp !== 'saved') return { result: 'skipped' };
      await writer.update('calls', { id: row.engagementId, properties: withWrapUp(row.logged, row) });
      return { result: 'applied' };
    },
  });

  return [logCallJob, backfill, syncContact, restore, applyWrapUp] as JobDefinition[];
}

/** Every 10 minutes, the phonebook is checked against the CRM (T4: read-only in effect). */
export async function scheduleTelephonyJobs(queue: JobQueue): Promise<void> {
  await queue.boss.schedule(RESTORE_PHONEBOOK_JOB, '*/10 * * * *', { payload: { at: 'scheduled' }, key: 'scheduled' }, { key: 'restore' });
}
