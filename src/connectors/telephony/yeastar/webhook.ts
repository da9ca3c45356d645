/**
 * Yeastar webhook event push (Software 83.20.0.21+, Cloud 84.20.0.21+, Appliance
 * 37.20.0.21+; "Monitor Events via Webhook"): the PBX POSTs each event with
 * `X-Signature: Base64(HMAC-SHA256(secret, raw body))`, the secret being the
 * 32-character key shown next to the webhook URL. Pure functions: the route
 * verifies, parses, enqueues and answers 2xx (STYLE.md §9).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../../errors.ts';
import type { PbxEvent } from '../pbx.ts';
import { decodeEventFrame } from './event-frames.ts';
import type { PbxClock } from './pbx-clock.ts';

/** True when `signatureHeader` is the PBX's signature of exactly these bytes. Constant-time. */
export function verifyYeastarWebhook(rawBody: Buffer | string, signatureHeader: string | string[] | undefined, secret: string): boolean {
  const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
  if (!header || !secret) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header.trim(), 'base64');
  // Buffer.from(…, 'base64') skips junk characters; a length check first keeps timingSafeEqual from throwing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type YeastarWebhookResult =
  /** `event` is null for a documented event Spokes does not use: answer 2xx and drop it. */
  { ok: true; event: PbxEvent | null; eventType: number } | { ok: false; error: ValidationError };

/**
 * Parses a verified webhook body into the same neutral events as the WebSocket.
 * Malformed JSON, a malformed frame or an undocumented event type is a
 * `ValidationError` (HTTP 400). `clock` converts CDR local times (adapter.pbxClock()).
 */
export function parseYeastarWebhook(rawBody: Buffer | string, clock: PbxClock, receivedAt = new Date()): YeastarWebhookResult {
  let frame: unknown;
  try {
    frame = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { ok: false, error: new ValidationError('The webhook body is not JSON.', [{ field: 'body', message: 'not JSON' }]) };
  }
  const decoded = decodeEventFrame(frame, clock, receivedAt);
  switch (decoded.kind) {
    case 'event':
      return { ok: true, event: decoded.event, eventType: decoded.type };
    case 'ignored':
      return { ok: true, event: null, eventType: decoded.type };
    case 'unknown':
      return {
        ok: false,
        error: new ValidationError(`Unknown Yeastar event type ${decoded.type}.`, [{ field: 'body.type', message: 'not a documented event id' }]),
      };
    case 'invalid':
      return {
        ok: false,
        error: new ValidationError(`Malformed Yeastar event: ${decoded.problem}.`, [
          { field: decoded.field ? `body.${decoded.field}` : decoded.type === undefined ? 'body' : 'body.msg', message: decoded.problem },
        ]),
      };
  }
}
