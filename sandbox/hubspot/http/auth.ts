/**
 * Authentication of API calls (reference §1, §9): `Authorization: Bearer` with an
 * OAuth access token or a private-app token, scope checks, and the developer API key
 * (`?hapikey=`) for app-level developer endpoints (webhooks, calling settings).
 */
import type { FastifyRequest } from 'fastify';
import { apiError, type HubSpotApiError } from '../errors.ts';
import { AUTH_MESSAGES, PRIVATE_APP_SCOPES } from '../manifest.ts';
import type { Portal } from '../model/portal.ts';
import type { SandboxApp, SandboxState } from '../model/sandbox-state.ts';
import { formatTimestamp } from '../time-format.ts';

export interface AuthInfo {
  kind: 'oauth' | 'private';
  portal: Portal;
  appId?: number;
  userId?: number;
  scopes: string[];
}

/** Alternatives: the call passes when every scope of one alternative is granted. */
export type ScopeRule = string[][];

const AUTH_FAILURE_HEADER = { 'x-hubspot-auth-failure': '401 Unauthorized' };

export function authenticate(state: SandboxState, request: FastifyRequest): AuthInfo {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw invalidAuthentication();
  const token = match[1];
  if (token.startsWith('pat-')) {
    const portal = state.portalByPrivateToken(token);
    if (!portal) throw invalidAuthentication();
    return { kind: 'private', portal, scopes: PRIVATE_APP_SCOPES };
  }
  const access = state.accessTokens.get(token);
  const portal = access ? state.portal(access.portalId) : undefined;
  if (!access || !portal) throw invalidAuthentication();
  const now = state.clock.now();
  if (access.expiresAt <= now) {
    const minutes = Math.floor((now - access.expiresAt) / 60_000);
    throw apiError(
      401,
      'EXPIRED_AUTHENTICATION',
      `The OAuth token used to make this call expired ${minutes} minute(s) ago.`,
      {
        context: { 'expire time': [formatTimestamp(access.expiresAt)] },
      },
      AUTH_FAILURE_HEADER,
    );
  }
  return { kind: 'oauth', portal, appId: access.appId, userId: access.userId, scopes: access.scopes };
}

export function invalidAuthentication(): HubSpotApiError {
  return apiError(401, 'INVALID_AUTHENTICATION', AUTH_MESSAGES.credentialsNotFound, {}, AUTH_FAILURE_HEADER);
}

/** §9: 403 `MISSING_SCOPES`, listing the scopes that would have been accepted. */
export function requireScopes(auth: AuthInfo, rule: ScopeRule): void {
  if (rule.length === 0) return;
  const granted = new Set(auth.scopes);
  if (rule.some((alternative) => alternative.every((scope) => granted.has(scope)))) return;
  const accepted = [...new Set(rule.flat())];
  throw apiError(403, 'MISSING_SCOPES', AUTH_MESSAGES.missingScopes, {
    errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: accepted } }],
    links: { scopes: 'https://developers.hubspot.com/scopes' },
  });
}

/** §10, §11: developer endpoints take the developer account's key as `?hapikey=`. */
export function authenticateDeveloper(state: SandboxState, request: FastifyRequest, appIdParam: string | undefined): SandboxApp | undefined {
  const query = request.query as Record<string, unknown>;
  const key = typeof query.hapikey === 'string' ? query.hapikey : undefined;
  if (!key || key !== state.developerAccount.developerApiKey) {
    throw apiError(401, 'INVALID_AUTHENTICATION', AUTH_MESSAGES.badDeveloperKey, {}, AUTH_FAILURE_HEADER);
  }
  if (appIdParam === undefined) return undefined;
  const app = /^\d+$/.test(appIdParam) ? state.apps.get(Number(appIdParam)) : undefined;
  if (!app) throw apiError(404, 'OBJECT_NOT_FOUND', `App ${appIdParam} not found for this developer account.`);
  return app;
}

/** Scope rules per object scope family (each spec's `security`, §2.1). */
export function objectScopes(family: 'contacts' | 'companies' | 'deals', access: 'read' | 'write'): ScopeRule {
  return [[`crm.objects.${family}.${access}`]];
}

export function schemaScopes(family: 'contacts' | 'companies' | 'deals', access: 'read' | 'write'): ScopeRule {
  return access === 'read' ? [[`crm.objects.${family}.read`], [`crm.schemas.${family}.read`]] : [[`crm.schemas.${family}.write`]];
}
