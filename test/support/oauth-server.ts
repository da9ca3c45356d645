/**
 * A minimal OAuth 2.0 authorization server that follows the standards
 * strictly, for testing src/oauth against something other than HubSpot:
 * RFC 6749 (authorization code grant §4.1, refresh §6, client authentication
 * §2.3.1 by HTTP Basic or form fields, errors §5.2), RFC 7636 (PKCE, S256
 * required when the client registered for it) and refresh-token rotation with
 * reuse detection (OAuth 2.0 Security BCP, RFC 9700 §4.14.2: a rotated refresh
 * token used again revokes the whole grant).
 *
 * `GET /authorize` approves at once (the person's consent is not the subject)
 * and redirects back with `code` and `state`; `GET /userinfo` answers a valid
 * bearer token with the account.
 */
import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';

export interface OAuthServerOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUris: string[];
  /** Require PKCE S256 (RFC 7636) from this client. Default true. */
  requirePkce?: boolean;
  /** Access token lifetime in seconds. Default 3600. */
  expiresIn?: number;
  /** Rotate refresh tokens on every refresh. Default true. */
  rotate?: boolean;
}

interface Grant {
  id: string;
  account: string;
  scope: string;
  revoked: boolean;
  refreshToken: string;
  /** Refresh tokens already rotated away: using one again is a replay (revokes the grant). */
  spent: Set<string>;
}

export interface OAuthServer {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Token requests answered, by grant type (successful ones only). */
  counts: { authorization_code: number; refresh_token: number };
  /** The current refresh token of every live grant. */
  liveRefreshTokens(): string[];
  /** Revokes every grant (the account removed the app): refreshes then fail with invalid_grant. */
  revokeAll(): void;
  /** Delays every token response (widens race windows in single-flight tests). */
  setTokenDelay(ms: number): void;
  setExpiresIn(seconds: number): void;
  close(): Promise<void>;
}

export async function startOAuthServer(opts: OAuthServerOptions): Promise<OAuthServer> {
  const clientId = opts.clientId ?? `client-${randomBytes(4).toString('hex')}`;
  const clientSecret = opts.clientSecret ?? randomBytes(16).toString('base64url');
  const requirePkce = opts.requirePkce ?? true;
  let expiresIn = opts.expiresIn ?? 3600;
  let delayMs = 0;
  const codes = new Map<string, { redirectUri: string; challenge?: string; account: string; scope: string; used: boolean; expiresAt: number }>();
  const grants = new Map<string, Grant>();
  const byRefresh = new Map<string, Grant>();
  const byAccess = new Map<string, { grant: Grant; expiresAt: number }>();
  const counts = { authorization_code: 0, refresh_token: 0 };

  const app = Fastify({ logger: false });
  await app.register(formbody);
  const err = (
    reply: { code(n: number): { header(k: string, v: string): { send(b: unknown): unknown }; send(b: unknown): unknown } },
    status: number,
    error: string,
    description: string,
  ) =>
    status === 401
      ? reply.code(401).header('www-authenticate', 'Basic realm="test"').send({ error, error_description: description })
      : reply.code(status).send({ error, error_description: description });

  app.get('/authorize', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    // §4.1.2.1: a bad client or redirect URI must not redirect.
    if (q.client_id !== clientId || !q.redirect_uri || !opts.redirectUris.includes(q.redirect_uri))
      return reply.code(400).send({ error: 'invalid_request', error_description: 'unknown client or redirect_uri' });
    const back = new URL(q.redirect_uri);
    if (q.state) back.searchParams.set('state', q.state);
    if (q.response_type !== 'code') back.searchParams.set('error', 'unsupported_response_type');
    else if (requirePkce && (!q.code_challenge || q.code_challenge_method !== 'S256')) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'PKCE S256 is required');
    } else {
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        redirectUri: q.redirect_uri,
        challenge: q.code_challenge,
        account: 'Acme Sandbox Org',
        scope: q.scope ?? '',
        used: false,
        expiresAt: Date.now() + 60_000,
      });
      back.searchParams.set('code', code);
    }
    return reply.redirect(back.toString(), 302);
  });

  app.post('/token', async (request, reply) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    // §2.3.1: HTTP Basic (form-urlencoded id and secret) or form fields — not both.
    const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    let id = form.client_id;
    let secret = form.client_secret;
    if (basic) {
      if (form.client_secret) return err(reply, 400, 'invalid_request', 'more than one client authentication method');
      const [u, p] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      id = decodeURIComponent((u ?? '').replace(/\+/g, ' '));
      secret = decodeURIComponent((p ?? '').replace(/\+/g, ' '));
    }
    if (id !== clientId || secret !== clientSecret) return err(reply, 401, 'invalid_client', 'client authentication failed');
    if (form.grant_type === 'authorization_code') {
      const code = form.code ? codes.get(form.code) : undefined;
      if (!code || code.used || code.expiresAt < Date.now()) return err(reply, 400, 'invalid_grant', 'the code is invalid, expired or used');
      // §4.1.3: the redirect_uri must be the one of the authorization request.
      if (form.redirect_uri !== code.redirectUri) return err(reply, 400, 'invalid_grant', 'redirect_uri does not match');
      if (code.challenge) {
        const verifier = form.code_verifier ?? '';
        // RFC 7636 §4.1: 43–128 characters of the unreserved set.
        if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
          return err(reply, 400, 'invalid_grant', 'code_verifier does not match the code_challenge');
        }
      }
      code.used = true;
      const grant: Grant = { id: randomBytes(4).toString('hex'), account: code.account, scope: code.scope, revoked: false, refreshToken: '', spent: new Set() };
      grants.set(grant.id, grant);
      counts.authorization_code++;
      return issue(grant, true);
    }
    if (form.grant_type === 'refresh_token') {
      const grant = form.refresh_token ? byRefresh.get(form.refresh_token) : undefined;
      if (!grant || grant.revoked) return err(reply, 400, 'invalid_grant', 'the refresh token is invalid or revoked');
      if (grant.spent.has(form.refresh_token!)) {
        // A rotated token used again: someone kept a copy. Revoke the grant.
        grant.revoked = true;
        return err(reply, 400, 'invalid_grant', 'the refresh token was already used');
      }
      counts.refresh_token++;
      return issue(grant, opts.rotate ?? true);
    }
    return err(reply, 400, 'unsupported_grant_type', `grant_type ${form.grant_type ?? '(none)'} is not supported`);
  });

  app.get('/userinfo', async (request, reply) => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const found = token ? byAccess.get(token) : undefined;
    if (!found || found.grant.revoked || found.expiresAt < Date.now())
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ error: 'invalid_token' });
    return { account: found.grant.account, scope: found.grant.scope };
  });

  function issue(grant: Grant, newRefresh: boolean) {
    if (newRefresh) {
      if (grant.refreshToken) grant.spent.add(grant.refreshToken);
      grant.refreshToken = randomBytes(24).toString('base64url');
      byRefresh.set(grant.refreshToken, grant);
    }
    const accessToken = randomBytes(24).toString('base64url');
    byAccess.set(accessToken, { grant, expiresAt: Date.now() + expiresIn * 1000 });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, refresh_token: grant.refreshToken, scope: grant.scope };
  }

  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    counts,
    liveRefreshTokens: () => [...grants.values()].filter((g) => !g.revoked).map((g) => g.refreshToken),
    revokeAll: () => {
      for (const g of grants.values()) g.revoked = true;
    },
    setTokenDelay: (ms) => {
      delayMs = ms;
    },
    setExpiresIn: (s) => {
      expiresIn = s;
    },
    close: () => app.close(),
  };
}
