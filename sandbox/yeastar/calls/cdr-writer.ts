import { randomBytes } from 'node:crypto';
import { cdrEventTime, compactTime } from '../pbx-time.ts';
import type { CdrStatus, DbCdr, PbxState } from '../pbx-state.ts';
import { callType, type SimCall } from './call-model.ts';

/**
 * Writes the CDR (and, for answered calls, a recording) of a finished call into
 * the PBX store and returns the 30012 New CDR `msg` with every field of
 * pbx-apis.md §1.6. Empty trunk/PIN/DID fields are " " as in the vendor's example.
 */
export function writeCdr(state: PbxState, call: SimCall, status: CdrStatus): Record<string, unknown> {
  const o = state.options;
  const type = callType(call);
  const [from, to] = call.direction === 'inbound' ? [call.other, call.extension] : [call.extension, call.other];
  const callDuration = Math.round(call.virtualSec);
  const ringSec = call.answeredAtSec ?? call.virtualSec;
  const talkDuration = call.answeredAtSec === undefined ? 0 : Math.max(0, Math.round(call.virtualSec - call.answeredAtSec));
  const timeStart = cdrEventTime(call.startMs, o.timezone);
  // uid: PBX time plus a short random suffix, like "2022011217362446627" / "202201131409043E81A" (recording/list example).
  const uid = `${compactTime(call.startMs, o.timezone)}${randomBytes(3).toString('hex').toUpperCase().slice(0, 5)}`;

  let recording = '';
  if (status === 'ANSWERED' && talkDuration > 0) {
    const answeredMs = call.startMs + Math.round(ringSec * 1000);
    // "20220427190445-1651057476.362-2005-2002-Internal.wav" (§1.6).
    recording = `${compactTime(answeredMs, o.timezone)}-${call.id}-${from}-${to}-${type}.wav`;
    state.recordings.push({
      id: state.nextId('recording'),
      file: recording,
      uid,
      call_id: call.id,
      startMs: call.startMs,
      call_from: from,
      call_to: to,
      duration: talkDuration,
      call_type: type,
    });
  }

  const row: DbCdr = {
    id: state.nextId('cdr'),
    uid,
    call_id: call.id,
    startMs: call.startMs,
    call_from: from,
    call_to: to,
    from_name: state.extension(from)?.name ?? '',
    to_name: state.extension(to)?.name ?? '',
    call_duration: callDuration,
    ring_duration: Math.max(0, callDuration - talkDuration),
    talk_duration: talkDuration,
    status,
    type,
    src_trunk: type === 'Inbound' ? o.trunkName : '',
    dst_trunk: type === 'Outbound' ? o.trunkName : '',
    did_number: type === 'Inbound' ? o.didNumber : '',
    recording,
    src_addr: type === 'Inbound' ? '' : '127.0.0.1',
  };
  state.cdrs.push(row);

  const blank = (v: string) => (v === '' ? ' ' : v);
  return {
    call_id: call.id,
    time_start: timeStart,
    call_from: from,
    call_to: to,
    call_duration: row.call_duration,
    talk_duration: row.talk_duration,
    src_trunk_name: blank(row.src_trunk),
    dst_trunk_name: blank(row.dst_trunk),
    pin_code: ' ',
    status,
    type,
    recording,
    did_number: blank(row.did_number),
    did_name: ' ',
    agent_ring_time: 0,
    uid,
    call_note_id: '',
    enb_call_note: 0,
  };
}
