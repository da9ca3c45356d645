import { ERR, YeastarApiError } from './errcodes.ts';
import { randomKey, type YeastarLimits } from './options.ts';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  revoked: boolean;
}

/**
 * Access tokens, refresh tokens and the failed-login IP block of one API client
 * (pbx-apis.md §1.2):
 *  - access tokens live 30 min, refresh tokens 24 h;
 *  - at most 8 valid access tokens at once — the 9th get_token answers 60002
 *    MAX LIMITATION EXCEEDED ("wait for a token to expire or revoke one": Yeastar
 *    "Get Access Token" restriction; errcode seen in public clients [3P]);
 *  - 5 failed authentications block the caller's IP (70004 ACCOUNT IP BLOCKED)
 *    until it expires or an admin removes it (Security > Blocked IPs).
 * A refresh issues a new pair and retires the pair it came from [U: the docs
 * do not say whether the old access token survives a refresh].
 */
export class TokenStore {
  private pairs: TokenPair[] = [];
  private failures = new Map<string, number>();
  private blocked = new Map<string, number>();
  private readonly limits: YeastarLimits;
  /** Called with each access token that stops being valid before its time (refresh, del_token, expireAll). */
  onRetire: (accessToken: string) => void = () => {};

  constructor(limits: YeastarLimits) {
    this.limits = limits;
  }

  reset(): void {
    this.pairs = [];
    this.failures.clear();
    this.blocked.clear();
  }

  private validPairs(now = Date.now()): TokenPair[] {
    return this.pairs.filter((p) => !p.revoked && p.accessExpiresAt > now);
  }

  validAccessTokenCount(): number {
    return this.validPairs().length;
  }

  /** get_token: checks the block, the credentials, then the token cap. */
  issue(ip: string, credentialsOk: boolean): TokenPair {
    this.assertNotBlocked(ip);
    if (!credentialsOk) {
      const n = (this.failures.get(ip) ?? 0) + 1;
      this.failures.set(ip, n);
      if (n >= this.limits.maxFailedLogins) {
        this.blocked.set(ip, Date.now() + this.limits.ipBlockSec * 1000);
        this.failures.delete(ip);
      }
      // [C-resp] The documented answer to a wrong Client ID / Secret.
      throw new YeastarApiError(ERR.FAILURE, { invalid_param_list: [{ field: 'username or password', value: 'error' }] });
    }
    this.failures.delete(ip);
    if (this.validPairs().length >= this.limits.maxAccessTokens) throw new YeastarApiError(ERR.MAX_LIMITATION_EXCEEDED);
    return this.create();
  }

  refresh(refreshToken: string): TokenPair {
    const now = Date.now();
    const pair = this.pairs.find((p) => p.refreshToken === refreshToken && !p.revoked && p.refreshExpiresAt > now);
    if (!pair) throw new YeastarApiError(ERR.TOKEN_EXPIRED);
    pair.revoked = true;
    this.onRetire(pair.accessToken);
    return this.create();
  }

  private create(): TokenPair {
    const now = Date.now();
    // Prune long-dead pairs so a long-running sandbox does not grow without bound.
    this.pairs = this.pairs.filter((p) => p.refreshExpiresAt > now && !(p.revoked && p.accessExpiresAt < now));
    const pair: TokenPair = {
      accessToken: randomKey(),
      refreshToken: randomKey(),
      accessExpiresAt: now + this.limits.accessTokenTtlSec * 1000,
      refreshExpiresAt: now + this.limits.refreshTokenTtlSec * 1000,
      revoked: false,
    };
    this.pairs.push(pair);
    return pair;
  }

  isValid(accessToken: string | undefined): boolean {
    return this.expiresAt(accessToken) !== undefined;
  }

  /** Epoch ms at which a valid access token expires; undefined when it is not valid. */
  expiresAt(accessToken: string | undefined): number | undefined {
    if (!accessToken) return undefined;
    return this.validPairs().find((p) => p.accessToken === accessToken)?.accessExpiresAt;
  }

  /** del_token. Revoking an unknown token is answered like any bad token (10004). */
  revoke(accessToken: string): void {
    const pair = this.validPairs().find((p) => p.accessToken === accessToken);
    if (!pair) throw new YeastarApiError(ERR.TOKEN_EXPIRED);
    pair.revoked = true;
    this.onRetire(pair.accessToken);
  }

  /** Sandbox control: make every access token (and optionally refresh token) expire now. */
  expireAll(includeRefresh: boolean): void {
    const past = Date.now() - 1;
    for (const p of this.pairs) {
      if (p.accessExpiresAt > past && !p.revoked) this.onRetire(p.accessToken);
      p.accessExpiresAt = Math.min(p.accessExpiresAt, past);
      if (includeRefresh) p.refreshExpiresAt = Math.min(p.refreshExpiresAt, past);
    }
  }

  assertNotBlocked(ip: string): void {
    const until = this.blocked.get(ip);
    if (until === undefined) return;
    if (until <= Date.now()) {
      this.blocked.delete(ip);
      return;
    }
    // block_expire_time is carried by public clients' error logs [3P]; its unit is not
    // documented, so the emulator gives Unix seconds [U].
    throw new YeastarApiError(ERR.ACCOUNT_IP_BLOCKED, { block_expire_time: Math.ceil(until / 1000) });
  }

  blockedIps(): { ip: string; until: string }[] {
    const now = Date.now();
    return [...this.blocked].filter(([, until]) => until > now).map(([ip, until]) => ({ ip, until: new Date(until).toISOString() }));
  }

  /** Security > Blocked IPs > remove. No `ip` removes every block. */
  unblock(ip?: string): void {
    if (ip === undefined) {
      this.blocked.clear();
      this.failures.clear();
    } else {
      this.blocked.delete(ip);
      this.failures.delete(ip);
    }
  }
}
