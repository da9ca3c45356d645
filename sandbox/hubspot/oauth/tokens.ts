/**
 * The token endpoint and token metadata (reference §1.2–1.4).
 * Error statuses/messages: `BAD_AUTH_CODE` "missing or unknown auth code" and
 * `BAD_REFRESH_TOKEN` "refresh token is invalid, expired or revoked" are observed/
 * documented; the others follow HubSpot's "missing or invalid …" pattern (UNCONFIRMED,
 * docs/sandbox/hubspot.md).
 */
import { oauthError } from '../errors.ts';
import type { AccessToken, SandboxState } from '../model/sandbox-state.ts';
import { newAccessToken, newRefreshToken } from '../random.ts';

export interface TokenForm {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  redirect_uri?: string;
  code?: string;
  refresh_token?: string;
}

export const TOKEN_ERRORS = {
  badGrantType: () => oauthError('BAD_GRANT_TYPE', 'missing or unsupported grant_type', 'unsupported_grant_type'),
  // Observed body (2026): "missing or unknown client id" with RFC error `invalid_request` (docs/sandbox/hubspot.md).
  badClientId: () => oauthError('BAD_CLIENT_ID', 'missing or unknown client id', 'invalid_request'),
  badClientSecret: () => oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret', 'invalid_client'),
  badAuthCode: () => oauthError('BAD_AUTH_CODE', 'missing or unknown auth code', 'invalid_grant'),
  expiredAuthCode: () => oauthError('EXPIRED_AUTH_CODE', 'auth code is expired', 'invalid_grant'),
  badRedirectUri: () =>
    oauthError('BAD_REDIRECT_URI', 'missing or invalid redirect uri: it must match the redirect_uri of the authorization request', 'invalid_grant'),
  badRefreshToken: () => oauthError('BAD_REFRESH_TOKEN', 'refresh token is invalid, expired or revoked', 'invalid_grant'),
  badAccessToken: () => oauthError('BAD_ACCESS_TOKEN', 'missing or invalid access token'),
  expiredAccessToken: () => oauthError('EXPIRED_ACCESS_TOKEN', 'access token is expired'),
};

export interface TokenResponse {
  token_type: 'bearer';
  refresh_token: string;
  access_token: string;
  expires_in: number;
  hub_id: number;
  user_id: number;
  scopes: string[];
  token_use: 'access_token';
}

export function exchangeToken(state: SandboxState, form: TokenForm, ttlSeconds: number): TokenResponse {
  // HubSpot checks the client id before the grant type (observed, docs/sandbox/hubspot.md).
  const app = form.client_id ? state.appByClientId(form.client_id) : undefined;
  if (!app) throw TOKEN_ERRORS.badClientId();
  const grant = form.grant_type;
  if (grant !== 'authorization_code' && grant !== 'refresh_token') throw TOKEN_ERRORS.badGrantType();
  if (!form.client_secret || form.client_secret !== app.clientSecret) throw TOKEN_ERRORS.badClientSecret();
  const now = state.clock.now();

  if (grant === 'authorization_code') {
    const code = form.code ? state.authCodes.get(form.code) : undefined;
    if (!code || code.used || code.appId !== app.appId) throw TOKEN_ERRORS.badAuthCode();
    if (code.expiresAt <= now) throw TOKEN_ERRORS.expiredAuthCode();
    if (form.redirect_uri !== code.redirectUri) throw TOKEN_ERRORS.badRedirectUri();
    code.used = true;
    const existing = state.install(app.appId, code.portalId);
    const scopes = [...new Set([...(existing?.scopes ?? []), ...code.scopes])];
    state.putInstall({ appId: app.appId, portalId: code.portalId, userId: code.userId, scopes, installedAt: existing?.installedAt ?? now });
    const refreshToken = newRefreshToken();
    state.refreshTokens.set(refreshToken, { token: refreshToken, appId: app.appId, portalId: code.portalId, userId: code.userId, scopes, revoked: false });
    return issueAccess(state, { appId: app.appId, portalId: code.portalId, userId: code.userId, scopes, refreshToken }, ttlSeconds);
  }

  const refresh = form.refresh_token ? state.refreshTokens.get(form.refresh_token) : undefined;
  if (!refresh || refresh.revoked || refresh.appId !== app.appId || !state.install(app.appId, refresh.portalId)) throw TOKEN_ERRORS.badRefreshToken();
  // The refresh token stays the same across refreshes (community live test, docs/sandbox/hubspot.md).
  return issueAccess(
    state,
    { appId: app.appId, portalId: refresh.portalId, userId: refresh.userId, scopes: refresh.scopes, refreshToken: refresh.token },
    ttlSeconds,
  );
}

function issueAccess(state: SandboxState, grant: Omit<AccessToken, 'token' | 'expiresAt'>, ttlSeconds: number): TokenResponse {
  const token = newAccessToken();
  state.accessTokens.set(token, { ...grant, token, expiresAt: state.clock.now() + ttlSeconds * 1000 });
  state.touch();
  return {
    token_type: 'bearer',
    refresh_token: grant.refreshToken,
    access_token: token,
    expires_in: ttlSeconds,
    hub_id: grant.portalId,
    user_id: grant.userId,
    scopes: grant.scopes,
    token_use: 'access_token',
  };
}

/** `GET /oauth/v1/access-tokens/{token}` (§1.3). */
export function accessTokenInfo(state: SandboxState, token: string): Record<string, unknown> {
  const access = state.accessTokens.get(token);
  if (!access) throw TOKEN_ERRORS.badAccessToken();
  const now = state.clock.now();
  if (access.expiresAt <= now) throw TOKEN_ERRORS.expiredAccessToken();
  const portal = state.portal(access.portalId)!;
  const user = state.users.get(access.userId);
  return {
    token,
    user: user?.email,
    hub_domain: portal.settings.domain,
    scopes: access.scopes,
    signed_access_token: {
      expiresAt: access.expiresAt,
      scopes: Buffer.from(access.scopes.join(' ')).toString('base64'),
      hubId: access.portalId,
      userId: access.userId,
      appId: access.appId,
      signature: 'sandbox',
      newSignature: 'sandbox',
      scopeToScopeGroupPks: '',
      trialScopes: '',
      trialScopeToScopeGroupPks: '',
      isUserLevel: false,
      isServiceAccount: false,
      isPrivateDistribution: false,
      installingUserId: access.userId,
      appInstallId: `${access.appId}-${access.portalId}`,
      audience: 'hubspot',
      hublet: 'na1',
    },
    hub_id: access.portalId,
    app_id: access.appId,
    expires_in: Math.max(0, Math.floor((access.expiresAt - now) / 1000)),
    user_id: access.userId,
    token_type: 'access',
    is_private_distribution: false,
  };
}

/** `GET /oauth/v1/refresh-tokens/{token}` (§1.3). */
export function refreshTokenInfo(state: SandboxState, token: string): Record<string, unknown> {
  const refresh = state.refreshTokens.get(token);
  if (!refresh || refresh.revoked) throw TOKEN_ERRORS.badRefreshToken();
  const portal = state.portal(refresh.portalId)!;
  return {
    token,
    user: state.users.get(refresh.userId)?.email,
    hub_domain: portal.settings.domain,
    scopes: refresh.scopes,
    hub_id: refresh.portalId,
    client_id: state.apps.get(refresh.appId)?.clientId,
    user_id: refresh.userId,
    token_type: 'refresh',
  };
}

/** `DELETE /oauth/v1/refresh-tokens/{token}`: access tokens already issued keep working (§1.3). */
export function revokeRefreshToken(state: SandboxState, token: string): void {
  const refresh = state.refreshTokens.get(token);
  if (!refresh || refresh.revoked) throw TOKEN_ERRORS.badRefreshToken();
  refresh.revoked = true;
  state.touch();
}
