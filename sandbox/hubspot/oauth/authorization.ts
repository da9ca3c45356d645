/**
 * The authorize step of OAuth (reference §1.1): checking an install URL the way
 * HubSpot's authorize page does, and issuing single-use codes.
 * Error texts: knowledge.hubspot.com "Resolve a 'Request for Integration Permissions'
 * error" and observed pages (docs/sandbox/hubspot.md).
 */
import { KNOWN_SCOPES } from '../manifest.ts';
import type { SandboxApp, SandboxState } from '../model/sandbox-state.ts';
import { newUuid } from '../random.ts';

export interface AuthorizeRequest {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  optionalScope?: string;
  state?: string;
}

export type AuthorizeCheck = { ok: true; app: SandboxApp; redirectUri: string; scopes: string[] } | { ok: false; message: string; app?: SandboxApp };

export const AUTHORIZE_MESSAGES = {
  title: "Couldn't complete the connection",
  badClientId: 'An invalid app client_id was provided. Please contact the app developer.',
  badRedirect: (uri: string) =>
    `Authorization failed as the redirect URL '${uri}' doesn't match the app's registered redirect URL. Please contact the app developer.`,
  invalidScope: 'An invalid scope name was provided. Please contact the app developer.',
  insufficientScopes: 'Authorization failed because the provided scopes are insufficient. Please contact the app developer.',
  scopeMismatch:
    "Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes. Please contact the app developer.",
  /** HubSpot docs: apps can't be installed on developer accounts; use a test account (docs/sandbox/hubspot.md). */
  developerAccount:
    "Apps can't be installed in app developer accounts. To test your app, create a developer test account from your developer account and install the app there.",
  notMember: "You don't have access to this account. Choose an account you're a user in.",
};

function splitScopes(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s+]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Validates client, redirect URL and scopes; the first failure wins, as on HubSpot's page. */
export function checkAuthorizeRequest(state: SandboxState, request: AuthorizeRequest): AuthorizeCheck {
  const app = request.clientId ? state.appByClientId(request.clientId) : undefined;
  if (!app) return { ok: false, message: AUTHORIZE_MESSAGES.badClientId };
  const redirectUri = request.redirectUri ?? '';
  if (!app.redirectUrls.includes(redirectUri)) return { ok: false, app, message: AUTHORIZE_MESSAGES.badRedirect(redirectUri) };
  const scopes = splitScopes(request.scope);
  const optional = splitScopes(request.optionalScope);
  if ([...scopes, ...optional].some((s) => !KNOWN_SCOPES.includes(s))) return { ok: false, app, message: AUTHORIZE_MESSAGES.invalidScope };
  if (app.scopes.some((required) => !scopes.includes(required))) return { ok: false, app, message: AUTHORIZE_MESSAGES.insufficientScopes };
  const configured = new Set(app.scopes);
  const configuredOptional = new Set(app.optionalScopes);
  if (scopes.some((s) => !configured.has(s)) || optional.some((s) => !configuredOptional.has(s))) {
    return { ok: false, app, message: AUTHORIZE_MESSAGES.scopeMismatch };
  }
  // Sandbox portals have every product, so requested optional scopes are all granted (§1.1).
  return { ok: true, app, redirectUri, scopes: [...new Set([...scopes, ...optional])] };
}

/** Checks the chosen account; undefined when the install may proceed. */
export function checkAccountChoice(state: SandboxState, portalId: number, userId: number): string | undefined {
  if (portalId === state.developerAccount.portalId) return AUTHORIZE_MESSAGES.developerAccount;
  const user = state.users.get(userId);
  if (!state.portal(portalId) || !user || !user.portalIds.includes(portalId)) return AUTHORIZE_MESSAGES.notMember;
  return undefined;
}

export function issueCode(
  state: SandboxState,
  input: { app: SandboxApp; portalId: number; userId: number; scopes: string[]; redirectUri: string; ttlSeconds: number },
): string {
  const code = newUuid();
  state.authCodes.set(code, {
    code,
    appId: input.app.appId,
    portalId: input.portalId,
    userId: input.userId,
    scopes: input.scopes,
    redirectUri: input.redirectUri,
    expiresAt: state.clock.now() + input.ttlSeconds * 1000,
    used: false,
  });
  state.touch();
  return code;
}

/** `redirect_uri?code=…&state=…` (§1.1); `state` only when the install URL had one. */
export function redirectWithParams(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}
