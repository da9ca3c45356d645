/**
 * The refresh of OAuth access tokens, the same for every kind of connection
 * (a connector's connections in `connections`, HubSpot's own connection):
 * ahead of expiry, or when the remote just refused the token; one refresh at a
 * time across every process. Callers in a process share one promise per
 * connection; processes take a transaction-scoped advisory lock on it and
 * re-read its row, so whoever gets the lock second finds the fresh token. A
 * refresh token the provider rotated (RFC 6749 §6: the old one must then be
 * discarded) is written in that transaction, which commits before the new
 * access token is handed to anyone. A refused refresh is handed to the
 * holder, which marks the connection `needs_reauthorization` (and closes its
 * job gate, so its jobs wait, paused, not dropped).
 *
 * Where the tokens live is the holder's business (`TokenHolder`).
 */
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { OAuthRefusedError, requestToken } from './token-client.ts';
import type { OAuthClient, OAuthProvider, OAuthTokenSet } from './provider.ts';

/** Where a kind of OAuth connection keeps its tokens. `R` is its row as the holder reads it. */
export interface TokenHolder<R> {
  /** The connection's row (inside the refresh's transaction when `db` is given); throws when it cannot be used. */
  read(id: string, db?: Db): Promise<R>;
  tokens(row: R): OAuthTokenSet;
  /**
   * The provider's facts and Spokes' client at it. `client` is asked inside the refresh's
   * transaction and must read through `db` (PGlite has one connection: a read beside it waits forever).
   */
  provider(row: R): { provider: OAuthProvider; client(db: Db): Promise<OAuthClient> };
  /** Stores refreshed tokens in the refresh's transaction; returns the row as it now is. */
  write(id: string, row: R, tokens: OAuthTokenSet, db: Db): Promise<R>;
  /** The provider refused the refresh (`reason`): marks the connection, returns the error its callers get. */
  refused(id: string, reason: string, cause: unknown): Promise<Error>;
  /** After a refresh committed (e.g. to schedule the next one). */
  refreshed?(id: string, row: R): Promise<void>;
}

export interface ValidToken<R> {
  accessToken: string;
  row: R;
}

/** First half of the two-key advisory lock (the second is the connection id's hash): "oauth". */
const LOCK_NAMESPACE = 7_302_118;
const DEFAULT_REFRESH_AHEAD_SECONDS = 300;

export class TokenRefresher<R> {
  readonly #opts: { database: Database; log: Logger; holder: TokenHolder<R>; now?: () => number };
  readonly #inflight = new Map<string, Promise<ValidToken<R>>>();
  /** Refresh requests this process sent (tests). */
  refreshCount = 0;

  constructor(opts: { database: Database; log: Logger; holder: TokenHolder<R>; now?: () => number }) {
    this.#opts = opts;
  }

  /**
   * A valid access token of the connection and its row. `rejected` names a token the remote just
   * answered 401 to: it is refreshed even if it does not look expired.
   */
  async accessToken(id: string, opts: { rejected?: string } = {}): Promise<ValidToken<R>> {
    const row = await this.#opts.holder.read(id);
    if (!this.needsRefresh(row, opts.rejected)) return { accessToken: this.#opts.holder.tokens(row).accessToken, row };
    let inflight = this.#inflight.get(id);
    if (!inflight) {
      inflight = this.#refresh(id, opts.rejected).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, inflight);
    }
    return inflight;
  }

  needsRefresh(row: R, rejected: string | undefined): boolean {
    const { holder, now } = this.#opts;
    const tokens = holder.tokens(row);
    if (rejected !== undefined && rejected === tokens.accessToken) return true;
    if (!tokens.expiresAt) return false;
    const ahead = (holder.provider(row).provider.refreshAheadSeconds ?? DEFAULT_REFRESH_AHEAD_SECONDS) * 1000;
    return Date.parse(tokens.expiresAt) - (now?.() ?? Date.now()) < ahead;
  }

  async #refresh(id: string, rejected: string | undefined): Promise<ValidToken<R>> {
    const { database, holder, log } = this.#opts;
    let refused: string | undefined;
    let result: ValidToken<R>;
    try {
      result = await database.db.transaction(async (tx) => {
        const db = tx as unknown as Db;
        await db.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${id}))`);
        const current = await holder.read(id, db);
        const tokens = holder.tokens(current);
        // Another process refreshed while we waited for the lock.
        if (!this.needsRefresh(current, rejected)) return { accessToken: tokens.accessToken, row: current };
        if (!tokens.refreshToken) {
          refused = 'the provider gave no refresh token and the access token has expired';
          throw new OAuthRefusedError('invalid_grant', refused);
        }
        const { provider, client } = holder.provider(current);
        let fresh: OAuthTokenSet;
        try {
          fresh = await requestToken(provider, await client(db), { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }, this.#opts.now?.());
        } catch (err) {
          if (err instanceof OAuthRefusedError) refused = err.message;
          throw err;
        }
        this.refreshCount++;
        // §6: a new refresh token replaces the old one, which the provider may already have revoked.
        const next: OAuthTokenSet = { ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken, scope: fresh.scope ?? tokens.scope };
        const row = await holder.write(id, current, next, db);
        log.info(
          { connectionId: id, expiresAt: next.expiresAt, rotated: fresh.refreshToken !== undefined && fresh.refreshToken !== tokens.refreshToken },
          'OAuth access token refreshed',
        );
        return { accessToken: next.accessToken, row };
      });
    } catch (err) {
      if (refused === undefined) throw err;
      log.warn({ connectionId: id, reason: refused }, 'OAuth refresh refused: the connection needs re-authorization');
      throw await holder.refused(id, refused, err);
    }
    await holder.refreshed?.(id, result.row).catch((err: Error) => log.warn({ err: err.message }, 'could not schedule the next token refresh'));
    return result;
  }
}
