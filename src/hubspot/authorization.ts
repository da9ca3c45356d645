/**
 * The OAuth install flow (T2): "Connect" creates a single-use `state` and the
 * authorize URL; HubSpot sends the admin back to the callback with a code,
 * which is exchanged for tokens through the official client. The connection
 * is written only once everything checked out, so a failure at any step
 * leaves nothing half-connected.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { Client } from '@hubspot/api-client';
import type { Db } from '../db/open.ts';
import { SpokesError, ValidationError } from '../errors.ts';
import type { ConnectionStore, NewConnection } from './connection-store.ts';
import { hubspotAuthorizations } from './schema.ts';
import { HUBSPOT, appBaseUrlFor } from './manifest.ts';
import { mapHubSpotError, hubspotErrorBody, jsonOrThrow } from './errors.ts';

/** A failed callback: rendered as a 400 page with the reason. */
export class AuthorizationError extends SpokesError {
  constructor(message: string) {
    super('validation_failed', message, { status: 400 });
  }
}

const hash = (state: string) => createHash('sha256').update(state).digest('hex');

export interface AuthorizationDeps {
  db: Db;
  store: ConnectionStore;
  /** HubSpot API base URL (api.hubapi.com or the sandbox). */
  baseUrl: string;
  redirectUrl: string;
  now?: () => number;
}

export async function beginAuthorization(deps: AuthorizationDeps): Promise<{ authorizeUrl: string; state: string }> {
  const app = await deps.store.appSummary();
  if (!app)
    throw new ValidationError('Save the Client ID and Client Secret of your HubSpot app first.', [{ field: 'body.clientId', message: 'not saved yet' }]);
  const now = deps.now?.() ?? Date.now();
  const state = randomBytes(24).toString('base64url');
  await deps.db.delete(hubspotAuthorizations).where(lt(hubspotAuthorizations.expiresAt, new Date(now)));
  await deps.db.insert(hubspotAuthorizations).values({ stateHash: hash(state), expiresAt: new Date(now + HUBSPOT.authorizationStateTtlSeconds * 1000) });
  const url = new URL('/oauth/authorize', appBaseUrlFor(deps.baseUrl));
  url.searchParams.set('client_id', app.clientId);
  url.searchParams.set('redirect_uri', deps.redirectUrl);
  url.searchParams.set('scope', HUBSPOT.requiredScopes.join(' '));
  url.searchParams.set('optional_scope', HUBSPOT.optionalScopes.join(' '));
  url.searchParams.set('state', state);
  return { authorizeUrl: url.toString(), state };
}

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

/** Checks the state (single use), exchanges the code, reads the account, then saves the connection. */
export async function completeAuthorization(deps: AuthorizationDeps, query: CallbackQuery): Promise<NewConnection> {
  if (query.error) {
    throw new AuthorizationError(`HubSpot did not authorize Spokes: ${query.error_description || query.error}`);
  }
  if (!query.state) throw new AuthorizationError('The link is missing its "state": start again with "Connect" on the Spokes HubSpot page.');
  if (!query.code) throw new AuthorizationError('The link is missing its authorization code: start again with "Connect" on the Spokes HubSpot page.');
  const now = new Date(deps.now?.() ?? Date.now());
  // Claim the state atomically: a replayed callback (or a second tab) finds it used.
  const claimed = await deps.db
    .update(hubspotAuthorizations)
    .set({ usedAt: now })
    .where(and(eq(hubspotAuthorizations.stateHash, hash(query.state)), isNull(hubspotAuthorizations.usedAt), gt(hubspotAuthorizations.expiresAt, now)))
    .returning({ stateHash: hubspotAuthorizations.stateHash });
  if (claimed.length === 0) {
    throw new AuthorizationError('This sign-in link is unknown, has expired or was already used. Start again with "Connect" on the Spokes HubSpot page.');
  }
  const app = await deps.store.app();
  if (!app) throw new AuthorizationError('The HubSpot app credentials were removed meanwhile. Save them again and reconnect.');
  const client = new Client({ basePath: deps.baseUrl, numberOfApiCallRetries: 0 });
  let tokens;
  try {
    tokens = await client.oauth.tokensApi.create('authorization_code', query.code, deps.redirectUrl, app.clientId, app.clientSecret);
  } catch (err) {
    throw new AuthorizationError(`HubSpot refused the authorization code: ${describeTokenError(err)}`);
  }
  let info;
  try {
    info = await client.oauth.accessTokensApi.get(tokens.accessToken);
  } catch (err) {
    throw mapHubSpotError(err, 'reading the new HubSpot token');
  }
  const account = await readAccount(deps.baseUrl, tokens.accessToken);
  if (account.accountType === 'DEVELOPER_TEST' || account.accountType === 'APP_DEVELOPER') {
    // Undo the install HubSpot just made, so the refused account keeps no working token.
    await client.oauth.refreshTokensApi.archive(tokens.refreshToken).catch(() => {});
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
    refreshToken: tokens.refreshToken,
    accessExpiresAt: new Date(now.getTime() + tokens.expiresIn * 1000),
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

function describeTokenError(err: unknown): string {
  const body = hubspotErrorBody(err);
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
