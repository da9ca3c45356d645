/**
 * The HubSpot connection's access token, valid for a few more minutes: an
 * OAuth connection's is refreshed by src/oauth (single-flight across
 * processes, HubSpot as an OAuth provider from the manifest); a private-app
 * token does not expire. A refresh HubSpot refuses, or a private-app token it
 * rejects, puts the connection into "needs re-authorization" and pauses the
 * jobs that need HubSpot.
 */
import type { Database, Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { AuthExpiredError, NotConnectedError } from '../errors.ts';
import { TokenRefresher, type TokenHolder } from '../oauth/refresh.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import type { Connection, ConnectionStore } from './connection-store.ts';
import { hubspotOAuthProvider } from './manifest.ts';

/** The refresher's key of the one HubSpot connection (its advisory lock, its in-process promise). */
const KEY = 'hubspot';

export interface TokenKeeperOptions {
  database: Database;
  store: ConnectionStore;
  log: Logger;
  /** Spokes' OAuth callback URL (the client's registered redirect URI). */
  redirectUrl(): string;
  /** Called after each successful refresh (e.g. to schedule the next one). */
  onRefreshed?(expiresAt: Date): Promise<void>;
  /** Called when the connection was just marked "needs re-authorization" (e.g. to pause jobs at once). */
  onNeedsReauthorization?(): Promise<void>;
  now?: () => number;
}

export interface ValidToken {
  accessToken: string;
  connection: Connection;
}

export class TokenKeeper {
  readonly #opts: TokenKeeperOptions;
  readonly #refresher: TokenRefresher<Connection>;

  constructor(opts: TokenKeeperOptions) {
    this.#opts = opts;
    this.#refresher = new TokenRefresher({ database: opts.database, log: opts.log, holder: holder(opts), now: opts.now });
  }

  /** Refresh-token requests sent by this process (tests and metrics). */
  get refreshCount(): number {
    return this.#refresher.refreshCount;
  }

  /**
   * A token valid for at least a few more minutes. `rejected` names a token HubSpot
   * just answered 401 to: it is refreshed even if it does not look expired.
   */
  async accessToken(opts: { rejected?: string } = {}): Promise<ValidToken> {
    if (opts.rejected !== undefined) {
      const { store } = this.#opts;
      const connection = await readConnection(store);
      if (connection.kind === 'private_app' && opts.rejected === connection.accessToken) {
        // Private-app tokens do not expire; a rejected one was revoked or rotated.
        await store.markNeedsReauthorization('HubSpot rejected the private-app access token (revoked or rotated). Paste the new token.');
        await this.#opts.onNeedsReauthorization?.().catch(() => {});
        throw needsReauthorization('HubSpot rejected the private-app access token.');
      }
    }
    // A private-app token has no expiry: the refresher hands it out as it is.
    const { accessToken, row } = await this.#refresher.accessToken(KEY, opts);
    return { accessToken, connection: row };
  }
}

function holder(opts: TokenKeeperOptions): TokenHolder<Connection> {
  const { store } = opts;
  const providers = new Map<string, OAuthProvider>();
  return {
    read: (_key, db) => readConnection(store, db),
    tokens: (c) => ({
      accessToken: c.accessToken,
      ...(c.refreshToken ? { refreshToken: c.refreshToken } : {}),
      ...(c.accessExpiresAt ? { expiresAt: c.accessExpiresAt.toISOString() } : {}),
    }),
    provider(c) {
      let provider = providers.get(c.baseUrl);
      if (!provider) providers.set(c.baseUrl, (provider = hubspotOAuthProvider(c.baseUrl)));
      return {
        provider,
        async client(db) {
          const app = await store.app(db);
          if (!app) throw needsReauthorization('the HubSpot app credentials are missing');
          return { ...app, redirectUri: opts.redirectUrl() };
        },
      };
    },
    async write(_key, c, tokens, db) {
      const next = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken!, accessExpiresAt: new Date(tokens.expiresAt!) };
      await store.saveTokens(db, next);
      return { ...c, ...next, status: 'connected', lastError: null };
    },
    async refused(_key, reason) {
      const lastError = `refreshing the HubSpot access token: ${reason}`;
      await store.markNeedsReauthorization(lastError);
      await opts.onNeedsReauthorization?.().catch(() => {});
      return needsReauthorization(lastError);
    },
    async refreshed(_key, c) {
      if (c.accessExpiresAt) await opts.onRefreshed?.(c.accessExpiresAt);
    },
  };
}

async function readConnection(store: ConnectionStore, db?: Db): Promise<Connection> {
  const connection = await store.connection(db);
  if (!connection) throw new NotConnectedError('HubSpot is not connected: connect it on the HubSpot page of the Spokes admin.');
  if (connection.status === 'needs_reauthorization') throw needsReauthorization(connection.lastError);
  return connection;
}

export function needsReauthorization(reason: string | null): AuthExpiredError {
  return new AuthExpiredError(`HubSpot needs re-authorization${reason ? `: ${reason}` : ''}. Reconnect it on the HubSpot page of the Spokes admin.`);
}
