/**
 * Access tokens of OAuth connections, refreshed ahead of expiry — one refresh
 * at a time across every process (as src/hubspot/tokens.ts does for HubSpot):
 * callers in a process share one promise per connection; processes take a
 * transaction-scoped advisory lock on the connection and re-read its row, so
 * whoever gets the lock second finds the fresh token. A refresh token the
 * provider rotated (RFC 6749 §6: the old one must then be discarded) is
 * written in that transaction, which commits before the new access token is
 * handed to anyone. A refused refresh marks the connection
 * `needs_reauthorization`; its connector's job gate closes, so its jobs wait
 * in the queue — paused, not dropped — until an admin reconnects.
 *
 * Connections keep their tokens under `credentials.oauth` (`oauthCredentials`).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { AuthExpiredError, SpokesError } from '../errors.ts';
import type { Connections, Connection } from '../connections/store.ts';
import { OAuthRefusedError, requestToken } from './token-client.ts';
import type { OAuthClient, OAuthProvider, OAuthTokenSet } from './provider.ts';

export const oauthTokenSet = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.iso.datetime().optional(),
  scope: z.string().optional(),
});

/** The credentials of an OAuth connection: `oauthCredentials.extend({ … })` adds a connector's own. */
export const oauthCredentials = z.object({ oauth: oauthTokenSet });

/** First half of the two-key advisory lock (the second is the connection id's hash): "oauth". */
const LOCK_NAMESPACE = 7_302_118;

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
  readonly #opts: OAuthTokensOptions;
  readonly #inflight = new Map<string, Promise<string>>();
  /** Refresh requests this process sent (tests). */
  refreshCount = 0;

  constructor(opts: OAuthTokensOptions) {
    this.#opts = opts;
  }

  /**
   * A valid access token of the connection. `rejected` names a token the remote just answered
   * 401 to: it is refreshed even if it does not look expired.
   */
  async accessToken(connectionId: string, opts: { rejected?: string } = {}): Promise<string> {
    const connection = await this.#open(connectionId);
    const tokens = tokensOf(connection);
    if (!this.#needsRefresh(connection.connector, tokens, opts.rejected)) return tokens.accessToken;
    let inflight = this.#inflight.get(connectionId);
    if (!inflight) {
      inflight = this.#refresh(connectionId, opts.rejected).finally(() => this.#inflight.delete(connectionId));
      this.#inflight.set(connectionId, inflight);
    }
    return inflight;
  }

  async #open(connectionId: string, db?: Db): Promise<Connection> {
    // Only the credentials are needed: settings that no longer validate do not stop a refresh.
    const connection = await this.#opts.connections.open(connectionId, { db, allowBrokenSettings: true });
    if (connection.state === 'needs_reauthorization') throw needsReauthorization(connection);
    return connection;
  }

  #needsRefresh(connector: string, tokens: OAuthTokenSet, rejected: string | undefined): boolean {
    if (rejected !== undefined && rejected === tokens.accessToken) return true;
    if (!tokens.expiresAt) return false;
    const ahead = (this.#provider(connector).provider.refreshAheadSeconds ?? 300) * 1000;
    return Date.parse(tokens.expiresAt) - (this.#opts.now?.() ?? Date.now()) < ahead;
  }

  #provider(connector: string) {
    const found = this.#opts.providerOf(connector);
    if (!found) throw new SpokesError('internal', `connector ${connector} has no OAuth provider in its manifest`);
    return found;
  }

  async #refresh(connectionId: string, rejected: string | undefined): Promise<string> {
    const { database, connections, log } = this.#opts;
    let refused: string | undefined;
    try {
      return await database.db.transaction(async (tx) => {
        const db = tx as unknown as Db;
        await db.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${connectionId}))`);
        const current = await this.#open(connectionId, db);
        const tokens = tokensOf(current);
        // Another process refreshed while we waited for the lock.
        if (!this.#needsRefresh(current.connector, tokens, rejected)) return tokens.accessToken;
        if (!tokens.refreshToken) {
          refused = 'the provider gave no refresh token and the access token has expired';
          throw new OAuthRefusedError('invalid_grant', refused);
        }
        const { provider, client } = this.#provider(current.connector);
        let fresh: OAuthTokenSet;
        try {
          fresh = await requestToken(provider, await client(), { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }, this.#opts.now?.());
        } catch (err) {
          if (err instanceof OAuthRefusedError) refused = err.message;
          throw err;
        }
        this.refreshCount++;
        // §6: a new refresh token replaces the old one, which the provider may already have revoked.
        const next: OAuthTokenSet = { ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken, scope: fresh.scope ?? tokens.scope };
        await connections.updateCredentials(connectionId, { ...(current.credentials as object), oauth: next }, db);
        log.info(
          { connectionId, expiresAt: next.expiresAt, rotated: fresh.refreshToken !== undefined && fresh.refreshToken !== tokens.refreshToken },
          'OAuth access token refreshed',
        );
        return next.accessToken;
      });
    } catch (err) {
      if (refused === undefined) throw err;
      const reason = `The provider refused to refresh the access token (${refused}). Reconnect to authorize Spokes again.`;
      await connections.setProblem(connectionId, 'needs_reauthorization', reason);
      await this.#opts.onRefused?.(connectionId).catch((e: Error) => log.warn({ err: e.message }, 'could not close the job gate'));
      log.warn({ connectionId, reason: refused }, 'OAuth refresh refused: the connection needs re-authorization');
      throw new AuthExpiredError(reason, err);
    }
  }
}

function tokensOf(connection: Connection): OAuthTokenSet {
  const parsed = oauthCredentials.safeParse(connection.credentials);
  if (!parsed.success) throw new SpokesError('internal', `connection ${connection.id} keeps no OAuth tokens under credentials.oauth`);
  return parsed.data.oauth;
}

function needsReauthorization(connection: Connection): AuthExpiredError {
  return new AuthExpiredError(connection.reason ?? `Connection ${connection.id} needs re-authorization: reconnect it in the Spokes admin.`);
}
