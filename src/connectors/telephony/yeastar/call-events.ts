/**
 * Live Yeastar events → neutral ones: 30011 Call Status Changed (members and
 * their `member_status`, pbx-apis.md §1.5), 30015 Call Failed (reason strings
 * verbatim from "(30015) Call Failed", typos included) and 30008 Extension Call
 * Status. Pure functions; the stream and the webhook parser share them.
 */
import {
  PbxDialError,
  type PbxCallEvent,
  type PbxCallFailedEvent,
  type PbxCallMember,
  type PbxCallState,
  type PbxDialFailure,
  type PbxExtensionStateEvent,
} from '../pbx.ts';
import type { ApiMember } from './wire.ts';

/** member_status → the member's neutral state. EARLYMEDIA is the far end ringing (183). */
const MEMBER_STATES: Record<string, PbxCallMember['state']> = {
  ALERT: 'ringback',
  RING: 'ringing',
  EARLYMEDIA: 'ringing',
  ANSWERED: 'talking',
  ANSWER: 'talking',
  HOLD: 'held',
  BYE: 'hungup',
};

export function membersOf(members: ApiMember[]): PbxCallMember[] {
  const out: PbxCallMember[] = [];
  for (const m of members) {
    const state = (s: string) => MEMBER_STATES[s.trim().toUpperCase()] ?? 'ringing';
    if (m.extension) out.push({ kind: 'extension', number: m.extension.number.trim(), state: state(m.extension.member_status), legId: m.extension.channel_id });
    else if (m.inbound) out.push({ kind: 'external', number: m.inbound.from.trim(), state: state(m.inbound.member_status), legId: m.inbound.channel_id });
    else if (m.outbound) out.push({ kind: 'external', number: m.outbound.to.trim(), state: state(m.outbound.member_status), legId: m.outbound.channel_id });
  }
  return out;
}

function callState(members: PbxCallMember[]): PbxCallState {
  if (members.length > 0 && members.every((m) => m.state === 'hungup')) return 'ended';
  if (members.some((m) => m.state === 'held')) return 'held';
  if (members.some((m) => m.state === 'talking')) return 'answered';
  return 'ringing';
}

function directionOf(raw: ApiMember[]): PbxCallEvent['direction'] {
  if (raw.some((m) => m.inbound)) return 'inbound';
  if (raw.some((m) => m.outbound)) return 'outbound';
  // One extension alone is the first ring of a click-to-call: the other side is not known yet.
  return raw.filter((m) => m.extension).length >= 2 ? 'internal' : null;
}

function externalOf(raw: ApiMember[]): string | null {
  for (const m of raw) {
    if (m.inbound) return m.inbound.from.trim() || null;
    if (m.outbound) return m.outbound.to.trim() || null;
  }
  return null;
}

export function callEventFrom(msg: { call_id: string; members: ApiMember[] }, receivedAt: Date): PbxCallEvent {
  const members = membersOf(msg.members);
  const extensions = members.filter((m) => m.kind === 'extension');
  return {
    type: 'call',
    callId: msg.call_id,
    state: callState(members),
    direction: directionOf(msg.members),
    externalNumber: externalOf(msg.members),
    extensions: extensions.map((m) => m.number),
    ringingExtensions: extensions.filter((m) => m.state === 'ringing').map((m) => m.number),
    members,
    receivedAt,
  };
}

/** Reason strings of "(30015) Call Failed" (help.yeastar.com, p-series developer guide), matched case-insensitively. */
const REASONS: Record<string, PbxDialFailure> = {
  'no dial permission': 'no_permission',
  'no outbound restrictin': 'no_permission',
  'no outbound restriction': 'no_permission',
  'circuit/channel congestion': 'line_unavailable',
  dnd: 'do_not_disturb',
  'line unreachable': 'line_unavailable',
  'user busy': 'declined',
  '410 gone': 'unavailable',
  '404 not found': 'invalid_number',
  '408 request time': 'no_answer',
  '408 request timeout': 'no_answer',
  '480 temporatily unavailable': 'no_answer',
  '480 temporarily unavailable': 'no_answer',
  '484 address incomplete': 'invalid_number',
  '486 busy here': 'busy',
  '603 declined': 'no_answer',
};

/** By SIP status when the text is not one we know. */
function bySipCode(reason: string): PbxDialFailure {
  const code = Number(/^\s*(\d{3})\b/.exec(reason)?.[1]);
  if (code === 486 || code === 600) return 'busy';
  if (code === 404 || code === 484 || code === 485) return 'invalid_number';
  if (code === 403) return 'no_permission';
  if (code === 408 || code === 480 || code === 603) return 'no_answer';
  if (code === 502 || code === 503) return 'line_unavailable';
  return 'failed';
}

export function dialFailureFor(reason: string, members: PbxCallMember[]): PbxDialFailure {
  const key = reason.trim().toLowerCase().replace(/\s+/g, ' ');
  const failure = REASONS[key] ?? bySipCode(key);
  // "Not answered / unavailable" before any phone rang: the caller's own phone could not be rung [U:
  // the docs do not describe a click-to-call from an unregistered extension; the emulator answers so].
  if (failure === 'no_answer' && key.startsWith('480') && members.length === 0) return 'extension_offline';
  return failure;
}

export function callFailedFrom(msg: { call_id: string; reason: string; members: ApiMember[] }, receivedAt: Date): PbxCallFailedEvent {
  const members = membersOf(msg.members);
  const extensions = members.filter((m) => m.kind === 'extension').map((m) => m.number);
  const externalNumber = externalOf(msg.members);
  const reason = dialFailureFor(msg.reason, members);
  return {
    type: 'call_failed',
    callId: msg.call_id,
    error: new PbxDialError(reason, { extension: extensions[0], number: externalNumber ?? undefined, pbxReason: msg.reason.trim() }),
    extensions,
    externalNumber,
    receivedAt,
  };
}

export function extensionStateFrom(msg: { extension: string; status: string }, receivedAt: Date): PbxExtensionStateEvent | null {
  const state = msg.status.trim().toLowerCase();
  if (state !== 'ringing' && state !== 'busy' && state !== 'idle') return null;
  return { type: 'extension_state', extension: msg.extension.trim(), state, receivedAt };
}
