/**
 * The token endpoint, as RFC 6749 defines it: a form POST (§4.1.3, §6), the
 * client authenticated by HTTP Basic or by form fields (§2.3.1), a JSON answer
 * (§5.1) or a JSON error (§5.2). Errors become Spokes errors: a refused grant
 * (`invalid_grant`, and a client the server no longer accepts) is
 * `OAuthRefusedError` — only a person can repair it; a 5xx or a network
 * failure is retryable.
 */
import { z } from 'zod';
import { RemoteRateLimitedError, RemoteRejectedError, RemoteUnavailableError, SpokesError } from '../errors.ts';
import type { OAuthClient, OAuthProvider, OAuthTokenSet } from './provider.ts';

/** The token server refused the grant or the client: the connection needs re-authorization. */
export class OAuthRefusedError extends SpokesError {
  readonly oauthError: string;
  /** The token endpoint's error body, parsed (as RemoteRejectedError's), for a provider's own wording. */
  readonly remoteBody: unknown;
  constructor(oauthError: string, message: string, remoteBody?: unknown) {
    super('auth_expired', message, { status: 409 });
    this.oauthError = oauthError;
    this.remoteBody = remoteBody;
  }
}

// §5.1: token_type is required, but HubSpot answers `bearer` and some servers omit it: not checked.
const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
});
const errorResponse = z.object({ error: z.string(), error_description: z.string().optional() });

/** §5.2 error codes that only a person can fix: the grant is gone, or the client is no longer accepted. */
const REFUSALS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

const TIMEOUT_MS = 15_000;

export async function requestToken(provider: OAuthProvider, client: OAuthClient, params: Record<string, string>, now = Date.now()): Promise<OAuthTokenSet> {
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (provider.clientAuth === 'basic') {
    // §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded.
    const id = encodeURIComponent(client.clientId).replace(/%20/g, '+');
    const secret = encodeURIComponent(client.clientSecret).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  let res: Response;
  try {
    res = await fetch(provider.tokenUrl, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new RemoteUnavailableError(`the token endpoint ${new URL(provider.tokenUrl).host} did not answer: ${(err as Error).message}`, err);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) {
    const parsed = tokenResponse.safeParse(body);
    if (!parsed.success) throw new RemoteUnavailableError(`the token endpoint answered ${res.status} without a usable token`);
    const t = parsed.data;
    const expiresIn = t.expires_in ?? provider.defaultExpiresInSeconds ?? 3600;
    return {
      accessToken: t.access_token,
      ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
      expiresAt: new Date(now + expiresIn * 1000).toISOString(),
      ...(t.scope !== undefined ? { scope: Array.isArray(t.scope) ? t.scope.join(' ') : t.scope } : {}),
    };
  }
  if (res.status === 429) throw new RemoteRateLimitedError('the token endpoint asked Spokes to slow down', retryAfterMs(res.headers.get('retry-after')));
  if (res.status >= 500) throw new RemoteUnavailableError(`the token endpoint answered ${res.status}`);
  const error = errorResponse.safeParse(providerError(provider, body) ?? body);
  if (error.success && REFUSALS.has(error.data.error)) {
    throw new OAuthRefusedError(error.data.error, `${error.data.error}${error.data.error_description ? `: ${error.data.error_description}` : ''}`, body);
  }
  // 401 without a §5.2 body: the client was refused (§5.2 allows 401 for invalid_client).
  if (res.status === 401) throw new OAuthRefusedError('invalid_client', 'the token endpoint refused the client credentials (HTTP 401)');
  const what = error.success ? `${error.data.error}${error.data.error_description ? `: ${error.data.error_description}` : ''}` : `HTTP ${res.status}`;
  throw new RemoteRejectedError(`the token endpoint refused the request: ${what}`, res.status, undefined, body);
}

/** A provider's own error code as a §5.2 error (`errorCodes` in its manifest), when it has one. */
function providerError(provider: OAuthProvider, body: unknown): { error: string; error_description?: string } | undefined {
  if (!provider.errorCodes || !body || typeof body !== 'object') return undefined;
  const fields = body as Record<string, unknown>;
  const code = fields[provider.errorCodes.field];
  const mapped = typeof code === 'string' ? provider.errorCodes.map[code] : undefined;
  if (!mapped) return undefined;
  const message = fields[provider.errorCodes.messageField];
  return { error: mapped, ...(typeof message === 'string' ? { error_description: message } : {}) };
}

function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000;
}
