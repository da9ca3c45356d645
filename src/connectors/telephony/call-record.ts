/**
 * What a logged call looks like in HubSpot (T8, reference §7.1): the call
 * engagement's properties and associations, built from the PBX's record.
 */
import { z } from 'zod';
import { MAX_CALL_SECONDS, type PbxCdr } from './pbx.ts';

/** A PBX call record as it travels in a job payload (dates as ISO strings). */
export const cdrPayloadSchema = z.object({
  id: z.string().min(1),
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
    case 'answered': return DISPOSITIONS.connected;
    case 'busy': return cdr.direction === 'outbound' ? DISPOSITIONS.busy : undefined;
    case 'no_answer': return cdr.direction === 'outbound' ? DISPOSITIONS.noAnswer : undefined;
    default: return undefined;
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
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m} min ${s} s` : `${s} s`;
}

export function callProperties(cdr: CdrPayload, c: CallContext): Record<string, string> {
  const inbound = cdr.direction === 'inbound';
  const party = c.partyName ? `${c.partyName} (${c.externalNumber})` : c.externalNumber;
  const title = isMissed(cdr)
    ? `Missed call from ${party}`
    : inbound ? `Inbound call from ${party}` : `Outbound call to ${party}`;
  const outcome = cdr.status === 'answered' ? `talked ${formatDuration(cdr.talkSeconds)}`
    : cdr.status === 'voicemail' ? 'caller sent to voicemail'
    : cdr.status === 'busy' ? 'busy' : cdr.status === 'failed' ? 'the call failed' : 'not answered';
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
    // The PBX's call id: the calling widget reports the same id for calls it started (C3).
    hs_call_external_id: cdr.callId ?? cdr.id,
  };
  const d = disposition(cdr);
  if (d) props.hs_call_disposition = d;
  if (c.ownerId) props.hubspot_owner_id = c.ownerId;
  if (c.recordingUrl) props.hs_call_recording_url = c.recordingUrl;
  return props;
}

/** HUBSPOT_DEFINED association types (§6.1): call → contact 194, call → company 182. */
export function callAssociations(contactId: string | null, companyId: string | null) {
  const out = [];
  if (contactId) out.push({ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: 194 }] });
  if (companyId) out.push({ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: 182 }] });
  return out;
}
