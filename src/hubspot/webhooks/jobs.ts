/**
 * The job behind `POST /webhooks/hubspot`: one per delivery, keyed by its event
 * ids, so a delivery HubSpot retries (same events, `attemptNumber` + 1) is
 * enqueued once and applied once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineJob, defineJobType, type JobDefinition } from '../../jobs/job.ts';
import { applyWebhookEvents, type ApplyDeps } from './apply-events.ts';
import { webhookBatch } from './events.ts';

export const WEBHOOK_EVENTS_JOB = 'hubspot.webhook-events';

export const webhookEventsPayload = z.object({ events: webhookBatch });

/** The same set of events, in any order, gives the same key. */
export function eventsKey(eventIds: string[]): string {
  return createHash('sha256')
    .update([...new Set(eventIds)].sort().join(','))
    .digest('hex')
    .slice(0, 40);
}

/** A verified delivery's events, applied to the phone index (enqueued by this object). */
export const webhookEventsJob = defineJobType({
  name: WEBHOOK_EVENTS_JOB,
  schema: webhookEventsPayload,
  idempotencyKey: (p) => eventsKey(p.events.map((e) => e.eventId)),
});

export function hubspotWebhookJobs(deps: () => ApplyDeps): JobDefinition[] {
  const events = defineJob({
    ...webhookEventsJob,
    retry: { limit: 8, delaySeconds: 5, maxDelaySeconds: 300 },
    leaseSeconds: 120,
    batchSize: 10,
    concurrency: 2,
    run: (payload, ctx) => applyWebhookEvents(deps(), payload.events, ctx.signal),
  });
  return [events] as JobDefinition[];
}
