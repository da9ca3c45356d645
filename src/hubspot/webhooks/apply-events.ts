/**
 * Applies a batch of HubSpot webhook events to the phone index. Events only say
 * *that* a record changed; the job re-reads the records concerned (one batch read
 * per 100 ids) and writes what HubSpot holds now, or removes what it no longer
 * has. That makes the outcome independent of delivery order and of duplicates:
 * an event no newer (`occurredAt`) than the version already indexed is skipped,
 * a late deletion of a since-restored record re-reads it and keeps it.
 */
import type { Logger } from '../../logger.ts';
import type { HubSpotApi } from '../api.ts';
import type { PhoneIndex, PhoneObjectType } from '../phone/phone-index.ts';
import { readRecords, toPhoneRecord } from '../phone/hubspot-records.ts';
import type { WebhookEvent } from './events.ts';
import { INDEXED_PROPERTIES } from './subscriptions.ts';

export interface ApplyReport {
  events: number;
  /** Events for another portal, types or properties the index does not use, or repeated ids. */
  ignored: number;
  /** Records whose indexed version was already as new as their events. */
  upToDate: number;
  /** Records re-read from HubSpot, and how many of them are gone (deleted or merged away). */
  read: number;
  removed: number;
}

export interface ApplyDeps {
  api: HubSpotApi;
  index: PhoneIndex;
  log: Logger;
}

const OBJECT_TYPE_IDS: Record<string, PhoneObjectType> = { '0-1': 'contact', '0-2': 'company' };

export async function applyWebhookEvents(deps: ApplyDeps, events: WebhookEvent[], signal?: AbortSignal): Promise<ApplyReport> {
  const portalId = await deps.api.portalId();
  const report: ApplyReport = { events: events.length, ignored: 0, upToDate: 0, read: 0, removed: 0 };
  // Per record, the time of its newest event.
  const touched: Record<PhoneObjectType, Map<string, number>> = { contact: new Map(), company: new Map() };
  const seen = new Set<string>();
  for (const event of events) {
    const targets = event.portalId === portalId && !seen.has(event.eventId) ? eventTargets(event, INDEXED_PROPERTIES) : [];
    seen.add(event.eventId);
    if (!targets.length) report.ignored++;
    for (const [type, id] of targets) touched[type].set(id, Math.max(touched[type].get(id) ?? 0, event.occurredAt));
  }
  for (const type of ['contact', 'company'] as const) {
    const indexed = await deps.index.indexedVersions(portalId, type, [...touched[type].keys()]);
    const stale = [...touched[type]].filter(([id, at]) => at > (indexed.get(id) ?? -1)).map(([id]) => id);
    report.upToDate += touched[type].size - stale.length;
    if (!stale.length) continue;
    const { found, gone } = await readRecords(deps.api, type, stale, signal);
    report.read += stale.length;
    await deps.index.upsert(
      portalId,
      found.map((r) => toPhoneRecord(type, r)),
    );
    report.removed += await deps.index.remove(portalId, type, gone);
  }
  deps.log.debug(report, 'HubSpot webhook events applied to the phone index');
  return report;
}

/**
 * The records an event concerns, or none when it changes no `watched` property (the phone
 * index's; a connector's own, e.g. the booking property sync's).
 */
export function eventTargets(event: WebhookEvent, watched: Record<PhoneObjectType, ReadonlySet<string>>): [PhoneObjectType, string][] {
  const [prefix, verb] = event.subscriptionType.split('.');
  const type =
    prefix === 'object' ? OBJECT_TYPE_IDS[event.objectTypeId ?? ''] : prefix === 'contact' ? 'contact' : prefix === 'company' ? 'company' : undefined;
  if (!type) return [];
  switch (verb) {
    case 'creation':
    case 'deletion':
    case 'privacyDeletion':
    case 'restore':
      return [[type, event.objectId]];
    case 'propertyChange':
      return event.propertyName && watched[type].has(event.propertyName) ? [[type, event.objectId]] : [];
    case 'merge':
      // The merged-away ids leave the index; the surviving record is re-read.
      return [...new Set([event.objectId, event.primaryObjectId, event.newObjectId, ...(event.mergedObjectIds ?? [])].filter((id): id is string => !!id))].map(
        (id) => [type, id],
      );
    case 'associationChange': {
      // Only a contact's companies matter (its primary company); either side may report it.
      const kind = (event.associationType ?? '').toUpperCase();
      if (kind.startsWith('CONTACT_TO_COMPANY')) return [['contact', event.fromObjectId ?? event.objectId]];
      if (kind.startsWith('COMPANY_TO_CONTACT') && event.toObjectId) return [['contact', event.toObjectId]];
      return [];
    }
    default:
      return [];
  }
}
