/**
 * Request signatures HubSpot puts on webhook deliveries (reference §10.2):
 * v1 = SHA-256 hex of `clientSecret + body`; v3 = Base64 HMAC-SHA256 (key: client secret)
 * of `method + uri + body + timestamp`, where `uri` has HubSpot's list of
 * percent-encoded characters decoded. Verifiable with `Signature.isValid` of `@hubspot/api-client`.
 */
import { createHash, createHmac } from 'node:crypto';

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

export function decodeSignatureUri(uri: string): string {
  return uri.replace(/%[0-9A-Fa-f]{2}/g, (match) => DECODED[match.toUpperCase()] ?? match);
}

export function signatureV1(clientSecret: string, body: string): string {
  return createHash('sha256')
    .update(clientSecret + body)
    .digest('hex');
}

export function signatureV3(clientSecret: string, method: string, uri: string, body: string, timestamp: number): string {
  return createHmac('sha256', clientSecret)
    .update(method + decodeSignatureUri(uri) + body + String(timestamp))
    .digest('base64');
}

export function signedHeaders(clientSecret: string, targetUrl: string, body: string, timestamp: number): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hubspot-signature': signatureV1(clientSecret, body),
    'x-hubspot-signature-version': 'v1',
    'x-hubspot-signature-v3': signatureV3(clientSecret, 'POST', targetUrl, body, timestamp),
    'x-hubspot-request-timestamp': String(timestamp),
  };
}
