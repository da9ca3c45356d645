/**
 * "Sign in with HubSpot" for the people who use Spokes' pages inside HubSpot
 * (salespeople in the calling widget): an identity HubSpot vouches for, taken
 * from the connected app's own OAuth flow. The person authorizes the app that
 * is already installed — HubSpot allows any user of the account to do that
 * without the App Marketplace Access permission as long as no new scope is
 * requested (developers.hubspot.com/changelog "New permission requirements for
 * installing public apps", 2023-10) — and the token's metadata names the user
 * and the account (`GET /oauth/v1/access-tokens/{token}`: `user_id`, `user`,
 * `hub_id`, reference §1.3). Spokes keeps nothing of that install: the
 * refresh token is revoked at once.
 *
 * The redirect goes to the admin's callback path (`HUBSPOT.callbackPath`), so an
 * admin registers no second redirect URL; the callback tells the two flows
 * apart by the state's prefix (`registerSignInCallback`). The code is exchanged
 * by src/oauth's token client, as the install's is.
 */
import { Client } from '@hubspot/api-client';
import { SpokesError } from '../errors.ts';
import type { ConnectionStore } from './connection-store.ts';
import { requestToken } from '../oauth/token-client.ts';
import type { OAuthTokenSet } from '../oauth/provider.ts';
import { appBaseUrlFor, hubspotOAuthProvider } from './manifest.ts';
import { mapHubSpotError, tokenErrorBody } from './errors.ts';

export interface UserSignInDeps {
  store: ConnectionStore;
  redirectUrl: string;
}

export interface HubSpotUserIdentity {
  /** HubSpot user id (not the owner id). */
  userId: number;
  /** The account the user signed in to. */
  hubId: number;
  email: string | null;
}

/** Why a sign-in cannot start or finish, in words for the person signing in. */
export class UserSignInError extends SpokesError {
  constructor(message: string, status = 400) {
    super(status === 409 ? 'not_connected' : 'validation_failed', message, { status });
  }
}

/**
 * The authorize URL for an account (`/oauth/{portalId}/authorize` skips the account chooser,
 * reference §1.1), with the same scopes as the app's install: requesting others would need the
 * App Marketplace Access permission. Null when Spokes is connected with a private-app token.
 */
export async function userSignInUrl(deps: UserSignInDeps, opts: { portalId: number; state: string }): Promise<string> {
  const [app, connection] = await Promise.all([deps.store.app(), deps.store.connection()]);
  if (!app || connection?.kind !== 'oauth') {
    throw new UserSignInError(
      'Spokes is connected to HubSpot with a private-app token, so it cannot ask HubSpot who you are. Open the personal sign-in link your Spokes admin gave you, in this browser.',
      409,
    );
  }
  const provider = hubspotOAuthProvider(connection.baseUrl);
  const url = new URL(`/oauth/${opts.portalId}/authorize`, appBaseUrlFor(connection.baseUrl));
  url.searchParams.set('client_id', app.clientId);
  url.searchParams.set('redirect_uri', deps.redirectUrl);
  url.searchParams.set('scope', provider.scopes.join(' '));
  for (const [name, value] of Object.entries(provider.authorizeParams ?? {})) url.searchParams.set(name, value);
  url.searchParams.set('state', opts.state);
  return url.toString();
}

/** Exchanges the code, reads who signed in, and revokes the refresh token the exchange created. */
export async function identifyUser(deps: UserSignInDeps, code: string): Promise<HubSpotUserIdentity> {
  const [app, connection] = await Promise.all([deps.store.app(), deps.store.connection()]);
  if (!app || connection?.kind !== 'oauth') throw new UserSignInError('Spokes is no longer connected to HubSpot with its app. Ask your Spokes admin.', 409);
  const client = new Client({ basePath: connection.baseUrl, numberOfApiCallRetries: 0 });
  let tokens: OAuthTokenSet;
  try {
    tokens = await requestToken(
      hubspotOAuthProvider(connection.baseUrl),
      { ...app, redirectUri: deps.redirectUrl },
      { grant_type: 'authorization_code', code, redirect_uri: deps.redirectUrl },
    );
  } catch (err) {
    const body = tokenErrorBody(err);
    throw new UserSignInError(`HubSpot did not confirm the sign-in (${body?.message ?? (err as Error).message}). Close this window and try again.`);
  }
  try {
    const info = await client.oauth.accessTokensApi.get(tokens.accessToken);
    return { userId: Number(info.userId), hubId: Number(info.hubId), email: info.user ?? null };
  } catch (err) {
    throw mapHubSpotError(err, 'reading who signed in to HubSpot');
  } finally {
    // Spokes needed the identity, not another install's tokens.
    if (tokens.refreshToken) await client.oauth.refreshTokensApi.archive(tokens.refreshToken).catch(() => {});
  }
}
