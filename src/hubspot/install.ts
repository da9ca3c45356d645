/**
 * Installing Spokes' HubSpot app in an account (T2), on src/oauth: "Connect"
 * starts an authorization (`state` single use, expiring, hashed at rest; no
 * PKCE, HubSpot has none) and HubSpot sends the admin back to the callback
 * with a code, which src/oauth exchanges. Then the account is read and
 * checked, and only then is the connection written, so a failure at any step
 * leaves nothing half-connected.
 */
import { Client } from '@hubspot/api-client';
import type { Db } from '../db/open.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { ValidationError } from '../errors.ts';
import { AuthorizationError, beginAuthorization, completeAuthorization, type CallbackQuery } from '../oauth/authorization.ts';
import type { ConnectionStore, NewConnection } from './connection-store.ts';
import { hubspotOAuthProvider } from './manifest.ts';
import { mapHubSpotError, jsonOrThrow, tokenErrorBody } from './errors.ts';

/** The connector name of HubSpot's authorizations in `oauth_authorizations`. */
const CONNECTOR = 'hubspot';

export interface InstallDeps {
  db: Db;
  secretBox: SecretBox;
  store: ConnectionStore;
  /** HubSpot API base URL (api.hubapi.com or the sandbox). */
  baseUrl: string;
  redirectUrl: string;
  now?: () => number;
}

export async function beginInstall(deps: InstallDeps): Promise<{ authorizeUrl: string; state: string }> {
  const app = await deps.store.app();
  if (!app)
    throw new ValidationError('Save the Client ID and Client Secret of your HubSpot app first.', [{ field: 'body.clientId', message: 'not saved yet' }]);
  return beginAuthorization(deps, {
    connector: CONNECTOR,
    provider: hubspotOAuthProvider(deps.baseUrl),
    client: { ...app, redirectUri: deps.redirectUrl },
  });
}

/** Checks the state (single use), exchanges the code, reads the account, then saves the connection. */
export async function completeInstall(deps: InstallDeps, query: CallbackQuery): Promise<NewConnection> {
  if (query.error) throw new AuthorizationError(`HubSpot did not authorize Spokes: ${query.error_description || query.error}`);
  const { tokens } = await completeAuthorization(
    deps,
    {
      connector: CONNECTOR,
      provider: hubspotOAuthProvider(deps.baseUrl),
      async client() {
        const app = await deps.store.app();
        if (!app) throw new AuthorizationError('The HubSpot app credentials were removed meanwhile. Save them again and reconnect.');
        return { ...app, redirectUri: deps.redirectUrl };
      },
      refusal: (err) => `HubSpot refused the authorization code: ${describeTokenError(err)}`,
    },
    query,
  );
  const client = new Client({ basePath: deps.baseUrl, numberOfApiCallRetries: 0 });
  let info;
  try {
    info = await client.oauth.accessTokensApi.get(tokens.accessToken);
  } catch (err) {
    throw mapHubSpotError(err, 'reading the new HubSpot token');
  }
  const account = await readAccount(deps.baseUrl, tokens.accessToken);
  if (account.accountType === 'DEVELOPER_TEST' || account.accountType === 'APP_DEVELOPER') {
    // Undo the install HubSpot just made, so the refused account keeps no working token.
    if (tokens.refreshToken) await client.oauth.refreshTokensApi.archive(tokens.refreshToken).catch(() => {});
    throw new AuthorizationError('That is a developer or test account. Connect Spokes to a standard HubSpot account where you are a Super Admin.');
  }
  const connection: NewConnection = {
    kind: 'oauth',
    baseUrl: deps.baseUrl,
    portalId: info.hubId,
    accountName: info.hubDomain ?? `HubSpot account ${info.hubId}`,
    hubDomain: info.hubDomain ?? null,
    connectedBy: info.user ?? null,
    scopes: info.scopes,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? null,
    accessExpiresAt: tokens.expiresAt ? new Date(tokens.expiresAt) : null,
  };
  await deps.store.saveConnection(connection);
  return connection;
}

/** `GET /account-info/v3/details`: the account's id and type (STANDARD, DEVELOPER_TEST, SANDBOX…). */
export async function readAccount(baseUrl: string, accessToken: string): Promise<{ portalId: number; accountType?: string }> {
  const client = new Client({ basePath: baseUrl, accessToken, numberOfApiCallRetries: 0 });
  try {
    return await jsonOrThrow<{ portalId: number; accountType?: string }>(await client.apiRequest({ method: 'GET', path: '/account-info/v3/details' }));
  } catch (err) {
    throw mapHubSpotError(err, 'reading the HubSpot account');
  }
}

/** HubSpot's refusal of a code (its `status`, reference §1.2), in words an admin can act on. */
export function describeTokenError(err: unknown): string {
  const body = tokenErrorBody(err);
  switch (body?.status) {
    case 'BAD_CLIENT_SECRET':
      return "the Client Secret is wrong. Copy it again from the app's Auth settings in HubSpot and save it.";
    case 'BAD_CLIENT_ID':
      return "the Client ID is wrong. Copy it again from the app's Auth settings in HubSpot and save it.";
    case 'BAD_REDIRECT_URI':
      return 'the Redirect URL does not match the one in the app settings. Paste the Redirect URL shown by Spokes into the app.';
    case 'BAD_AUTH_CODE':
    case 'EXPIRED_AUTH_CODE':
      return 'the authorization code is unknown, expired or already used. Start again with "Connect".';
    default:
      return body?.message ?? (err as Error).message ?? 'unknown error';
  }
}
