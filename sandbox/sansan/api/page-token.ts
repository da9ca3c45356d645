import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalid } from './errors.ts';

/**
 * `nextPageToken`s (docs/sandbox/sansan.md "Paging"). A token carries the whole query
 * it continues (so it may be sent alone), the API user it was issued to, the position
 * after the last card returned (sort time and id: a keyset, not an offset, so cards
 * added, changed or removed meanwhile neither shift nor repeat the rest) and an
 * expiry. It is signed, so a client cannot edit it.
 */
export interface TokenPayload {
  /** Which listing: 'bizCards', 'search', 'tags', 'cardTags:<id>'. */
  e: string;
  u: string;
  q: Record<string, unknown>;
  /** Position: sort key (null = no time) and id, or the tag sequence number. */
  c: [number | null, string];
  x: number;
}

export function encodeToken(secret: Buffer, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/**
 * The payload, checked against the listing, the user and the clock; a 400 naming
 * `nextPageToken` otherwise.
 */
export function decodeToken(secret: Buffer, token: string, expect: { e: string; u: string; now: number }): TokenPayload {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined || !safeEqual(mac, sign(secret, body))) {
    throw invalid('nextPageToken', 'nextPageToken is not a token this API issued.');
  }
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
  if (payload.e !== expect.e) throw invalid('nextPageToken', 'nextPageToken belongs to another listing.');
  if (payload.u !== expect.u) throw invalid('nextPageToken', 'nextPageToken was issued to another API key.');
  if (payload.x <= expect.now) throw invalid('nextPageToken', 'nextPageToken has expired; start the listing again.');
  return payload;
}

/**
 * Parameters sent with a token must equal the ones it was issued for (a page size
 * may change); parameters left out are taken from the token.
 */
export function mergeWithToken(given: Record<string, unknown>, token: TokenPayload): Record<string, unknown> {
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (JSON.stringify(value) !== JSON.stringify(token.q[name])) {
      throw invalid('nextPageToken', `nextPageToken was issued for another query (${name} differs); send the same parameters or only the token.`);
    }
  }
  return token.q;
}

function sign(secret: Buffer, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
