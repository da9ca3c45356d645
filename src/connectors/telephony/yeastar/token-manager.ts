/**
 * One access token per PBX and credential pair, shared by everything in this
 * process that talks to that PBX. Yeastar allows at most 8 valid access tokens
 * per client (the 9th get_token fails until one expires, up to 30 min later),
 * so tokens are never fetched per request:
 *  - get_token once; renew at ~25 of 30 minutes with refresh_token, falling
 *    back to get_token when the refresh is refused;
 *  - single-flight: concurrent callers share one renewal;
 *  - listeners hear of every new token (the WebSocket must reconnect with it);
 *  - del_token when the last user releases the manager;
 *  - a rejected login is never retried by itself (login-guard.ts).
 */
import { RemoteRateLimitedError, RemoteUnavailableError, type SpokesError } from '../../../errors.ts';
import { errcodeOf, envelopeOf } from './api-errors.ts';
import { parseBody, type TokenSource, type YeastarHttp } from './client.ts';
import { assertLoginAllowed, credentialKey, recordIpBlocked, recordRejectedLogin, recordSuccessfulLogin, wrongCredentialsError } from './login-guard.ts';
import { yeastarManifest as M } from './manifest.ts';
import { apiTokenSchema, type ApiToken } from './wire.ts';

/** Tokens as a caller may persist them (encrypted) so that a restarted process reuses its token. */
export interface CachedYeastarTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  accessExpiresAt: number;
  refreshExpiresAt: number;
}

/** Optional persistence: a process that crashes and restarts reuses its token instead of taking another of the 8. */
export interface YeastarTokenCache {
  load(): Promise<CachedYeastarTokens | undefined>;
  save(tokens: CachedYeastarTokens | undefined): Promise<void>;
}

interface TokenState extends CachedYeastarTokens {
  /** When to renew: shortly before `accessExpiresAt`. */
  renewAt: number;
}

/** Renew 5 minutes before expiry, or after 5/6 of a shorter lifetime. */
function renewAtFor(now: number, ttlMs: number): number {
  return now + ttlMs - Math.min(M.tokens.renewBeforeExpirySec * 1000, ttlMs / 6);
}

export class YeastarTokenManager implements TokenSource {
  readonly #http: YeastarHttp;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #key: string;
  readonly #cache?: YeastarTokenCache;
  #state?: TokenState;
  #stale = false;
  #inflight?: Promise<TokenState>;
  #rejected?: SpokesError;
  #timer?: NodeJS.Timeout;
  #cacheLoaded = false;
  #disposed = false;
  readonly #listeners = new Set<(token: string) => void>();

  constructor(opts: { http: YeastarHttp; clientId: string; clientSecret: string; cache?: YeastarTokenCache }) {
    this.#http = opts.http;
    this.#clientId = opts.clientId;
    this.#clientSecret = opts.clientSecret;
    this.#key = credentialKey(opts.clientId, opts.clientSecret);
    this.#cache = opts.cache;
  }

  /** A valid access token, fetching or renewing one if needed. */
  async getToken(): Promise<string> {
    if (this.#inflight) return (await this.#inflight).accessToken;
    if (this.#rejected) throw this.#rejected;
    if (!this.#state && !this.#cacheLoaded) await this.#loadCache();
    const s = this.#state;
    if (s && !this.#stale && Date.now() < s.renewAt) return s.accessToken;
    return (await this.#renew()).accessToken;
  }

  /** The PBX refused `token` before its time (10004): the next caller renews. Stale tokens are ignored. */
  invalidate(token: string): void {
    if (this.#state?.accessToken === token) this.#stale = true;
  }

  /** Called with every new access token (after a login or a refresh). Returns an unsubscribe function. */
  onRenewed(listener: (token: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Gives the token back to the PBX (del_token), so restarts never pile up towards the cap of 8. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
    await this.#inflight?.catch(() => undefined);
    const s = this.#state;
    this.#state = undefined;
    if (!s || s.accessExpiresAt <= Date.now()) return;
    try {
      await this.#http.request('GET', M.paths.delToken, { token: s.accessToken });
      this.#http.log.info('yeastar access token revoked');
      await this.#cache?.save(undefined);
    } catch (err) {
      // Best effort: the token expires by itself within 30 minutes.
      this.#http.log.warn({ err: (err as Error).message }, 'yeastar del_token failed');
    }
  }

  async #loadCache(): Promise<void> {
    this.#cacheLoaded = true;
    const cached = await this.#cache?.load();
    const now = Date.now();
    if (!cached || cached.refreshExpiresAt <= now) return;
    this.#state = { ...cached, renewAt: renewAtFor(now, Math.max(0, cached.accessExpiresAt - now)) };
    this.#schedule();
  }

  #renew(): Promise<TokenState> {
    this.#inflight ??= this.#doRenew().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #doRenew(): Promise<TokenState> {
    const s = this.#state;
    if (s && s.refreshExpiresAt - 60_000 > Date.now()) {
      try {
        const body = await this.#http.request('POST', M.paths.refreshToken, { body: { refresh_token: s.refreshToken } });
        return await this.#adopt(parseBody(this.#http.host, M.paths.refreshToken, apiTokenSchema, body), 'refreshed');
      } catch (err) {
        // The network is down: signing in would fail too; the caller retries later.
        if (err instanceof RemoteUnavailableError) throw err;
        this.#http.log.warn({ errcode: errcodeOf(err) }, 'yeastar refresh_token refused; signing in again');
      }
    }
    return this.#login();
  }

  async #login(): Promise<TokenState> {
    const { origin, host } = this.#http;
    assertLoginAllowed(origin, host, this.#key);
    let body: Record<string, unknown>;
    try {
      body = await this.#http.request('POST', M.paths.getToken, { body: { username: this.#clientId, password: this.#clientSecret } });
    } catch (err) {
      const code = errcodeOf(err);
      if (code === M.errcodes.failure) {
        recordRejectedLogin(origin, this.#key);
        this.#clear();
        this.#rejected = wrongCredentialsError(host, envelopeOf(err));
        this.#http.log.error('yeastar refused the Client ID / Client Secret; not retrying');
        throw this.#rejected;
      }
      if (code === M.errcodes.accountIpBlocked) {
        const until = Number(envelopeOf(err)?.body.block_expire_time);
        recordIpBlocked(origin, Number.isFinite(until) && until > 0 ? until * 1000 : undefined);
      }
      if (code === M.errcodes.maxLimitationExceeded) {
        throw new RemoteRateLimitedError(
          `The PBX at ${host} already has ${M.tokens.maxValidTokens} valid API tokens for this Client ID (another application, ` +
            'or Spokes processes that stopped without signing out). One frees up within 30 minutes.',
          M.tokens.accessTtlSec * 1000,
          envelopeOf(err),
        );
      }
      throw err;
    }
    recordSuccessfulLogin(origin);
    return this.#adopt(parseBody(host, M.paths.getToken, apiTokenSchema, body), 'issued');
  }

  async #adopt(token: ApiToken, how: 'issued' | 'refreshed'): Promise<TokenState> {
    const now = Date.now();
    const accessTtl = token.access_token_expire_time * 1000;
    const state: TokenState = {
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessExpiresAt: now + accessTtl,
      refreshExpiresAt: now + token.refresh_token_expire_time * 1000,
      renewAt: renewAtFor(now, accessTtl),
    };
    if (this.#disposed) {
      // Disposed while this request was on its way: give the new token straight back.
      await this.#http.request('GET', M.paths.delToken, { token: state.accessToken }).catch(() => undefined);
      throw new RemoteUnavailableError(`Yeastar PBX ${this.#http.host}: the connection was closed`);
    }
    this.#state = state;
    this.#stale = false;
    this.#http.log.info({ expiresAt: new Date(state.accessExpiresAt).toISOString() }, `yeastar access token ${how}`);
    this.#schedule();
    await this.#cache?.save({
      accessToken: state.accessToken,
      refreshToken: state.refreshToken,
      accessExpiresAt: state.accessExpiresAt,
      refreshExpiresAt: state.refreshExpiresAt,
    });
    for (const listener of this.#listeners) listener(state.accessToken);
    return state;
  }

  /** Renews ahead of expiry so that the WebSocket can move to the new token while the old one still works. */
  #schedule(retryInMs?: number): void {
    clearTimeout(this.#timer);
    const s = this.#state;
    if (!s || this.#disposed) return;
    const delay = retryInMs ?? Math.max(0, s.renewAt - Date.now());
    this.#timer = setTimeout(() => {
      this.#renew().catch((err: Error) => {
        this.#http.log.warn({ err: err.message }, 'yeastar scheduled token renewal failed');
        if (!this.#rejected && this.#state) this.#schedule(Math.min(30_000, Math.max(1_000, (this.#state.accessExpiresAt - Date.now()) / 4)));
      });
    }, delay);
    this.#timer.unref();
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#state = undefined;
  }
}

// ---- one manager per PBX and credential pair in this process ----

interface SharedManager {
  manager: YeastarTokenManager;
  users: number;
}

const shared = new Map<string, SharedManager>();

/**
 * The process-wide manager for this PBX and credential pair (created on first
 * use). `release()` when done; the last release revokes the token.
 */
export function acquireTokenManager(opts: { http: YeastarHttp; clientId: string; clientSecret: string; cache?: YeastarTokenCache }): {
  manager: YeastarTokenManager;
  release: () => Promise<void>;
} {
  // The address policy is part of the key: a manager's requests go through the policy it was made with.
  const key = `${opts.http.origin}|${opts.http.addresses.spec}|${credentialKey(opts.clientId, opts.clientSecret)}`;
  let entry = shared.get(key);
  if (!entry) {
    entry = { manager: new YeastarTokenManager(opts), users: 0 };
    shared.set(key, entry);
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    manager: held.manager,
    release: async () => {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users > 0) return;
      if (shared.get(key) === held) shared.delete(key);
      await held.manager.dispose();
    },
  };
}
