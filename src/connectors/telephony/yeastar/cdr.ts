/**
 * Yeastar call records → `PbxCdr`, from both sources: the 30012 New CDR event
 * (local `time_start`, `call_duration` / `talk_duration`) and `cdr/search` rows
 * (Unix `timestamp`, `duration` / `ring_duration`, parties as "Name<number>").
 * Vendor quirks handled here (pbx-apis.md §1.6): empty fields hold " ", `type`
 * is documented lowercase but sent capitalised, `ANSWERED` is misspelt
 * `ANSWERD` in the docs' table, and times are PBX local time.
 */
import type { PbxCallDirection, PbxCdr, PbxCdrStatus } from '../pbx.ts';
import { pbxLocalToUtc, type PbxClock } from './pbx-clock.ts';
import type { ApiCdrEvent, ApiCdrRow } from './wire.ts';
import { storableText } from '../../../db/storable-text.ts';

// What the PBX lists is kept, not refused (a back-fill must not fail on one odd record): text PostgreSQL cannot
// store (a NUL, a lone surrogate) is cleaned out. Live events carrying it are refused at decoding (event-frames.ts).
const clean = (v: string | undefined) => storableText(v ?? '').trim();
const orNull = (v: string | undefined) => clean(v) || null;

/** "Kristin Hale<1001>" → "1001"; plain numbers pass through. */
export function partyNumber(raw: string | undefined): string {
  const v = clean(raw);
  const m = /<([^<>]*)>\s*$/.exec(v);
  return m ? m[1].trim() : v;
}

export function cdrStatus(raw: string): PbxCdrStatus {
  switch (
    raw
      .trim()
      .toUpperCase()
      .replace(/[\s_]+/g, ' ')
  ) {
    case 'ANSWERED':
    case 'ANSWERD':
      return 'answered';
    case 'NO ANSWER':
    case 'NOANSWER':
      return 'no_answer';
    case 'BUSY':
      return 'busy';
    case 'VOICEMAIL':
      return 'voicemail';
    default:
      // FAILED, and any status a newer firmware adds; `pbxStatus` keeps the original.
      return 'failed';
  }
}

function direction(type: string, srcTrunk: string, dstTrunk: string): PbxCallDirection {
  const t = type.trim().toLowerCase();
  if (t === 'inbound' || t === 'outbound' || t === 'internal') return t;
  // An unknown type (e.g. a future "Transfer"): infer from the trunks the call used.
  if (srcTrunk) return 'inbound';
  if (dstTrunk) return 'outbound';
  return 'internal';
}

/** Recording names embed the call id: "20220427190445-1651057476.362-2005-2002-Internal.wav". */
function callIdFromRecording(file: string): string | null {
  return /^\d{14}-(\d+\.\d+)-/.exec(file)?.[1] ?? null;
}

interface CdrParts {
  uid: string;
  callId: string | null;
  startedAt: Date;
  from: string;
  to: string;
  type: string;
  status: string;
  ringSeconds: number;
  talkSeconds: number;
  /** Whole call length as the PBX counts it (fingerprint: the same figure from both sources). */
  totalSeconds: number;
  srcTrunk: string;
  dstTrunk: string;
  didNumber: string;
  recording: string;
  /** Last resort id when there is neither uid nor call id. */
  rowId?: number;
}

function toCdr(p: CdrParts): PbxCdr {
  const dir = direction(p.type, p.srcTrunk, p.dstTrunk);
  const [ours, theirs] = dir === 'inbound' ? [p.to, p.from] : [p.from, p.to];
  const id = p.uid ? `uid:${p.uid}` : p.callId ? `call:${p.callId}:${p.from}:${p.to}` : `row:${p.rowId ?? `${p.startedAt.getTime()}:${p.from}:${p.to}`}`;
  return {
    id,
    // The uid is the one id of a call record in every source: the New CDR event (newer firmware), cdr/search
    // and recording/list rows. Listed rows carry no call id (only a recorded call's file name holds it).
    externalId: p.uid || p.callId || id,
    fingerprint: `${Math.floor(p.startedAt.getTime() / 1000)}|${p.from}|${p.to}|${p.totalSeconds}`,
    callId: p.callId,
    direction: dir,
    status: cdrStatus(p.status),
    pbxStatus: clean(p.status),
    startedAt: p.startedAt,
    ringSeconds: p.ringSeconds,
    talkSeconds: p.talkSeconds,
    from: p.from,
    to: p.to,
    externalNumber: dir === 'internal' ? null : theirs || null,
    extension: ours || null,
    otherExtension: dir === 'internal' ? theirs || null : null,
    didNumber: dir === 'inbound' ? orNull(p.didNumber) : null,
    trunk: dir === 'inbound' ? orNull(p.srcTrunk) : dir === 'outbound' ? orNull(p.dstTrunk) : null,
    recording: orNull(p.recording),
  };
}

/** A 30012 event; null when its `time_start` cannot be read (the caller reports a gap and back-fills). */
export function cdrFromEvent(msg: ApiCdrEvent, clock: PbxClock): PbxCdr | null {
  const startedAt = pbxLocalToUtc(msg.time_start, clock);
  if (!startedAt) return null;
  const talk = msg.talk_duration;
  return toCdr({
    uid: clean(msg.uid),
    callId: clean(msg.call_id) || null,
    startedAt,
    from: partyNumber(msg.call_from),
    to: partyNumber(msg.call_to),
    type: msg.type,
    status: msg.status,
    ringSeconds: Math.max(0, msg.call_duration - talk),
    talkSeconds: talk,
    totalSeconds: msg.call_duration,
    srcTrunk: clean(msg.src_trunk_name),
    dstTrunk: clean(msg.dst_trunk_name),
    didNumber: msg.did_number,
    recording: msg.recording,
  });
}

/** A `cdr/list` / `cdr/search` row; its `timestamp` is already UTC. */
export function cdrFromRow(row: ApiCdrRow): PbxCdr {
  const recording = clean(row.record_file);
  return toCdr({
    uid: clean(row.uid),
    callId: callIdFromRecording(recording),
    startedAt: new Date(row.timestamp * 1000),
    from: partyNumber(row.call_from),
    to: partyNumber(row.call_to),
    type: row.call_type,
    status: row.disposition,
    ringSeconds: row.ring_duration,
    talkSeconds: row.talk_duration,
    totalSeconds: row.duration,
    srcTrunk: clean(row.src_trunk),
    dstTrunk: clean(row.dst_trunk),
    didNumber: row.did_number,
    recording,
    rowId: row.id,
  });
}
