/**
 * Hands out a valid access token, refreshing it ahead of expiry. One refresh at
 * a time across every worker: in-process callers share one promise, processes
 * take a PostgreSQL advisory lock and re-read the row — whoever gets the lock
 * second finds a fresh token and uses it. A refresh token HubSpot rejects puts
 * the connection into "needs re-authorization".
 */
import { Client } from '@hubspot/api-client';
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { AuthExpiredError, NotConnectedError, RemoteRejectedError } from '../errors.ts';
import type { AppCredentials, Connection, ConnectionStore } from './connection-store.ts';
import { mapHubSpotError } from './errors.ts';
import { HUBSPOT } from './manifest.ts';

const REFRESH_LOCK_ID = 7_302_117_012;

export interface TokenKeeperOptions {
  database: Database;
  store: ConnectionStore;
  log: Logger;
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
  #inflight: Promise<ValidToken> | undefined;
  /** Refresh-token requests sent by this process (tests and metrics). */
  refreshCount = 0;

  constructor(opts: TokenKeeperOptions) {
    this.#opts = opts;
  }

  /**
   * A token valid for at least a few more minutes. `rejected` names a token HubSpot
   * just answered 401 to: it is refreshed even if it does not look expired.
   */
  async accessToken(opts: { rejected?: string } = {}): Promise<ValidToken> {
    const connection = await this.#opts.store.connection();
    if (!connection) throw new NotConnectedError('HubSpot is not connected: connect it on the HubSpot page of the Spokes admin.');
    if (connection.status === 'needs_reauthorization') throw needsReauthorization(connection.lastError);
    if (!this.#needsRefresh(connection, opts.rejected)) return { accessToken: connection.accessToken, connection };
    if (connection.kind === 'private_app') {
      // Private-app tokens do not expire; a rejected one was revoked or rotated.
      await this.#opts.store.markNeedsReauthorization('HubSpot rejected the private-app access token (revoked or rotated). Paste the new token.');
      await this.#opts.onNeedsReauthorization?.().catch(() => {});
      throw needsReauthorization('HubSpot rejected the private-app access token.');
    }
    this.#inflight ??= this.#refresh(opts.rejected).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  #needsRefresh(c: Connection, rejected: string | undefined): boolean {
    if (rejected !== undefined && rejected === c.accessToken) return true;
    if (!c.accessExpiresAt) return false;
    return c.accessExpiresAt.getTime() - (this.#opts.now?.() ?? Date.now()) < HUBSPOT.refreshAheadSeconds * 1000;
  }

  async #refresh(rejected: string | undefined): Promise<ValidToken> {
    const { database, store, log } = this.#opts;
    let refused: string | undefined;
    const result = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK_ID})`);
        const current = await store.connection(tx as unknown as Db);
        if (!current) throw new NotConnectedError('HubSpot is not connected.');
        if (current.status === 'needs_reauthorization') throw needsReauthorization(current.lastError);
        // Another process refreshed while we waited for the lock.
        if (!this.#needsRefresh(current, rejected)) return { accessToken: current.accessToken, connection: current };
        const app = await store.app(tx as unknown as Db);
        if (!app || !current.refreshToken) throw needsReauthorization('the HubSpot app credentials or the refresh token are missing');
        try {
          const tokens = await requestRefresh(current.baseUrl, app, current.refreshToken);
          this.refreshCount++;
          const accessExpiresAt = new Date((this.#opts.now?.() ?? Date.now()) + tokens.expiresIn * 1000);
          await store.saveTokens(tx as unknown as Db, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, accessExpiresAt });
          log.info({ portalId: current.portalId, expiresAt: accessExpiresAt.toISOString() }, 'HubSpot access token refreshed');
          return {
            accessToken: tokens.accessToken,
            connection: { ...current, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, accessExpiresAt },
          };
        } catch (err) {
          const mapped = mapHubSpotError(err, 'refreshing the HubSpot access token');
          // A definite "no" (400 BAD_REFRESH_TOKEN, a revoked app, a wrong client secret) will not heal by itself.
          if (mapped instanceof RemoteRejectedError || mapped instanceof AuthExpiredError) refused = mapped.message;
          throw mapped;
        }
      })
      .catch(async (err) => {
        if (refused) {
          await store.markNeedsReauthorization(refused);
          await this.#opts.onNeedsReauthorization?.().catch(() => {});
          log.warn({ reason: refused }, 'HubSpot refused the refresh token: the connection needs re-authorization');
          throw needsReauthorization(refused);
        }
        throw err;
      });
    await this.#opts
      .onRefreshed?.(result.connection.accessExpiresAt!)
      .catch((err) => log.warn({ err: (err as Error).message }, 'could not schedule the next token refresh'));
    return result;
  }
}

/** `POST /oauth/v1/token` with `grant_type=refresh_token`, through the official client. */
export async function requestRefresh(
  baseUrl: string,
  app: AppCredentials,
  refreshToken: string,
): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
  const client = new Client({ basePath: baseUrl, numberOfApiCallRetries: 0 });
  const r = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, app.clientId, app.clientSecret, refreshToken);
  return { accessToken: r.accessToken, refreshToken: r.refreshToken ?? refreshToken, expiresIn: r.expiresIn };
}

export function needsReauthorization(reason: string | null): AuthExpiredError {
  return new AuthExpiredError(`HubSpot needs re-authorization${reason ? `: ${reason}` : ''}. Reconnect it on the HubSpot page of the Spokes admin.`);
}
