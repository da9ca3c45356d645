/**
 * One call as the widget sees it, and the pure rules around it: how PBX live
 * states move the call along, which `callEndStatus` an ending gets, and the
 * engagement properties `callCompleted` sends (reference hubspot-api.md §7.1).
 */
import type { EndStatus, RawEngagementProperties } from '@hubspot/calling-extensions-sdk';
import type { CallerMatch } from './widget-api.ts';

export type CallStage =
  /** POST /agent-api/calls is on its way. */
  | 'placing'
  /** Spokes rings the salesperson's own phone first (click-to-call). */
  | 'your-phone'
  /** The other party's phone rings (outbound) or ours does (inbound). */
  | 'ringing'
  | 'connected'
  | 'held'
  /** Over: notes and outcome, then saved to HubSpot. */
  | 'ended';

export interface CallRecord {
  objectId: number;
  objectTypeId: string;
}

export interface ActiveCall {
  /** The PBX call id (the SDK's `externalCallId`); null until the PBX accepted the dial. */
  callId: string | null;
  direction: 'outbound' | 'inbound';
  /** The other party's number, E.164 when known. */
  number: string;
  /** The salesperson's extension. */
  extension: string;
  stage: CallStage;
  engagementId: number | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endStatus: EndStatus | null;
  /** Why the PBX could not place or connect it, in a salesperson's words. */
  failure: { message: string; reason?: string } | null;
  /** Who it is: Spokes' phone index (live event or look-up) or HubSpot's caller-id match. */
  match: CallerMatch | null;
  hubspotMatch: { name: string; record: CallRecord } | null;
  /** The record the call belongs to (DIAL_NUMBER's calleeInfo, or the caller). */
  callee: CallRecord | null;
  hungUpByUser: boolean;
  notes: string;
  disposition: string;
  saving: boolean;
  saveError: string | null;
  /** The wrap-up's notes and outcome as Spokes keeps them (a reload or another tab shows them). */
  draft?: 'idle' | 'saving' | 'saved' | 'failed';
}

/** HubSpot's default call outcomes (§7.1): `hs_call_disposition` holds the GUID. */
export const DISPOSITIONS: Array<{ id: string; label: string }> = [
  { id: 'f240bbac-87c9-4f6e-bf70-924b57d47db7', label: 'Connected' },
  { id: '9d9162e7-6cf3-4944-bf63-4dff82258764', label: 'Busy' },
  { id: '73a0d17f-1163-4015-bdd5-ec830791da20', label: 'No answer' },
  { id: 'b2cf5968-551e-4856-9783-52b3da59a7d0', label: 'Left voicemail' },
  { id: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff', label: 'Left live message' },
  { id: '17b47fee-58de-441e-a44c-c6300d46f273', label: 'Wrong number' },
];

export function newCall(init: Pick<ActiveCall, 'direction' | 'number' | 'extension' | 'stage'> & Partial<ActiveCall>): ActiveCall {
  return {
    callId: null,
    engagementId: null,
    startedAt: Date.now(),
    answeredAt: null,
    endedAt: null,
    endStatus: null,
    failure: null,
    match: null,
    hubspotMatch: null,
    callee: null,
    hungUpByUser: false,
    notes: '',
    disposition: '',
    saving: false,
    saveError: null,
    ...init,
  };
}

/** A PBX failure reason (pbx.ts PbxDialFailure) → the SDK's end status. */
export function endStatusForFailure(reason: string | undefined): EndStatus {
  switch (reason) {
    case 'busy':
      return 'BUSY';
    case 'no_answer':
      return 'NO_ANSWER';
    case 'declined':
      return 'REJECTED';
    default:
      return 'FAILED';
  }
}

/**
 * A call that ended without a failure event. The SDK's `EndStatus` (src/types.ts) adds REJECTED and MISSED to
 * `Constants.callEndStatus` for inbound calls (shared/reference/calling-extensions.md §6): an inbound call the
 * salesperson declines is REJECTED, one nobody answered is MISSED; CANCELED is a caller giving up on an outbound call.
 */
export function endStatusForEnding(call: ActiveCall): EndStatus {
  if (call.answeredAt) return 'COMPLETED';
  if (call.direction === 'inbound') return call.hungUpByUser ? 'REJECTED' : 'MISSED';
  return call.hungUpByUser ? 'CANCELED' : 'NO_ANSWER';
}

/** The outcome preselected in the wrap-up form: what the PBX already knows. */
export function defaultDisposition(status: EndStatus | null): string {
  const label = status === 'COMPLETED' ? 'Connected' : status === 'BUSY' ? 'Busy' : status === 'NO_ANSWER' || status === 'MISSED' ? 'No answer' : null;
  return DISPOSITIONS.find((d) => d.label === label)?.id ?? '';
}

/** `hs_call_status` has no REJECTED (§7.1): a declined call is logged as not answered. */
function callStatus(status: EndStatus | null): string {
  if (!status) return 'COMPLETED';
  return status === 'REJECTED' ? 'NO_ANSWER' : status;
}

/** The call's talk time in milliseconds (0 when never answered). */
export function talkMs(call: ActiveCall, now = Date.now()): number {
  if (!call.answeredAt) return 0;
  return Math.max(0, (call.endedAt ?? now) - call.answeredAt);
}

export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Notes are plain text; `hs_call_body` is HTML (§7.1). */
export function notesToHtml(text: string): string {
  const escaped = text.trim().replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  return escaped.split(/\r?\n/).join('<br>');
}

export function partyName(call: ActiveCall): string | null {
  const label = call.match?.label ?? call.hubspotMatch?.name ?? null;
  return label && !label.startsWith('Automatic New Contact') ? label : null;
}

/** The same title Spokes' call logger gives a call (call-record.ts), so a call reads the same with or without the widget. */
export function callTitle(call: ActiveCall): string {
  const name = partyName(call);
  const party = name ? `${name} (${call.number})` : call.number;
  if (call.direction === 'outbound') return `Outbound call to ${party}`;
  return call.answeredAt || call.stage !== 'ended' ? `Inbound call from ${party}` : `Missed call from ${party}`;
}

/**
 * What `callCompleted` writes on the engagement. The recording link, the PBX's own duration
 * and Spokes' description arrive with the call's record (CDR): Spokes' call logger completes
 * this same engagement then (C3), adding these notes and this outcome, which the widget also
 * gives Spokes (PATCH …/wrap-up) so that they reach HubSpot whichever comes first.
 */
export function engagementProperties(call: ActiveCall, ownerId: string | number | null): RawEngagementProperties {
  const record =
    call.callee ??
    call.hubspotMatch?.record ??
    (call.match ? { objectId: Number(call.match.objectId), objectTypeId: call.match.objectType === 'company' ? '0-2' : '0-1' } : null);
  const props: RawEngagementProperties = {
    hs_timestamp: String(call.startedAt),
    hs_call_title: callTitle(call),
    hs_call_direction: call.direction === 'outbound' ? 'OUTBOUND' : 'INBOUND',
    hs_call_status: callStatus(call.endStatus),
    hs_call_duration: String(talkMs(call)),
    hs_call_from_number: call.direction === 'outbound' ? call.extension : call.number,
    hs_call_to_number: call.direction === 'outbound' ? call.number : call.extension,
    hs_call_source: 'INTEGRATIONS_PLATFORM',
  };
  if (call.notes.trim()) props.hs_call_body = notesToHtml(call.notes);
  if (call.disposition) props.hs_call_disposition = call.disposition;
  if (ownerId !== null && ownerId !== undefined && ownerId !== '') props.hubspot_owner_id = String(ownerId);
  if (record && (record.objectTypeId === '0-1' || record.objectTypeId === '0-2')) {
    props.hs_call_callee_object_id = String(record.objectId);
    props.hs_call_callee_object_type = record.objectTypeId === '0-1' ? 'CONTACT' : 'COMPANY';
  }
  return props;
}
