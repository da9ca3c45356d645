/**
 * HubSpot facts Spokes relies on, as data (behaviour lives elsewhere).
 * Sections refer to shared/reference/hubspot-api.md.
 */
import type { OAuthProvider } from '../oauth/provider.ts';

export const HUBSPOT = {
  apiBaseUrl: 'https://api.hubapi.com',
  /** The authorize page lives on the app domain, not the API domain (§1.1). */
  appBaseUrl: 'https://app.hubspot.com',
  /** Where HubSpot sends the admin back after "Connect app" (T1: pasted into the app settings). */
  callbackPath: '/oauth/hubspot/callback',
  /** Where HubSpot posts webhook events for the app (signature v3, §10.2). */
  webhookPath: '/webhooks/hubspot',
  /**
   * Where HubSpot asks for an authenticated recording URL (§11, the calling app's `urlToRetrieveAuthedRecording`,
   * registered as `<public URL><recordingPath>/%s`; HubSpot puts the call's `hs_call_external_id` for `%s`).
   */
  recordingPath: '/hubspot/calling/recordings',
  /** Scopes to tick in the app settings; all required ones must be requested or the authorize page errors (§1.1). */
  requiredScopes: [
    'oauth',
    'crm.objects.contacts.read',
    'crm.objects.contacts.write',
    'crm.objects.companies.read',
    'crm.objects.companies.write',
    'crm.objects.owners.read',
  ],
  /**
   * Dropped silently by HubSpot when the account lacks the product or the installer declines them (§1.1).
   * `crm.schemas.contacts.write`: the Sansan sync creates its custom contact properties (readings); without
   * it the connector names the missing scope instead of failing later.
   */
  optionalScopes: ['crm.objects.deals.read', 'crm.objects.deals.write', 'crm.schemas.contacts.write'],
  /** §1.2: access tokens live 30 minutes; refresh well before, since a 401 is not a reliable signal. */
  refreshAheadSeconds: 300,
  /**
   * OAuth 2.0 (§1.1, §1.2), run by src/oauth: the authorize page is on the app domain, the token
   * endpoint on the API domain; no PKCE; the client id and secret go in the form. Token errors are
   * HubSpot's `{status, message}` (newer answers add RFC 6749's `error`): the statuses that only a
   * person can repair are refusals.
   */
  oauth: {
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/v1/token',
    pkce: false,
    clientAuth: 'body',
    errorCodes: {
      field: 'status',
      messageField: 'message',
      map: {
        BAD_REFRESH_TOKEN: 'invalid_grant',
        BAD_AUTH_CODE: 'invalid_grant',
        EXPIRED_AUTH_CODE: 'invalid_grant',
        BAD_REDIRECT_URI: 'invalid_grant',
        BAD_CLIENT_ID: 'invalid_client',
        BAD_CLIENT_SECRET: 'invalid_client',
      },
    },
  },
  /**
   * §8: public apps get 110 requests per 10 s rolling per account; search has its own 5 per second.
   * Spokes' budget stays under both even with clock skew between the limiter and HubSpot (see rate-budget.ts).
   */
  limits: {
    oauthTenSecondly: 110,
    privateAppTenSecondly: 100,
    searchPerSecond: 5,
  },
  /** §2.1 / §3 */
  batchSize: 100,
  searchPageSize: 200,
  searchResultCap: 10_000,
} as const;

/** The app-domain origin that serves the authorize page for an API base URL (the sandbox serves both). */
export function appBaseUrlFor(apiBaseUrl: string): string {
  if (apiBaseUrl === HUBSPOT.apiBaseUrl) return HUBSPOT.appBaseUrl;
  const eu = /^https:\/\/api-(\w+)\.hubapi\.com$/.exec(apiBaseUrl);
  if (eu) return `https://app-${eu[1]}.hubspot.com`;
  return apiBaseUrl;
}

/**
 * HubSpot as an OAuth provider for the account at `apiBaseUrl` (api.hubapi.com, an EU data centre,
 * or the sandbox): every required scope, the optional ones in `optional_scope` (§1.1).
 */
export function hubspotOAuthProvider(apiBaseUrl: string): OAuthProvider {
  const { authorizePath, tokenPath, ...facts } = HUBSPOT.oauth;
  return {
    ...facts,
    authorizeUrl: new URL(authorizePath, appBaseUrlFor(apiBaseUrl)).toString(),
    tokenUrl: `${apiBaseUrl.replace(/\/+$/, '')}${tokenPath}`,
    scopes: HUBSPOT.requiredScopes,
    authorizeParams: { optional_scope: HUBSPOT.optionalScopes.join(' ') },
    refreshAheadSeconds: HUBSPOT.refreshAheadSeconds,
  };
}

/** The name of Spokes' app in the HubSpot emulator (sandbox mode): found again by it at every start. */
export const SANDBOX_APP_NAME = 'Spokes';
