/**
 * OAuth token endpoints (reference §1.2–1.4). No bearer auth, no rate limit.
 * v1 also takes `client_secret`/`refresh_token` as query parameters (spec S1).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubSpotApiError, oauthError } from '../errors.ts';
import { accessTokenInfo, exchangeToken, refreshTokenInfo, revokeRefreshToken, TOKEN_ERRORS, type TokenForm } from '../oauth/tokens.ts';
import type { SandboxContext } from './context.ts';

function formOf(request: FastifyRequest): TokenForm {
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const pick = (name: keyof TokenForm) => {
    const value = body[name] ?? (request.url.startsWith('/oauth/v1/') ? query[name] : undefined);
    return typeof value === 'string' ? value : undefined;
  };
  return {
    grant_type: pick('grant_type'),
    client_id: pick('client_id'),
    client_secret: pick('client_secret'),
    redirect_uri: pick('redirect_uri'),
    code: pick('code'),
    refresh_token: pick('refresh_token'),
  };
}

export function registerOAuthTokenRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const token = async (request: FastifyRequest) => {
    // The token endpoint only takes a form: a JSON body gets HTTP 415 (observed, docs/sandbox/hubspot.md; body ours).
    const contentType = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (contentType !== '' && contentType !== 'application/x-www-form-urlencoded') throw unsupportedMediaType(contentType);
    return exchangeToken(ctx.state, formOf(request), ctx.options.accessTokenTtlSeconds);
  };
  app.post('/oauth/v1/token', token);
  app.post('/oauth/v3/token', token);

  app.get<{ Params: { token: string } }>('/oauth/v1/access-tokens/:token', async (request) => accessTokenInfo(ctx.state, request.params.token));
  app.get<{ Params: { token: string } }>('/oauth/v1/refresh-tokens/:token', async (request) => refreshTokenInfo(ctx.state, request.params.token));
  app.delete<{ Params: { token: string } }>('/oauth/v1/refresh-tokens/:token', async (request, reply) => {
    revokeRefreshToken(ctx.state, request.params.token);
    reply.code(204).send();
  });

  /** v3 introspection (§1.4): `{active:false}` for unknown, revoked or expired tokens. */
  app.post('/oauth/v3/token/introspect', async (request) => {
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const client = form.client_id ? ctx.state.appByClientId(form.client_id) : undefined;
    if (!client) throw TOKEN_ERRORS.badClientId();
    if (form.client_secret !== client.clientSecret) throw TOKEN_ERRORS.badClientSecret();
    const value = form.token ?? '';
    try {
      if (ctx.state.refreshTokens.has(value)) return { active: true, ...refreshTokenInfo(ctx.state, value), token_use: 'refresh_token', token_type: 'Bearer' };
      return { active: true, ...accessTokenInfo(ctx.state, value), client_id: client.clientId, token_use: 'access_token', token_type: 'Bearer' };
    } catch {
      return { active: false };
    }
  });

  app.post('/oauth/v3/token/revoke', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const client = form.client_id ? ctx.state.appByClientId(form.client_id) : undefined;
    if (!client) throw TOKEN_ERRORS.badClientId();
    if (form.client_secret !== client.clientSecret) throw TOKEN_ERRORS.badClientSecret();
    if (!form.token) throw oauthError('BAD_REFRESH_TOKEN', 'refresh token is invalid, expired or revoked', 'invalid_grant');
    revokeRefreshToken(ctx.state, form.token);
    reply.code(200).send({});
  });
}

function unsupportedMediaType(contentType: string): HubSpotApiError {
  const message = `Content type '${contentType}' is not supported. Send the token request as application/x-www-form-urlencoded.`;
  return new HubSpotApiError(415, message, (correlationId) => ({ status: 'error', message, correlationId }));
}
