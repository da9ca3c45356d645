/**
 * M7 by HubSpot webhooks: a verified HubSpot delivery (src/hubspot/webhooks)
 * names contacts and companies that were created, changed, merged, restored or
 * deleted; the property sync reads exactly those records again within seconds
 * (one job per delivery, a repeated delivery is the same job), instead of
 * waiting for the next incremental pass.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { WebhookEvent } from '../../hubspot/webhooks/events.ts';
import { eventTargets } from '../../hubspot/webhooks/apply-events.ts';
import { defineConnectorJob, enqueueOf, type ConnectorContext, type Enqueue } from '../../platform/connector.ts';
import type { PropertySync } from './property-sync.ts';
import type { PropertyStore } from './property-store.ts';

type ObjectType = 'contact' | 'company';
/** Besides the listed properties, what the routing rows are keyed and joined by. */
const BASE: Record<ObjectType, readonly string[]> = {
  contact: ['email', 'hubspot_owner_id', 'associatedcompanyid'],
  company: ['domain', 'name', 'hubspot_owner_id'],
};
const MAX_IDS = 1_000;

const ids = z.array(z.string().regex(/^\d+$/)).max(MAX_IDS);

export function refreshRecordsJob(stores: (ctx: Pick<ConnectorContext, 'db'>) => { sync: PropertySync }) {
  return defineConnectorJob({
    name: 'booking.refresh-records',
    schema: z.object({ contact: ids, company: ids, key: z.string() }),
    idempotencyKey: (p) => p.key,
    retry: { limit: 8, delaySeconds: 2, maxDelaySeconds: 120 },
    async run(p, ctx) {
      // No enabled booking connection: the property sync is off, like its schedules.
      if (!(await ctx.connections.list()).some((c) => c.choice === 'enabled')) return { skipped: 'no enabled booking connection' };
      return stores(ctx).sync.refresh(ctx, { contact: p.contact, company: p.company });
    },
  });
}

/** The records a delivery's events concern, for the properties the sync keeps; one job for them all. */
export async function eventsToRefresh(
  events: readonly WebhookEvent[],
  ctx: Pick<ConnectorContext, 'hubspot'>,
  properties: PropertyStore,
  job: ReturnType<typeof refreshRecordsJob>,
): Promise<readonly Enqueue[]> {
  const portalId = await ctx.hubspot.portalId();
  const state = await properties.state();
  const kept: Record<ObjectType, Set<string>> = {
    contact: new Set([...BASE.contact, ...state.contactProperties]),
    company: new Set([...BASE.company, ...state.companyProperties]),
  };
  const touched: Record<ObjectType, Set<string>> = { contact: new Set(), company: new Set() };
  for (const event of events) for (const [type, id] of event.portalId === portalId ? eventTargets(event, kept) : []) touched[type].add(id);
  if (touched.contact.size + touched.company.size === 0) return [];
  const key = createHash('sha256')
    .update(
      events
        .map((e) => e.eventId)
        .sort()
        .join(','),
    )
    .digest('hex')
    .slice(0, 40);
  return [enqueueOf(job, { contact: [...touched.contact].slice(0, MAX_IDS), company: [...touched.company].slice(0, MAX_IDS), key })];
}
