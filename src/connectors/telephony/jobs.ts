/**
 * The telephony connector's background work, each a declared job type:
 * logging a finished call (T8), back-filling the calls of a stream gap,
 * copying a CRM record into the PBX phonebook (T4) and the periodic pass that
 * restores the phonebook over edits made on the PBX.
 */
import { z } from 'zod';
import { defineConnectorJob, type ConnectorJobContext } from '../../platform/connector.ts';
import { cdrPayloadSchema, recordKey, toCdrPayload, type CdrPayload } from './call-record.ts';
import { logCall, recordFailure, type CallLoggingDeps } from './call-logging.ts';
import { isRetryable } from '../../errors.ts';
import { restorePhonebook, syncRecord, type ContactSyncDeps } from './contact-sync.ts';
import { and, eq } from 'drizzle-orm';
import { agentCalls } from './schema.ts';
import { withWrapUp } from './agent-calls.ts';
import type { PbxStore } from './pbx-store.ts';
import type { PbxRegistry } from './pbx-registry.ts';
import type { TelephonySettings } from './settings.ts';
import type { PbxCredentials } from './pbx-store.ts';
import { telephonyContext } from './context.ts';

export interface TelephonyJobDeps {
  logging: CallLoggingDeps;
  sync: ContactSyncDeps;
  store: PbxStore;
  registry: PbxRegistry;
}

type Ctx = ConnectorJobContext<TelephonySettings, PbxCredentials>;
/** The connector's state in this process (context.ts), behind the job's context. */
const deps = (ctx: Ctx) => telephonyContext(ctx).jobDeps;

export const LOG_CALL_JOB = 'telephony.log-call';
export const RESTORE_PHONEBOOK_JOB = 'telephony.restore-phonebook';
/** About a day of attempts, up to every 10 minutes (docs/decisions.md, "A call is retried for a day"). */
const LOG_CALL_RETRY = { limit: 150, delaySeconds: 5, maxDelaySeconds: 600 };
export const APPLY_WRAP_UP_JOB = 'telephony.apply-wrap-up';

export const logCallJob = defineConnectorJob({
  name: LOG_CALL_JOB,
  schema: cdrPayloadSchema,
  // The record's id and parties: a duplicated, replayed or back-filled record is the same job; another
  // call whose record shares the id (two calls of one second with the same uid) is a job of its own.
  idempotencyKey: (cdr) => recordKey(cdr),
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
  async run(cdr, ctx: Ctx) {
    const logging = deps(ctx).logging;
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

export const backfillJob = defineConnectorJob({
  name: 'telephony.backfill-cdrs',
  schema: z.object({ from: z.iso.datetime(), to: z.iso.datetime(), reason: z.string() }),
  idempotencyKey: (p) => `${p.from}/${p.to}`,
  retry: { limit: 8, delaySeconds: 10, maxDelaySeconds: 600 },
  leaseSeconds: 600,
  batchSize: 1,
  async run(p, ctx: Ctx) {
    const adapter = await deps(ctx).registry.adapter();
    const queue = ctx.queue;
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

export const syncContactJob = defineConnectorJob({
  name: 'telephony.sync-contact',
  schema: z.object({ objectType: z.enum(['contact', 'company']), objectId: z.string().min(1), callId: z.string().nullable().optional() }),
  idempotencyKey: (p) => `${p.objectType}:${p.objectId}:${p.callId ?? ''}`,
  retry: { limit: 6, delaySeconds: 5, maxDelaySeconds: 600 },
  // Many at once, so that their HubSpot reads share batch requests (crm-reader.ts).
  batchSize: 50,
  async run(p, ctx: Ctx) {
    const connection = await deps(ctx).store.get();
    if (!connection?.enabled || !connection.settings.contactSync.enabled) return { result: 'skipped' };
    return { result: await syncRecord(deps(ctx).sync, connection.settings, p.objectType, p.objectId) };
  },
});

export const restorePhonebookJob = defineConnectorJob({
  name: RESTORE_PHONEBOOK_JOB,
  schema: z.object({ at: z.string() }),
  idempotencyKey: (p) => p.at,
  retry: { limit: 3, delaySeconds: 30 },
  leaseSeconds: 1800,
  batchSize: 1,
  async run(_p, ctx: Ctx) {
    const connection = await deps(ctx).store.get();
    if (!connection?.enabled || !connection.settings.contactSync.enabled || !connection.settings.contactSync.phonebookId) return { result: 'skipped' };
    const counts = await restorePhonebook(deps(ctx).sync, connection.settings);
    ctx.log.info(counts, 'PBX phonebook checked against the CRM');
    return counts;
  },
});

// A wrap-up saved after the call was logged: its notes and outcome go onto the engagement, with what
// the logger wrote (the widget's callCompleted has just replaced the title and body with its own).
export const applyWrapUpJob = defineConnectorJob({
  name: APPLY_WRAP_UP_JOB,
  schema: z.object({ callId: z.string().min(1), ownerId: z.string().min(1), version: z.string() }),
  idempotencyKey: (p) => `${p.callId}|${p.ownerId}|${p.version}`,
  retry: { limit: 30, delaySeconds: 5, maxDelaySeconds: 600 },
  async run(p, ctx: Ctx) {
    const { db, writer } = deps(ctx).logging;
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

/** Every job of the connector (the platform gates them on HubSpot and runs them with the connector's context). */
export const telephonyJobs = [logCallJob, backfillJob, syncContactJob, restorePhonebookJob, applyWrapUpJob];

/** Every 10 minutes, the phonebook is checked against the CRM (T4: read-only in effect). */
export const telephonySchedules = [{ job: restorePhonebookJob, cron: '*/10 * * * *', payload: { at: 'scheduled' } }] as const;
