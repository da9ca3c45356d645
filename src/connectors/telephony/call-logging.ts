/**
 * T8: every inbound, outbound and missed call of a bound extension becomes one
 * HubSpot call engagement, associated with the matched contact and its
 * company. Exactly once: the `call_logs` row, keyed by the CDR's id, is claimed
 * before the engagement is written and completed with its id after; a retry
 * that finds a claim without an id (a worker died mid-write) looks the
 * engagement up in HubSpot by its external id before creating one.
 */
import { and, eq, or } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { HubSpotService } from '../../hubspot/service.ts';
import type { BatchWriter } from '../../hubspot/batch-writer.ts';
import type { PhoneIndexing } from '../../hubspot/phone/index.ts';
import { normalizePhone } from '../../hubspot/phone/index.ts';
import type { PhoneMatch } from '../../hubspot/phone/phone-index.ts';
import { callLogs } from './schema.ts';
import type { PbxStore } from './pbx-store.ts';
import type { BindingStore } from './bindings.ts';
import { callAssociations, callProperties, type CdrPayload } from './call-record.ts';
import { AUTO_CONTACT_PREFIX, findOrCreateContact } from './auto-create.ts';
import type { PortalInfo } from './portal.ts';
import type { EngagementFinder } from './engagement-finder.ts';

/** How far a call's end computed from its PBX record may be off (whole seconds, start truncated). */
const PBX_TIME_PRECISION_MS = 2_000;

export interface CallLoggingDeps {
  db: Db;
  log: Logger;
  hubspot: HubSpotService;
  phone: PhoneIndexing;
  writer: BatchWriter;
  store: PbxStore;
  bindings: BindingStore;
  defaultRegion: string;
  /** The connected HubSpot account (cached). */
  portal: () => Promise<PortalInfo>;
  /** Finds the engagement an interrupted earlier attempt may have created, by its external id. */
  finder: EngagementFinder;
  /** A signed Spokes link to the recording (never a PBX token). */
  recordingUrl(cdrId: string): string;
  /** T4: a CRM record took part in a call of a bound user. */
  onContactCall?(match: { objectType: 'contact' | 'company'; objectId: string }, cdr: CdrPayload): Promise<void>;
}

export type LogOutcome =
  | { result: 'logged'; engagementId: string; contactId: string | null; companyId: string | null }
  | { result: 'duplicate'; engagementId: string | null }
  | { result: 'skipped'; reason: string };

export async function logCall(deps: CallLoggingDeps, cdr: CdrPayload, signal?: AbortSignal): Promise<LogOutcome> {
  const { db, log } = deps;
  const connection = await deps.store.get();
  // T9: nothing is logged while disabled, and calls from before the switch went on are not back-filled.
  if (!connection?.enabled) return { result: 'skipped', reason: 'the integration is disabled' };
  // PBX records give the start to the second and durations in whole seconds: the end is known to within ~2 s,
  // and a call that may have ended after the switch went on is logged.
  const endedAt = Date.parse(cdr.startedAt) + (cdr.ringSeconds + cdr.talkSeconds) * 1000 + PBX_TIME_PRECISION_MS;
  if (connection.loggingSince && endedAt < connection.loggingSince.getTime()) return { result: 'skipped', reason: 'the call ended while the integration was off' };
  if (cdr.direction === 'internal') return record(db, cdr, 'skipped', 'internal call');
  const binding = cdr.extension ? await deps.bindings.byExtension(cdr.extension) : null;
  if (!binding) {
    log.debug({ extension: cdr.extension, cdrId: cdr.id }, 'call of an extension no HubSpot user is bound to: not logged');
    return record(db, cdr, 'skipped', `extension ${cdr.extension ?? '?'} is not bound to a HubSpot user`);
  }

  // This record's row (a duplicate or a retry), and the calling widget's row of the same call (C3), in one read.
  const rows = await db.select({ cdrId: callLogs.cdrId, state: callLogs.state, engagementId: callLogs.engagementId, source: callLogs.source }).from(callLogs)
    .where(cdr.callId ? or(eq(callLogs.cdrId, cdr.id), and(eq(callLogs.callId, cdr.callId), eq(callLogs.source, 'widget'))) : eq(callLogs.cdrId, cdr.id));
  const existing = rows.find((r) => r.cdrId === cdr.id);
  if (existing?.state === 'logged' || existing?.state === 'skipped') return { result: 'duplicate', engagementId: existing.engagementId };

  const region = connection.settings.numbers.defaultRegion ?? deps.defaultRegion;
  const raw = stripPrefix(cdr.externalNumber ?? '', cdr.direction === 'outbound' ? connection.settings.numbers.outboundPrefix : '');
  const normalized = normalizePhone(raw, region);
  const externalNumber = normalized?.e164 ?? (raw || 'Unknown');
  const ourNumber = (cdr.didNumber && normalizePhone(cdr.didNumber, region)?.e164) || cdr.extension || '';

  const lookup = await deps.phone.index.lookup(raw, { region });
  let match: PhoneMatch | undefined = lookup.records[0];
  let contactId = match?.objectType === 'contact' ? match.objectId : null;
  let companyId = match?.objectType === 'company' ? match.objectId : match?.companyId ?? null;
  const { portalId } = await deps.portal();

  if (!match && normalized?.e164 && connection.settings.autoCreate[cdr.direction === 'inbound' ? 'inbound' : 'outbound']) {
    contactId = await findOrCreateContact({ db, api: deps.hubspot.api, writer: deps.writer, index: deps.phone.index, log }, normalized.e164, portalId, signal);
    match = { portalId, objectType: 'contact', objectId: contactId, label: null, companyId: null, property: 'phone', raw: normalized.e164, e164: normalized.e164, modifiedAt: null };
  }

  // C3: the calling widget created this call's engagement in HubSpot and told us its id.
  const fromWidget = rows.find((r) => r.source === 'widget' && r.engagementId && r.state !== 'skipped')?.engagementId ?? undefined;
  const properties = callProperties(cdr, {
    externalNumber, ourNumber, ownerId: binding.ownerId, ownerName: binding.ownerName ?? undefined,
    partyName: match?.label && !match.label.startsWith(AUTO_CONTACT_PREFIX) ? match.label : undefined, recordingUrl: cdr.recording ? deps.recordingUrl(cdr.id) : undefined,
  });

  let engagementId: string;
  if (fromWidget) {
    // The widget's user already wrote notes and a disposition: complete the record, keep theirs.
    const { hs_call_title: _t, hs_call_body: _b, hs_call_disposition: _d, ...facts } = properties;
    await claim(db, cdr, binding.ownerId, contactId, companyId);
    await deps.writer.update('calls', { id: fromWidget, properties: facts });
    engagementId = fromWidget;
  } else {
    const claimed = await claim(db, cdr, binding.ownerId, contactId, companyId);
    const recovered = claimed ? undefined : await deps.finder.find(properties.hs_call_external_id!);
    engagementId = recovered ?? (await deps.writer.create('calls', { properties, associations: callAssociations(contactId, companyId) })).id;
  }
  await db.update(callLogs).set({ state: 'logged', engagementId, contactId, companyId, loggedAt: new Date() }).where(eq(callLogs.cdrId, cdr.id));
  if (match) await deps.onContactCall?.({ objectType: match.objectType, objectId: match.objectId }, cdr).catch((err: unknown) =>
    log.warn({ err: (err as Error).message }, 'could not queue the contact sync'));
  return { result: 'logged', engagementId, contactId, companyId };
}

/** Claims the CDR: true when this attempt inserted the row, false when an earlier attempt had (and may have written). */
async function claim(db: Db, cdr: CdrPayload, ownerId: string, contactId: string | null, companyId: string | null): Promise<boolean> {
  const inserted = await db.insert(callLogs).values({
    cdrId: cdr.id, callId: cdr.callId, direction: cdr.direction, status: cdr.status, extension: cdr.extension,
    externalNumber: cdr.externalNumber, startedAt: new Date(cdr.startedAt), durationMs: Math.round(cdr.talkSeconds * 1000),
    ownerId, contactId, companyId, recordingRef: cdr.recording, state: 'writing', writingSince: new Date(),
  }).onConflictDoNothing().returning({ cdrId: callLogs.cdrId });
  return inserted.length > 0;
}

async function record(db: Db, cdr: CdrPayload, state: 'skipped', detail: string): Promise<LogOutcome> {
  await db.insert(callLogs).values({
    cdrId: cdr.id, callId: cdr.callId, direction: cdr.direction, status: cdr.status, extension: cdr.extension,
    externalNumber: cdr.externalNumber, startedAt: new Date(cdr.startedAt), durationMs: Math.round(cdr.talkSeconds * 1000), state, detail,
  }).onConflictDoNothing();
  return { result: 'skipped', reason: detail };
}

function stripPrefix(number: string, prefix: string): string {
  const n = number.trim();
  return prefix && n.startsWith(prefix) && n.length > prefix.length + 6 ? n.slice(prefix.length) : n;
}
