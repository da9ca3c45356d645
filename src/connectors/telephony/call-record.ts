/**
 * What a logged call looks like in HubSpot (T8, reference §7.1): the call
 * engagement's properties and associations, built from the PBX's record.
 */
import { z } from 'zod';
import { MAX_CALL_SECONDS, type PbxCdr } from './pbx.ts';

/** A PBX call record as it travels in a job payload (dates as ISO strings). */
export const cdrPayloadSchema = z.object({
  id: z.string().min(1),
  /** Absent in jobs queued before Spokes wrote one scheme of external ids: see `externalIdOf`. */
  externalId: z.string().min(1).optional(),
  fingerprint: z.string(),
  callId: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound', 'internal']),
  status: z.enum(['answered', 'no_answer', 'busy', 'voicemail', 'failed']),
  pbxStatus: z.string(),
  startedAt: z.iso.datetime(),
  ringSeconds: z.number().min(0).max(MAX_CALL_SECONDS),
  talkSeconds: z.number().min(0).max(MAX_CALL_SECONDS),
  from: z.string(),
  to: z.string(),
  externalNumber: z.string().nullable(),
  extension: z.string().nullable(),
  otherExtension: z.string().nullable(),
  didNumber: z.string().nullable(),
  trunk: z.string().nullable(),
  recording: z.string().nullable(),
});
export type CdrPayload = z.output<typeof cdrPayloadSchema>;

export function toCdrPayload(cdr: PbxCdr): CdrPayload {
  return { ...cdr, startedAt: cdr.startedAt.toISOString() };
}

/**
 * What tells one call's record from another's: the PBX's id for the record with the call's parties.
 * The id alone is not enough: a Yeastar `uid` is the call's start second and a five-character
 * suffix, and two calls of the same second can share one (the PBX emulator draws the suffix at
 * random: at 50 calls a second that happens in about one 10,000-call run in five). Both copies of
 * a record (the live event and the row listed after a gap) name the same parties; digits only, as
 * a `+` or spaces may differ between them. The call id is left out: listed records lack it.
 */
export function recordKey(cdr: Pick<CdrPayload, 'id' | 'from' | 'to'>): string {
  return `${cdr.id}|${partyKey(cdr.from)}|${partyKey(cdr.to)}`;
}

/**
 * `hs_call_external_id`: one scheme for every call, whichever way its record came (live, back-filled
 * after a gap, with or without a recording) and for the calling widget's engagement once the record
 * completes it: the PBX's id for the record (`PbxCdr.externalId`, a Yeastar `uid`). The PBX's call id is
 * not it: records listed after a gap carry none. A record whose CDR id another call's record holds
 * (two calls sharing a uid) and whose row therefore goes by its own key adds the parties, as that key does.
 */
export function externalIdOf(cdr: Pick<CdrPayload, 'id' | 'externalId' | 'callId' | 'from' | 'to'>, rowId = cdr.id): string {
  // Jobs queued by an older Spokes carry no externalId: the Yeastar adapter's ids are `uid:<uid>` when the record had one.
  const base = cdr.externalId ?? (cdr.id.startsWith('uid:') ? cdr.id.slice(4) : (cdr.callId ?? cdr.id));
  return rowId === cdr.id ? base : `${base}|${partyKey(cdr.from)}|${partyKey(cdr.to)}`;
}

/**
 * What an older Spokes wrote as `hs_call_external_id` for the record whose row is `rowId`: the live call
 * id, or the row's id (`uid:…`). The exactly-once recovery looks for it too, so an upgrade never writes a
 * call a second time.
 */
export function legacyExternalIdOf(cdr: Pick<CdrPayload, 'callId'>, rowId: string): string {
  return cdr.callId ?? rowId;
}

/** A party as `recordKey` compares it: its digits, or the text when it has none (e.g. "anonymous"). */
export function partyKey(party: string | null): string {
  const p = (party ?? '').trim();
  return p.replace(/\D/g, '') || p.toLowerCase();
}

/** HubSpot's default call dispositions (§7.1). */
export const DISPOSITIONS = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  leftLiveMessage: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  leftVoicemail: 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  noAnswer: '73a0d17f-1163-4015-bdd5-ec830791da20',
  wrongNumber: '17b47fee-58de-441e-a44c-c6300d46f273',
} as const;

/** A call the user did not take: an inbound call not answered by the bound extension. */
export function isMissed(cdr: Pick<CdrPayload, 'direction' | 'status'>): boolean {
  return cdr.direction === 'inbound' && cdr.status !== 'answered';
}

/** `hs_call_status` (§7.1) for a finished call. */
export function hubspotCallStatus(cdr: Pick<CdrPayload, 'direction' | 'status'>): string {
  if (cdr.status === 'answered') return 'COMPLETED';
  if (cdr.status === 'failed') return 'FAILED';
  if (isMissed(cdr)) return 'MISSED';
  return cdr.status === 'busy' ? 'BUSY' : 'NO_ANSWER';
}

function disposition(cdr: Pick<CdrPayload, 'direction' | 'status'>): string | undefined {
  switch (cdr.status) {
    case 'answered':
      return DISPOSITIONS.connected;
    case 'busy':
      return cdr.direction === 'outbound' ? DISPOSITIONS.busy : undefined;
    case 'no_answer':
      return cdr.direction === 'outbound' ? DISPOSITIONS.noAnswer : undefined;
    default:
      return undefined;
  }
}

export interface CallContext {
  /** The outside party in E.164 when it parses, else as the PBX wrote it. */
  externalNumber: string;
  /** Our side: the company's DID (E.164) when the PBX reports it, else the extension. */
  ourNumber: string;
  ownerId: string | undefined;
  ownerName: string | undefined;
  /** Who the call was with, for the title. */
  partyName: string | undefined;
  recordingUrl: string | undefined;
  /** `externalIdOf` the record. */
  externalId: string;
  /** The calling app HubSpot asks for an authenticated recording link, and the HubSpot account (portal id). */
  recordingApp?: { appId: string; accountId: string };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m} min ${s} s` : `${s} s`;
}

export function callProperties(cdr: CdrPayload, c: CallContext): Record<string, string> {
  const inbound = cdr.direction === 'inbound';
  const party = c.partyName ? `${c.partyName} (${c.externalNumber})` : c.externalNumber;
  const title = isMissed(cdr) ? `Missed call from ${party}` : inbound ? `Inbound call from ${party}` : `Outbound call to ${party}`;
  const outcome =
    cdr.status === 'answered'
      ? `talked ${formatDuration(cdr.talkSeconds)}`
      : cdr.status === 'voicemail'
        ? 'caller sent to voicemail'
        : cdr.status === 'busy'
          ? 'busy'
          : cdr.status === 'failed'
            ? 'the call failed'
            : 'not answered';
  const body = [
    `<p>${escapeHtml(title)} — ${escapeHtml(outcome)}.</p>`,
    `<p>Extension ${escapeHtml(cdr.extension ?? '?')}${c.ownerName ? ` (${escapeHtml(c.ownerName)})` : ''} · rang ${formatDuration(cdr.ringSeconds)} · PBX status ${escapeHtml(cdr.pbxStatus)}</p>`,
    c.recordingUrl ? `<p><a href="${escapeHtml(c.recordingUrl)}">Recording</a></p>` : '',
    '<p>Logged by Spokes.</p>',
  ].join('');
  const props: Record<string, string> = {
    hs_timestamp: cdr.startedAt,
    hs_call_title: title,
    hs_call_body: body,
    hs_call_direction: inbound ? 'INBOUND' : 'OUTBOUND',
    hs_call_status: hubspotCallStatus(cdr),
    hs_call_duration: String(Math.round(cdr.talkSeconds * 1000)),
    hs_call_from_number: inbound ? c.externalNumber : c.ourNumber,
    hs_call_to_number: inbound ? c.ourNumber : c.externalNumber,
    hs_call_external_id: c.externalId,
  };
  const d = disposition(cdr);
  if (d) props.hs_call_disposition = d;
  if (c.ownerId) props.hubspot_owner_id = c.ownerId;
  if (c.recordingUrl) props.hs_call_recording_url = c.recordingUrl;
  if (c.recordingUrl && c.recordingApp) {
    // HubSpot fetches an authenticated recording URL from the app for calls that carry these four properties
    // (developers.hubspot.com "Call recordings and transcripts": hs_call_external_id, hs_call_external_account_id,
    // hs_call_app_id and hs_call_source), so the recording plays after the stored link expired.
    props.hs_call_app_id = c.recordingApp.appId;
    props.hs_call_external_account_id = c.recordingApp.accountId;
    props.hs_call_source = 'INTEGRATIONS_PLATFORM';
  }
  return props;
}

/** HUBSPOT_DEFINED association types (§6.1): call → contact 194, call → company 182. */
export function callAssociations(contactId: string | null, companyId: string | null) {
  const out = [];
  if (contactId) out.push({ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: 194 }] });
  if (companyId) out.push({ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: 182 }] });
  return out;
}
