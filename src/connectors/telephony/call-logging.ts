/**
 * T8: every inbound, outbound and missed call of a bound extension becomes one
 * HubSpot call engagement, associated with the matched contact and its
 * company. Exactly once: the `call_logs` row, keyed by the CDR's id, is claimed
 * before the engagement is written and completed with its id after; a retry
 * that finds a claim without an id (a worker died mid-write) looks the
 * engagement up in HubSpot by its external id before creating one. A record
 * whose CDR id another call's record already holds (two calls of one second
 * with the same uid) gets a row under its own key (`recordKey`) instead. An
 * attempt that fails leaves the row `retrying` (or `failed` when the job gives
 * up) with the error, for the call history; the next attempt takes it over.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { HubSpotService } from '../../hubspot/service.ts';
import type { BatchWriter } from '../../hubspot/batch-writer.ts';
import type { PhoneIndexing } from '../../hubspot/phone/index.ts';
import { normalizePhone } from '../../hubspot/phone/index.ts';
import type { PhoneMatch } from '../../hubspot/phone/phone-index.ts';
import { RemoteRejectedError } from '../../errors.ts';
import { agentCalls, callLogs } from './schema.ts';
import type { PbxStore } from './pbx-store.ts';
import type { BindingStore } from './bindings.ts';
import { callAssociations, callProperties, externalIdOf, legacyExternalIdOf, partyKey, recordKey, type CdrPayload } from './call-record.ts';
import { AUTO_CONTACT_PREFIX, type AutoCreatedContacts } from './auto-create.ts';
import type { PortalInfo } from '../../hubspot/portal.ts';
import type { EngagementFinder } from '../../hubspot/engagement-finder.ts';
import { WaitingForWidgetError, withWrapUp, type AgentCallRow } from './agent-calls.ts';

/** How far a call's end computed from its PBX record may be off (whole seconds, start truncated). */
const PBX_TIME_PRECISION_MS = 2_000;
/**
 * How long after the calling widget claimed a call the logger waits for it to report HubSpot's
 * engagement (normally a second after the dial or the ring, long before the call's record).
 */
const WIDGET_REPORT_WAIT_MS = 90_000;

export interface CallLoggingDeps {
  db: Db;
  log: Logger;
  hubspot: HubSpotService;
  phone: PhoneIndexing;
  writer: BatchWriter;
  /** T5: contacts for unknown numbers. */
  autoCreate: AutoCreatedContacts;
  store: PbxStore;
  bindings: BindingStore;
  defaultRegion: string;
  /** The connected HubSpot account (cached). */
  portal: () => Promise<PortalInfo>;
  /** Finds the engagement an interrupted earlier attempt may have created, by its external id. */
  finder: EngagementFinder;
  /** A signed, expiring Spokes link to the recording of the call whose row is `rowId` (never a PBX token). */
  recordingUrl(rowId: string): Promise<string>;
  /**
   * The HubSpot calling app whose recording URL HubSpot asks for a fresh link (routes-recordings.ts), when
   * one is configured: a recorded call names it, so an older recording still plays from HubSpot's timeline.
   */
  callingApp?(): Promise<{ appId: number } | null>;
  /** T4: a CRM record took part in a call of a bound user. */
  onContactCall?(match: { objectType: 'contact' | 'company'; objectId: string }, cdr: CdrPayload): Promise<void>;
  /** Puts an existing call engagement on the contact's and company's timelines (HubSpot's default association types). */
  associate(engagementId: string, contactId: string | null, companyId: string | null): Promise<void>;
  /** The widget's wrap-up was saved meanwhile: write it onto the logged engagement (a job). */
  applyWrapUp(callId: string, ownerId: string, version: Date): Promise<void>;
}

export type LogOutcome =
  | { result: 'logged'; engagementId: string; contactId: string | null; companyId: string | null }
  | { result: 'duplicate'; engagementId: string | null }
  | { result: 'skipped'; reason: string };

export async function logCall(deps: CallLoggingDeps, cdr: CdrPayload, signal?: AbortSignal): Promise<LogOutcome> {
  const { db, log } = deps;
  const connection = await deps.store.get();
  // T9: nothing is logged while disabled, and calls from before the switch went on are not back-filled.
  if (!connection?.enabled) return settleFailure(db, cdr, 'the integration is disabled');
  // PBX records give the start to the second and durations in whole seconds: the end is known to within ~2 s,
  // and a call that may have ended after the switch went on is logged.
  const endedAt = Date.parse(cdr.startedAt) + (cdr.ringSeconds + cdr.talkSeconds) * 1000 + PBX_TIME_PRECISION_MS;
  if (connection.loggingSince && endedAt < connection.loggingSince.getTime()) return settleFailure(db, cdr, 'the call ended while the integration was off');
  if (cdr.direction === 'internal') return record(db, cdr, 'skipped', 'internal call');
  const binding = cdr.extension ? await deps.bindings.byExtension(cdr.extension) : null;
  if (!binding) {
    log.debug({ extension: cdr.extension, cdrId: cdr.id }, 'call of an extension no HubSpot user is bound to: not logged');
    return record(db, cdr, 'skipped', `extension ${cdr.extension ?? '?'} is not bound to a HubSpot user`);
  }

  // This record's row (a duplicate or a retry) under the CDR id or its own key.
  const key = recordKey(cdr);
  const rows = await db
    .select({ ...rowParties, cdrId: callLogs.cdrId, state: callLogs.state, engagementId: callLogs.engagementId })
    .from(callLogs)
    .where(inArray(callLogs.cdrId, [cdr.id, key]));
  const existing = rows.find((r) => r.cdrId === key) ?? rows.find((r) => r.cdrId === cdr.id && sameCall(r, cdr));
  if (existing?.state === 'logged' || existing?.state === 'skipped') return { result: 'duplicate', engagementId: existing.engagementId };
  // C2–C4: the salesperson's calling widget had HubSpot create this call's engagement (issue 10).
  const widget = cdr.callId ? await widgetEngagement(deps, cdr.callId, binding.ownerId) : undefined;
  // Another call's record holds the CDR id: this one's row goes under its own key.
  const rowId = existing?.cdrId ?? (rows.some((r) => r.cdrId === cdr.id) ? key : cdr.id);

  const region = connection.settings.numbers.defaultRegion ?? deps.defaultRegion;
  const raw = stripPrefix(cdr.externalNumber ?? '', cdr.direction === 'outbound' ? connection.settings.numbers.outboundPrefix : '');
  const normalized = normalizePhone(raw, region);
  const externalNumber = normalized?.e164 ?? (raw || 'Unknown');
  const ourNumber = (cdr.didNumber && normalizePhone(cdr.didNumber, region)?.e164) || cdr.extension || '';

  const lookup = await deps.phone.index.lookup(raw, { region });
  let match: PhoneMatch | undefined = lookup.records[0];
  let contactId = match?.objectType === 'contact' ? match.objectId : null;
  const companyId = match?.objectType === 'company' ? match.objectId : (match?.companyId ?? null);
  // The name the call history shows and searches (the contact's, else the company's, as Spokes knows it now).
  let contactName = match?.label?.trim() || null;
  const { portalId } = await deps.portal();

  if (!match && normalized?.e164 && connection.settings.autoCreate[cdr.direction === 'inbound' ? 'inbound' : 'outbound']) {
    contactId = await deps.autoCreate.findOrCreate(normalized.e164, portalId, signal);
    match = {
      portalId,
      objectType: 'contact',
      objectId: contactId,
      label: null,
      companyId: null,
      property: 'phone',
      raw: normalized.e164,
      e164: normalized.e164,
      modifiedAt: null,
    };
    contactName = `${AUTO_CONTACT_PREFIX}${normalized.e164}`;
  }

  const claimed = await claim(db, cdr, rowId, binding.ownerId, contactId, companyId, contactName);
  // The recording link and the external id name this record's row.
  const externalId = externalIdOf(cdr, claimed.id);
  const app = cdr.recording ? await deps.callingApp?.() : null;
  const properties = callProperties(cdr, {
    externalNumber,
    ourNumber,
    ownerId: binding.ownerId,
    ownerName: binding.ownerName ?? undefined,
    externalId,
    partyName: match?.label && !match.label.startsWith(AUTO_CONTACT_PREFIX) ? match.label : undefined,
    recordingUrl: cdr.recording ? await deps.recordingUrl(claimed.id) : undefined,
    recordingApp: app ? { appId: String(app.appId), accountId: String(portalId) } : undefined,
  });

  let engagementId = widget?.engagementId && (await completeWidgetEngagement(deps, widget, properties, contactId, companyId)) ? widget.engagementId : undefined;
  if (!engagementId) {
    // An earlier attempt may have written it, by this Spokes or (before an upgrade) under the old external id.
    const recovered = claimed.inserted ? undefined : await deps.finder.find([externalId, legacyExternalIdOf(cdr, claimed.id)]);
    engagementId = recovered ?? (await deps.writer.create('calls', { properties, associations: callAssociations(contactId, companyId) })).id;
  }
  const source = engagementId === widget?.engagementId ? 'widget' : 'cdr';
  await db
    .update(callLogs)
    .set({ state: 'logged', detail: null, engagementId, contactId, companyId, contactName, externalId, source, loggedAt: new Date() })
    .where(eq(callLogs.cdrId, claimed.id));
  if (source === 'widget') await afterWidgetLogged(deps, widget!, properties);
  if (match)
    await deps
      .onContactCall?.({ objectType: match.objectType, objectId: match.objectId }, cdr)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not queue the contact sync'));
  return { result: 'logged', engagementId, contactId, companyId };
}

/**
 * The widget's row of this call, with the engagement HubSpot created for it. Claimed but not reported
 * yet: the job waits (retried) for a while; after that, HubSpot is asked for an engagement of the call
 * (the widget may have died after HubSpot created it), and without one Spokes creates its own.
 */
async function widgetEngagement(deps: CallLoggingDeps, callId: string, ownerId: string): Promise<AgentCallRow | undefined> {
  const [row] = await deps.db
    .select()
    .from(agentCalls)
    .where(and(eq(agentCalls.callId, callId), eq(agentCalls.ownerId, ownerId)));
  if (!row || row.engagementId) return row;
  if (Date.now() - row.claimedAt.getTime() < WIDGET_REPORT_WAIT_MS) throw new WaitingForWidgetError(callId);
  const found = await deps.finder.find([callId]);
  if (!found) return undefined;
  const [taken] = await deps.db
    .update(agentCalls)
    .set({ engagementId: found, updatedAt: new Date() })
    .where(and(eq(agentCalls.callId, callId), eq(agentCalls.ownerId, ownerId)))
    .returning()
    .catch(() => []);
  return taken;
}

/**
 * Completes the engagement the widget had HubSpot create: everything a call logged without the widget
 * gets (title, body, owner, direction, status, duration, recording, numbers) and the same timelines —
 * HubSpot itself associates it only on `callCompleted` (reference §6, SDK #46), which never comes when the
 * salesperson closes the tab. A saved wrap-up's notes and outcome are kept. False when HubSpot no longer
 * has that engagement (deleted): the call is then logged like any other.
 */
async function completeWidgetEngagement(
  deps: CallLoggingDeps,
  widget: AgentCallRow,
  facts: Record<string, string>,
  contactId: string | null,
  companyId: string | null,
): Promise<boolean> {
  try {
    await deps.writer.update('calls', { id: widget.engagementId!, properties: withWrapUp(facts, widget) });
  } catch (err) {
    if (err instanceof RemoteRejectedError && err.remoteStatus === 404) return false;
    throw err;
  }
  await deps.associate(widget.engagementId!, contactId, companyId);
  return true;
}

/** Keeps what was written, for a wrap-up saved later; one saved while this call was being written is applied again. */
async function afterWidgetLogged(deps: CallLoggingDeps, widget: AgentCallRow, facts: Record<string, string>): Promise<void> {
  const [after] = await deps.db
    .update(agentCalls)
    .set({ logged: facts, updatedAt: new Date() })
    .where(and(eq(agentCalls.callId, widget.callId), eq(agentCalls.ownerId, widget.ownerId)))
    .returning();
  if (after?.wrapUp === 'saved' && after.savedAt && after.savedAt.getTime() !== widget.savedAt?.getTime()) {
    await deps.applyWrapUp(widget.callId, widget.ownerId, after.savedAt);
  }
}

/**
 * Claims the record: `inserted` when this attempt inserted its row, false when an earlier attempt had
 * (and may have written). `id` is the row's: `rowId`, or the record's own key when another call's
 * record took the CDR id meanwhile.
 */
async function claim(
  db: Db,
  cdr: CdrPayload,
  rowId: string,
  ownerId: string,
  contactId: string | null,
  companyId: string | null,
  contactName: string | null,
): Promise<{ id: string; inserted: boolean }> {
  return insertRow(db, cdr, rowId, { ownerId, contactId, companyId, contactName, recordingRef: cdr.recording, state: 'writing', writingSince: new Date() });
}

/**
 * An attempt to log the record failed: its row (inserted if the attempt failed before claiming)
 * says so with the error, `failed` when no attempt follows. The next attempt takes the row over.
 */
export async function recordFailure(db: Db, cdr: CdrPayload, error: string, final: boolean, ownerId: string | null): Promise<void> {
  const state = final ? 'failed' : 'retrying';
  const key = recordKey(cdr);
  const rows = await db
    .select({ ...rowParties, cdrId: callLogs.cdrId })
    .from(callLogs)
    .where(inArray(callLogs.cdrId, [cdr.id, key]));
  const own = rows.find((r) => r.cdrId === key) ?? rows.find((r) => r.cdrId === cdr.id && sameCall(r, cdr));
  if (!own) {
    await insertRow(db, cdr, rows.some((r) => r.cdrId === cdr.id) ? key : cdr.id, { ownerId, state, detail: error });
    return;
  }
  await db
    .update(callLogs)
    .set({ state, detail: error, recordKey: key })
    .where(and(eq(callLogs.cdrId, own.cdrId), inArray(callLogs.state, UNFINISHED)));
}

/** States of a row an attempt may still change. */
const UNFINISHED: ('writing' | 'retrying' | 'failed')[] = ['writing', 'retrying', 'failed'];

/** A call that is not logged after all (the integration went off meanwhile): an earlier failure's row says why. */
async function settleFailure(db: Db, cdr: CdrPayload, reason: string): Promise<LogOutcome> {
  await db
    .update(callLogs)
    .set({ state: 'skipped', detail: reason })
    .where(and(inArray(callLogs.cdrId, [cdr.id, recordKey(cdr)]), inArray(callLogs.state, ['retrying', 'failed']), isNull(callLogs.writingSince)));
  return { result: 'skipped', reason };
}

async function record(db: Db, cdr: CdrPayload, state: 'skipped', detail: string): Promise<LogOutcome> {
  await insertRow(db, cdr, cdr.id, { state, detail });
  return { result: 'skipped', reason: detail };
}

type RowValues = Pick<
  typeof callLogs.$inferInsert,
  'ownerId' | 'contactId' | 'companyId' | 'contactName' | 'recordingRef' | 'state' | 'detail' | 'writingSince'
>;

/**
 * Inserts the record's row under `rowId` unless it exists. A row that exists under the CDR id but
 * is another call's (a shared uid, e.g. two records in one batch) sends this one to its own key.
 * The record's own row left by a failed attempt is taken over with `values`; `inserted` then says
 * whether that attempt had claimed it (an engagement may exist: search before creating).
 */
async function insertRow(db: Db, cdr: CdrPayload, rowId: string, values: RowValues): Promise<{ id: string; inserted: boolean }> {
  const key = recordKey(cdr);
  for (const id of rowId === key ? [key] : [rowId, key]) {
    const inserted = await db
      .insert(callLogs)
      .values({
        cdrId: id,
        callId: cdr.callId,
        direction: cdr.direction,
        status: cdr.status,
        extension: cdr.extension,
        externalNumber: cdr.externalNumber,
        startedAt: new Date(cdr.startedAt),
        durationMs: Math.round(cdr.talkSeconds * 1000),
        externalId: externalIdOf(cdr, id),
        recordKey: key,
        ...values,
      })
      .onConflictDoNothing()
      .returning({ cdrId: callLogs.cdrId });
    if (inserted.length) return { id, inserted: true };
    const [row] = await db
      .select({ ...rowParties, state: callLogs.state, writingSince: callLogs.writingSince })
      .from(callLogs)
      .where(eq(callLogs.cdrId, id));
    if (id === key || !row || sameCall(row, cdr)) return row ? takeOver(db, id, key, row, values) : { id, inserted: false };
  }
  // Only this record goes by its key.
  return { id: key, inserted: false };
}

/** The record's own row: a failed attempt's is taken over (one attempt of a record runs at a time: same job id). */
async function takeOver(
  db: Db,
  id: string,
  key: string,
  row: { state: string; writingSince: Date | null },
  values: RowValues,
): Promise<{ id: string; inserted: boolean }> {
  if (row.state !== 'retrying' && row.state !== 'failed') return { id, inserted: false };
  // A claim survives: the time of the first one marks that an engagement may exist.
  const { writingSince, ...rest } = values;
  await db
    .update(callLogs)
    .set({ ...rest, recordKey: key, ...(writingSince && !row.writingSince ? { writingSince } : {}) })
    .where(and(eq(callLogs.cdrId, id), inArray(callLogs.state, ['retrying', 'failed'])));
  return { id, inserted: !row.writingSince };
}

/** What a `call_logs` row says of its call's parties. */
const rowParties = { direction: callLogs.direction, extension: callLogs.extension, externalNumber: callLogs.externalNumber };

/** Whether a row under this record's CDR id is this record's (and not another call's with the same uid). */
function sameCall(row: { direction: string; extension: string | null; externalNumber: string | null }, cdr: CdrPayload): boolean {
  return (
    row.direction === cdr.direction && partyKey(row.extension) === partyKey(cdr.extension) && partyKey(row.externalNumber) === partyKey(cdr.externalNumber)
  );
}

function stripPrefix(number: string, prefix: string): string {
  const n = number.trim();
  return prefix && n.startsWith(prefix) && n.length > prefix.length + 6 ? n.slice(prefix.length) : n;
}
