/**
 * Signed links for `signed-link` public routes (a recording a HubSpot user
 * opens, a page a salesperson bookmarks): an HMAC, with the installation key,
 * of the connector, the path and an expiry. The link is the permission; it
 * cannot be widened to another path or made to live longer.
 */
import type { FastifyRequest } from 'fastify';
import type { SecretBox } from '../secrets/secret-box.ts';
import { SpokesError } from '../errors.ts';

const DEFAULT_TTL_SECONDS = 7 * 86_400;

export function signLink(box: SecretBox, connector: string, path: string, ttlSeconds = DEFAULT_TTL_SECONDS): string {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const sig = box.sign(`${path}\n${exp}`, `link:${connector}`);
  return `${path}${path.includes('?') ? '&' : '?'}exp=${exp}&sig=${sig}`;
}

/** onRequest hook of a `signed-link` route group: 403 unless `exp` and `sig` sign this path. */
export function verifySignedLink(box: SecretBox, connector: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const url = new URL(request.url, 'http://spokes.invalid');
    const exp = url.searchParams.get('exp');
    const sig = url.searchParams.get('sig');
    url.searchParams.delete('exp');
    url.searchParams.delete('sig');
    const path = `${url.pathname}${url.search}`;
    const valid = !!exp && !!sig && /^\d{1,12}$/.test(exp) && box.verify(`${path}\n${exp}`, `link:${connector}`, sig);
    if (!valid) throw new SpokesError('forbidden', 'This link is not valid: ask for a new one.', { status: 403 });
    if (Number(exp) * 1000 < Date.now()) throw new SpokesError('forbidden', 'This link has expired: ask for a new one.', { status: 403 });
  };
}
