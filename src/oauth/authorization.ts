/**
 * The authorization-code flow (RFC 6749 §4.1) with PKCE S256 (RFC 7636) where
 * the provider supports it. `begin` makes a random `state` — stored hashed,
 * single use, expiring in 10 minutes — and, with PKCE, a verifier stored
 * sealed; `complete` claims the state atomically (a replayed callback or a
 * second tab finds it used), then exchanges the code. Nothing is stored about
 * the connection here: the caller connects (or re-authorizes) with the tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { SpokesError } from '../errors.ts';
import { oauthAuthorizations } from './schema.ts';
import { requestToken } from './token-client.ts';
import type { OAuthClient, OAuthProvider, OAuthTokenSet } from './provider.ts';

/** How long a person has between "Connect" and the provider's redirect back. */
export const STATE_TTL_SECONDS = 600;

/** A callback that cannot complete: shown to the person as a 400 page with the reason. */
export class AuthorizationError extends SpokesError {
  constructor(message: string) {
    super('validation_failed', message, { status: 400 });
  }
}

export interface AuthorizationDeps {
  db: Db;
  secretBox: SecretBox;
  now?: () => number;
}

export interface BeginInput {
  connector: string;
  provider: OAuthProvider;
  client: OAuthClient;
  /** Re-authorization of an existing connection (its tokens are replaced on completion). */
  connectionId?: string;
  startedBy?: string;
}

const hash = (state: string) => createHash('sha256').update(state).digest('hex');

export async function beginAuthorization(deps: AuthorizationDeps, input: BeginInput): Promise<{ authorizeUrl: string; state: string }> {
  const now = deps.now?.() ?? Date.now();
  const state = randomBytes(32).toString('base64url');
  // §4.1: 32 random octets, base64url — 43 characters, the minimum length RFC 7636 allows.
  const verifier = input.provider.pkce ? randomBytes(32).toString('base64url') : undefined;
  await deps.db.delete(oauthAuthorizations).where(lt(oauthAuthorizations.expiresAt, new Date(now)));
  await deps.db.insert(oauthAuthorizations).values({
    stateHash: hash(state),
    connector: input.connector,
    connectionId: input.connectionId ?? null,
    redirectUri: input.client.redirectUri,
    codeVerifierSealed: verifier ? deps.secretBox.encrypt(verifier, `oauth:verifier:${hash(state)}`) : null,
    startedBy: input.startedBy ?? null,
    expiresAt: new Date(now + STATE_TTL_SECONDS * 1000),
  });
  const url = new URL(input.provider.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.client.clientId);
  url.searchParams.set('redirect_uri', input.client.redirectUri);
  if (input.provider.scopes.length) url.searchParams.set('scope', input.provider.scopes.join(input.provider.scopeSeparator ?? ' '));
  url.searchParams.set('state', state);
  if (verifier) {
    url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(input.provider.authorizeParams ?? {})) url.searchParams.set(k, v);
  return { authorizeUrl: url.toString(), state };
}

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export interface CompletedAuthorization {
  tokens: OAuthTokenSet;
  connectionId: string | null;
  startedBy: string | null;
}

/**
 * Claims the state (single use, unexpired, for this connector), then exchanges the code.
 * `client` is looked up after the claim, so a connector's app credentials are read once.
 */
export async function completeAuthorization(
  deps: AuthorizationDeps,
  input: {
    connector: string;
    provider: OAuthProvider;
    client: () => Promise<OAuthClient>;
    /** The provider's refusal of the code in words for the person (default: the token endpoint's own). */
    refusal?: (err: Error) => string;
  },
  query: CallbackQuery,
): Promise<CompletedAuthorization> {
  // §4.1.2.1: the person refused, or the provider could not ask them.
  if (query.error) throw new AuthorizationError(`The authorization was not granted: ${query.error_description || query.error}. Start again with "Connect".`);
  if (!query.state) throw new AuthorizationError('The link is missing its "state": start again with "Connect" in the Spokes admin.');
  if (!query.code) throw new AuthorizationError('The link is missing its authorization code: start again with "Connect" in the Spokes admin.');
  const now = new Date(deps.now?.() ?? Date.now());
  const [claimed] = await deps.db
    .update(oauthAuthorizations)
    .set({ usedAt: now })
    .where(
      and(
        eq(oauthAuthorizations.stateHash, hash(query.state)),
        eq(oauthAuthorizations.connector, input.connector),
        isNull(oauthAuthorizations.usedAt),
        gt(oauthAuthorizations.expiresAt, now),
      ),
    )
    .returning();
  if (!claimed)
    throw new AuthorizationError('This authorization link is unknown, has expired or was already used. Start again with "Connect" in the Spokes admin.');
  const client = await input.client();
  if (client.redirectUri !== claimed.redirectUri) throw new AuthorizationError('Spokes\' address changed since "Connect" was clicked. Start again.');
  const params: Record<string, string> = { grant_type: 'authorization_code', code: query.code, redirect_uri: claimed.redirectUri };
  if (claimed.codeVerifierSealed) params.code_verifier = deps.secretBox.decrypt(claimed.codeVerifierSealed, `oauth:verifier:${claimed.stateHash}`);
  let tokens: OAuthTokenSet;
  try {
    tokens = await requestToken(input.provider, client, params, now.getTime());
  } catch (err) {
    throw new AuthorizationError(
      input.refusal?.(err as Error) ?? `The provider refused the authorization code: ${(err as Error).message}. Start again with "Connect".`,
    );
  }
  return { tokens, connectionId: claimed.connectionId, startedBy: claimed.startedBy };
}
