/**
 * Access tokens of connectors' OAuth connections (rows of `connections`,
 * tokens sealed under `credentials.oauth`), refreshed by `TokenRefresher`
 * (refresh.ts: single-flight across processes, a rotated refresh token
 * persisted before use). A refused refresh marks the connection
 * `needs_reauthorization`; its connector's job gate closes, so its jobs wait
 * in the queue — paused, not dropped — until an admin reconnects.
 */
import { z } from 'zod';
import type { Database, Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { AuthExpiredError, SpokesError } from '../errors.ts';
import type { Connections, Connection } from '../connections/store.ts';
import { TokenRefresher, type TokenHolder } from './refresh.ts';
import type { OAuthClient, OAuthProvider, OAuthTokenSet } from './provider.ts';

export const oauthTokenSet = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.iso.datetime().optional(),
  scope: z.string().optional(),
});

/** The credentials of an OAuth connection: `oauthCredentials.extend({ … })` adds a connector's own. */
export const oauthCredentials = z.object({ oauth: oauthTokenSet });

export interface OAuthTokensOptions {
  database: Database;
  connections: Connections;
  log: Logger;
  /** The provider facts and client of a connector (its manifest's `oauth` and its app credentials). */
  providerOf(connector: string): { provider: OAuthProvider; client(): Promise<OAuthClient> } | undefined;
  /** A connection was just marked needs-re-authorization: close its job gate now, not at the next check. */
  onRefused?(connectionId: string): Promise<void>;
  now?: () => number;
}

export class OAuthTokens {
  readonly #refresher: TokenRefresher<Connection>;

  constructor(opts: OAuthTokensOptions) {
    this.#refresher = new TokenRefresher({ database: opts.database, log: opts.log, holder: connectionsHolder(opts), now: opts.now });
  }

  /** Refresh requests this process sent (tests). */
  get refreshCount(): number {
    return this.#refresher.refreshCount;
  }

  /**
   * A valid access token of the connection. `rejected` names a token the remote just answered
   * 401 to: it is refreshed even if it does not look expired.
   */
  async accessToken(connectionId: string, opts: { rejected?: string } = {}): Promise<string> {
    return (await this.#refresher.accessToken(connectionId, opts)).accessToken;
  }
}

function connectionsHolder(opts: OAuthTokensOptions): TokenHolder<Connection> {
  const { connections, log } = opts;
  return {
    async read(id: string, db?: Db) {
      // Only the credentials are needed: settings that no longer validate do not stop a refresh.
      const connection = await connections.open(id, { db, allowBrokenSettings: true });
      if (connection.state === 'needs_reauthorization') {
        throw new AuthExpiredError(connection.reason ?? `Connection ${connection.id} needs re-authorization: reconnect it in the Spokes admin.`);
      }
      return connection;
    },
    tokens: tokensOf,
    provider(connection) {
      const found = opts.providerOf(connection.connector);
      if (!found) throw new SpokesError('internal', `connector ${connection.connector} has no OAuth provider in its manifest`);
      return found;
    },
    async write(id, connection, tokens, db) {
      const credentials = { ...(connection.credentials as object), oauth: tokens };
      await connections.updateCredentials(id, credentials, db);
      return { ...connection, credentials };
    },
    async refused(id, refused, cause) {
      const reason = `The provider refused to refresh the access token (${refused}). Reconnect to authorize Spokes again.`;
      await connections.setProblem(id, 'needs_reauthorization', reason);
      await opts.onRefused?.(id).catch((e: Error) => log.warn({ err: e.message }, 'could not close the job gate'));
      return new AuthExpiredError(reason, cause);
    },
  };
}

function tokensOf(connection: Connection): OAuthTokenSet {
  const parsed = oauthCredentials.safeParse(connection.credentials);
  if (!parsed.success) throw new SpokesError('internal', `connection ${connection.id} keeps no OAuth tokens under credentials.oauth`);
  return parsed.data.oauth;
}
