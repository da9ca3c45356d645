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
import { findUnstorableText, withStorableText } from '../../../db/storable-text.ts';
import { apiCallFailedSchema, apiCallStatusSchema, apiCdrEventSchema, apiEventFrameSchema, apiExtensionCallStatusSchema } from './wire.ts';

export type DecodedFrame =
  /** `cleaned` names the first field whose text could not be stored and was cleaned (`cleanUnstorable`). */
  | { kind: 'event'; type: number; event: PbxEvent; cleaned?: string }
  /** A documented event Spokes does not use (registration, presence…). */
  | { kind: 'ignored'; type: number }
  /** An event id outside the documented range. */
  | { kind: 'unknown'; type: number }
  /**
   * Not a frame, or a frame whose `msg` does not have the documented shape; `field` names the offending
   * field under the frame (`msg.talk_duration`) when one is to blame.
   */
  | { kind: 'invalid'; type?: number; problem: string; field?: string };

type ParsedMsg<T> = { ok: true; value: T; cleaned?: string } | { ok: false; problem: string; field?: string };

export interface DecodeOptions {
  /**
   * Text that cannot be stored (a NUL, a lone surrogate) is cleaned out instead of refusing the event: on the
   * WebSocket, where nobody could be told of a refusal and the call would only come back with a back-fill.
   * A webhook refuses it (400 naming the field), so the sender learns of it.
   */
  cleanUnstorable?: boolean;
}

function parseMsg<S extends z.ZodType>(schema: S, raw: unknown, opts: DecodeOptions): ParsedMsg<z.output<S>> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, problem: 'msg is not JSON', field: 'msg' };
    }
  }
  // `msg` is JSON inside a JSON string: its escapes (\u0000, a lone \uD800) only become characters here.
  const unstorable = findUnstorableText(value, 'msg');
  if (unstorable && !opts.cleanUnstorable) return { ok: false, problem: `${unstorable.field}: ${unstorable.message}`, field: unstorable.field };
  if (unstorable) value = withStorableText(value);
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data, ...(unstorable ? { cleaned: unstorable.field } : {}) };
  const issue = parsed.error.issues[0]!;
  const field = ['msg', ...issue.path.map(String)].join('.');
  return { ok: false, problem: `${issue.path.length ? field : 'msg.(root)'}: ${issue.message}`, field };
}

export function decodeEventFrame(frame: unknown, clock: PbxClock, receivedAt: Date, opts: DecodeOptions = {}): DecodedFrame {
  const parsed = apiEventFrameSchema.safeParse(frame);
  if (!parsed.success) return { kind: 'invalid', problem: 'not a {type, sn, msg} event frame' };
  const { type, msg } = parsed.data;
  // `sn` is not stored: only the decoded `msg` is checked.
  const bad = (m: { problem: string; field?: string }): DecodedFrame => ({ kind: 'invalid', type, problem: m.problem, field: m.field });
  switch (type) {
    case M.events.callStatus: {
      const m = parseMsg(apiCallStatusSchema, msg, opts);
      return m.ok ? { kind: 'event', type, event: callEventFrom(m.value, receivedAt), cleaned: m.cleaned } : bad(m);
    }
    case M.events.callFailed: {
      const m = parseMsg(apiCallFailedSchema, msg, opts);
      return m.ok ? { kind: 'event', type, event: callFailedFrom(m.value, receivedAt), cleaned: m.cleaned } : bad(m);
    }
    case M.events.newCdr: {
      const m = parseMsg(apiCdrEventSchema, msg, opts);
      if (!m.ok) return bad(m);
      const cdr = cdrFromEvent(m.value, clock);
      return cdr
        ? { kind: 'event', type, event: { type: 'cdr', cdr, receivedAt }, cleaned: m.cleaned }
        : bad({ problem: `unreadable time_start "${m.value.time_start}"`, field: 'msg.time_start' });
    }
    case M.events.extensionCallStatus: {
      const m = parseMsg(apiExtensionCallStatusSchema, msg, opts);
      if (!m.ok) return bad(m);
      const event = extensionStateFrom(m.value, receivedAt);
      return event ? { kind: 'event', type, event, cleaned: m.cleaned } : { kind: 'ignored', type };
    }
    default:
      return type >= M.knownEventRange.min && type <= M.knownEventRange.max ? { kind: 'ignored', type } : { kind: 'unknown', type };
  }
}
