/**
 * HubSpot's v3 request signature (reference §10.2): Base64 HMAC-SHA256, keyed
 * with the app's client secret, of `method + uri + body + timestamp`, where
 * `uri` is the full URL HubSpot called with a listed set of percent-escapes
 * decoded, and the timestamp (ms, `X-HubSpot-Request-Timestamp`) is at most
 * 5 minutes old. Compared in constant time, over the raw body bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** §10.2 / `@hubspot/api-client` `Signature.MAX_ALLOWED_TIMESTAMP`. */
export const MAX_SIGNATURE_AGE_MS = 300_000;

/** §10.2: the escapes HubSpot decodes in the URI before signing. */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(/%[0-9A-Fa-f]{2}/g, (m) => DECODED[m.toUpperCase()] ?? m);
}

export function signatureV3(clientSecret: string, method: string, uri: string, body: string | Buffer, timestamp: string): string {
  return createHmac('sha256', clientSecret)
    .update(method.toUpperCase() + decodeSignedUri(uri))
    .update(body)
    .update(timestamp)
    .digest('base64');
}

export interface SignedRequest {
  method: string;
  /** The URLs HubSpot may have called (public URL, or the one the proxy passed on). */
  uris: string[];
  body: string | Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export function verifySignatureV3(clientSecret: string, request: SignedRequest, now = Date.now()): Verdict {
  if (!request.signature) return { ok: false, reason: 'the X-HubSpot-Signature-v3 header is missing' };
  if (!request.timestamp || !/^\d{10,16}$/.test(request.timestamp))
    return { ok: false, reason: 'the X-HubSpot-Request-Timestamp header is missing or not a number' };
  const age = now - Number(request.timestamp);
  if (Math.abs(age) > MAX_SIGNATURE_AGE_MS)
    return { ok: false, reason: `the request timestamp is ${Math.round(age / 1000)} s away from now (more than 5 minutes)` };
  const given = Buffer.from(request.signature, 'base64');
  for (const uri of new Set(request.uris)) {
    const expected = Buffer.from(signatureV3(clientSecret, request.method, uri, request.body, request.timestamp), 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'the signature does not match (wrong client secret, a changed body, or a URL other than the one HubSpot called)' };
}
