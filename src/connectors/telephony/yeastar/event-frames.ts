/**
 * Decodes one Yeastar event frame `{type, sn, msg}` — from the WebSocket or a
 * webhook body — into a neutral event. `msg` is a JSON-encoded *string* on the
 * WebSocket (pbx-apis.md §1.3: parse twice); an object is accepted too, since
 * the webhook body's encoding is not documented. Everything is validated with zod.
 */
import type { z } from 'zod';
import type { PbxEvent } from '../pbx.ts';
import { callEventFrom, callFailedFrom, extensionStateFrom } from './call-events.ts';
import { cdrFromEvent } from './cdr.ts';
import { yeastarManifest as M } from './manifest.ts';
import type { PbxClock } from './pbx-clock.ts';
import {
  apiCallFailedSchema, apiCallStatusSchema, apiCdrEventSchema, apiEventFrameSchema, apiExtensionCallStatusSchema,
} from './wire.ts';

export type DecodedFrame =
  | { kind: 'event'; type: number; event: PbxEvent }
  /** A documented event Spokes does not use (registration, presence…). */
  | { kind: 'ignored'; type: number }
  /** An event id outside the documented range. */
  | { kind: 'unknown'; type: number }
  /** Not a frame, or a frame whose `msg` does not have the documented shape. */
  | { kind: 'invalid'; type?: number; problem: string };

function parseMsg<S extends z.ZodType>(schema: S, raw: unknown): { ok: true; value: z.output<S> } | { ok: false; problem: string } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, problem: 'msg is not JSON' };
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `msg.${issue.path.join('.') || '(root)'}: ${issue.message}` };
}

export function decodeEventFrame(frame: unknown, clock: PbxClock, receivedAt: Date): DecodedFrame {
  const parsed = apiEventFrameSchema.safeParse(frame);
  if (!parsed.success) return { kind: 'invalid', problem: 'not a {type, sn, msg} event frame' };
  const { type, msg } = parsed.data;
  const bad = (problem: string): DecodedFrame => ({ kind: 'invalid', type, problem });
  switch (type) {
    case M.events.callStatus: {
      const m = parseMsg(apiCallStatusSchema, msg);
      return m.ok ? { kind: 'event', type, event: callEventFrom(m.value, receivedAt) } : bad(m.problem);
    }
    case M.events.callFailed: {
      const m = parseMsg(apiCallFailedSchema, msg);
      return m.ok ? { kind: 'event', type, event: callFailedFrom(m.value, receivedAt) } : bad(m.problem);
    }
    case M.events.newCdr: {
      const m = parseMsg(apiCdrEventSchema, msg);
      if (!m.ok) return bad(m.problem);
      const cdr = cdrFromEvent(m.value, clock);
      return cdr ? { kind: 'event', type, event: { type: 'cdr', cdr, receivedAt } } : bad(`unreadable time_start "${m.value.time_start}"`);
    }
    case M.events.extensionCallStatus: {
      const m = parseMsg(apiExtensionCallStatusSchema, msg);
      if (!m.ok) return bad(m.problem);
      const event = extensionStateFrom(m.value, receivedAt);
      return event ? { kind: 'event', type, event } : { kind: 'ignored', type };
    }
    default:
      return type >= M.knownEventRange.min && type <= M.knownEventRange.max ? { kind: 'ignored', type } : { kind: 'unknown', type };
  }
}
