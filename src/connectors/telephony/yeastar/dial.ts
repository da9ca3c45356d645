/**
 * Click-to-call and hang-up ("Make a Call", "Hang up a Call"). `call/dial` rings
 * the caller extension first and dials the callee once it answers; it answers
 * with a `call_id` at once, so most failures (busy, no permission, offline
 * phone) arrive later as 30015 Call Failed events — see call-events.ts. What
 * the PBX refuses at once (40002 on `caller` / `callee`) becomes a PbxDialError here.
 */
import { PbxDialError, type PbxDialOptions, type PbxDialResult } from '../pbx.ts';
import { envelopeOf, errcodeOf } from './api-errors.ts';
import { membersOf } from './call-events.ts';
import type { YeastarClient } from './client.ts';
import { yeastarManifest as M } from './manifest.ts';
import { apiCallQuerySchema, apiDialSchema, apiEmptySchema } from './wire.ts';

/** Formatting a person may type or copy ("+49 (30) 123-456") is dropped; what is left must be dialable. */
export function dialableNumber(raw: string): string | null {
  const compact = raw.trim().replace(/[\s().\-/]/g, '');
  return /^\+?[0-9*#]{1,32}$/.test(compact) ? compact : null;
}

const EXTENSION = /^\d{1,16}$/;

export async function dial(client: YeastarClient, fromExtension: string, toNumber: string, opts: PbxDialOptions = {}): Promise<PbxDialResult> {
  const caller = fromExtension.trim();
  if (!EXTENSION.test(caller)) throw new PbxDialError('unknown_extension', { extension: caller });
  const callee = dialableNumber(toNumber);
  if (!callee) throw new PbxDialError('invalid_number', { number: toNumber.trim() });
  const body: Record<string, string> = { caller, callee };
  if (opts.dialPermissionOf) body.dial_permission = opts.dialPermissionOf;
  if (opts.autoAnswer !== undefined) body.auto_answer = opts.autoAnswer ? 'yes' : 'no';
  try {
    const { call_id } = await client.post(M.paths.callDial, body, apiDialSchema);
    client.log.info({ callId: call_id, extension: caller }, 'yeastar call/dial accepted');
    return { callId: call_id };
  } catch (err) {
    const envelope = envelopeOf(err);
    if (envelope?.errcode === M.errcodes.parameterError) {
      const field = envelope.invalidParams[0]?.field;
      if (field === 'caller') throw new PbxDialError('unknown_extension', { extension: caller });
      if (field === 'dial_permission') throw new PbxDialError('unknown_extension', { extension: opts.dialPermissionOf });
      if (field === 'callee') throw new PbxDialError('invalid_number', { number: toNumber.trim() });
    }
    throw err;
  }
}

/** Hangs up our side of a live call (its extension leg); false when the call is no longer live. */
export async function hangup(client: YeastarClient, callId: string): Promise<boolean> {
  let live;
  try {
    live = await client.get(M.paths.callQuery, { call_id: callId }, apiCallQuerySchema);
  } catch (err) {
    if (errcodeOf(err) === M.errcodes.dataNotFound) return false;
    throw err;
  }
  const call = live.data.find((c) => c.call_id === callId);
  if (!call) return false;
  const members = membersOf(call.members).filter((m) => m.state !== 'hungup' && m.legId);
  const target = members.find((m) => m.kind === 'extension') ?? members[0];
  if (!target) return false;
  try {
    await client.post(M.paths.callHangup, { channel_id: target.legId }, apiEmptySchema);
    return true;
  } catch (err) {
    // 70130: the channel went away between the query and the hang-up.
    if (errcodeOf(err) === M.errcodes.channelIdNotFound) return false;
    throw err;
  }
}
