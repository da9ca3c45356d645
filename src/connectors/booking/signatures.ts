/**
 * Webhook signatures, checked over the exact bytes received with
 * `timingSafeEqual` (STYLE.md rule 9).
 * - Cal.com: `X-Cal-Signature-256` = hex HMAC-SHA256 of the raw body with the webhook's secret
 *   (calcom/cal.com packages/features/webhooks/lib/sendPayload.ts; reference §E.3).
 * - immedio (our definition, docs/connectors/booking.md): `X-Immedio-Signature: t=<unix s>,v1=<hex
 *   HMAC-SHA256(secret, "<t>.<raw body>")>`, `t` within 5 minutes so a captured delivery cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const IMMEDIO_TOLERANCE_SECONDS = 300;

type Headers = Readonly<Record<string, string | string[] | undefined>>;
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const header = (headers: Headers, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkCalcomSignature(headers: Headers, raw: Buffer, secret: string): SignatureCheck {
  const given = header(headers, 'x-cal-signature-256');
  if (!given) return { ok: false, reason: 'the X-Cal-Signature-256 header is missing' };
  const expected = createHmac('sha256', secret).update(raw).digest('hex');
  return sameHex(given, expected) ? { ok: true } : { ok: false, reason: 'the X-Cal-Signature-256 signature does not match' };
}

export function checkImmedioSignature(headers: Headers, raw: Buffer, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): SignatureCheck {
  const given = header(headers, 'x-immedio-signature');
  if (!given) return { ok: false, reason: 'the X-Immedio-Signature header is missing' };
  const parts = Object.fromEntries(given.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return { ok: false, reason: 'the X-Immedio-Signature header is not "t=…,v1=…"' };
  if (Math.abs(nowSeconds - t) > IMMEDIO_TOLERANCE_SECONDS) return { ok: false, reason: 'the X-Immedio-Signature timestamp is more than 5 minutes off' };
  const expected = createHmac('sha256', secret).update(`${t}.`).update(raw).digest('hex');
  return sameHex(parts.v1, expected) ? { ok: true } : { ok: false, reason: 'the X-Immedio-Signature signature does not match' };
}
