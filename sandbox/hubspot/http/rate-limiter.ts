/**
 * HubSpot's rate limits (reference §8):
 * - OAuth apps: `tenSecondly` requests per app per installed portal, rolling 10 s;
 * - private-app tokens: `privateAppTenSecondly` per 10 s plus a daily cap, with Daily headers;
 * - search: `searchPerSecond` per portal in its own bucket, and no rate-limit headers.
 * Refused requests do not consume the window. Windows follow the emulator clock.
 */
import { rateLimitError } from '../errors.ts';
import { RATE_LIMIT_HEADERS, RATE_LIMIT_MESSAGES, type SandboxLimits } from '../manifest.ts';
import type { AuthInfo } from './auth.ts';

const TEN_SECONDS = 10_000;

class RollingWindow {
  private readonly hits: number[] = [];
  private readonly spanMs: number;

  constructor(spanMs: number) {
    this.spanMs = spanMs;
  }

  count(now: number): number {
    while (this.hits.length > 0 && this.hits[0] <= now - this.spanMs) this.hits.shift();
    return this.hits.length;
  }

  add(now: number): void {
    this.hits.push(now);
  }
}

export class RateLimiter {
  private readonly windows = new Map<string, RollingWindow>();
  private readonly daily = new Map<number, { day: string; used: number }>();
  rateLimitedCount = 0;

  private readonly limits: () => SandboxLimits;
  private readonly now: () => number;

  constructor(limits: () => SandboxLimits, now: () => number) {
    this.limits = limits;
    this.now = now;
  }

  /** Counts a non-search API call; returns the headers to send or throws the 429. */
  checkGeneral(auth: AuthInfo): Record<string, string> {
    const limits = this.limits();
    const now = this.now();
    const isPrivate = auth.kind === 'private';
    const max = isPrivate ? limits.privateAppTenSecondly : limits.tenSecondly;
    const key = isPrivate ? `pat:${auth.portal.portalId}` : `app:${auth.appId}:${auth.portal.portalId}`;
    const window = this.window(key, TEN_SECONDS);
    const used = window.count(now);
    const headers: Record<string, string> = {
      [RATE_LIMIT_HEADERS.interval]: String(TEN_SECONDS),
      [RATE_LIMIT_HEADERS.max]: String(max),
      [RATE_LIMIT_HEADERS.remaining]: String(Math.max(0, max - used - 1)),
    };
    if (isPrivate) {
      const day = this.dailyUsage(auth.portal.portalId, now);
      if (day.used >= limits.daily) {
        this.rateLimitedCount++;
        throw rateLimitError('DAILY', RATE_LIMIT_MESSAGES.DAILY, undefined, {
          ...headers,
          [RATE_LIMIT_HEADERS.remaining]: String(Math.max(0, max - used)),
          [RATE_LIMIT_HEADERS.daily]: String(limits.daily),
          [RATE_LIMIT_HEADERS.dailyRemaining]: '0',
        });
      }
      headers[RATE_LIMIT_HEADERS.daily] = String(limits.daily);
      headers[RATE_LIMIT_HEADERS.dailyRemaining] = String(Math.max(0, limits.daily - day.used - 1));
    }
    if (used >= max) {
      this.rateLimitedCount++;
      // Observed groupName shapes: `publicapi:private_app-api-calls-ten-secondly:<app>:<portal>` (§8).
      const groupName = isPrivate
        ? `publicapi:private_app-api-calls-ten-secondly:${auth.portal.portalId}`
        : `publicapi:oauth-app-api-calls-ten-secondly:${auth.appId}:${auth.portal.portalId}`;
      const refusal: Record<string, string> = { ...headers, [RATE_LIMIT_HEADERS.remaining]: '0' };
      if (isPrivate) refusal[RATE_LIMIT_HEADERS.dailyRemaining] = String(Math.max(0, limits.daily - this.dailyUsage(auth.portal.portalId, now).used));
      throw rateLimitError('TEN_SECONDLY_ROLLING', RATE_LIMIT_MESSAGES.TEN_SECONDLY_ROLLING, groupName, refusal);
    }
    window.add(now);
    if (isPrivate) this.dailyUsage(auth.portal.portalId, now).used++;
    return headers;
  }

  /** Counts a search call in the portal's per-second bucket (private apps also spend daily quota). */
  checkSearch(auth: AuthInfo): void {
    const limits = this.limits();
    const now = this.now();
    const window = this.window(`search:${auth.portal.portalId}`, 1000);
    if (window.count(now) >= limits.searchPerSecond) {
      this.rateLimitedCount++;
      throw rateLimitError('SECONDLY', RATE_LIMIT_MESSAGES.SECONDLY, undefined);
    }
    if (auth.kind === 'private') {
      const day = this.dailyUsage(auth.portal.portalId, now);
      if (day.used >= limits.daily) {
        this.rateLimitedCount++;
        throw rateLimitError('DAILY', RATE_LIMIT_MESSAGES.DAILY, undefined);
      }
      day.used++;
    }
    window.add(now);
  }

  reset(): void {
    this.windows.clear();
    this.daily.clear();
    this.rateLimitedCount = 0;
  }

  private window(key: string, span: number): RollingWindow {
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = new RollingWindow(span)));
    return window;
  }

  /** The daily budget resets at midnight UTC (HubSpot: the account's time zone; docs/sandbox/hubspot.md). */
  private dailyUsage(portalId: number, now: number): { day: string; used: number } {
    const day = new Date(now).toISOString().slice(0, 10);
    let usage = this.daily.get(portalId);
    if (!usage || usage.day !== day) this.daily.set(portalId, (usage = { day, used: 0 }));
    return usage;
  }
}
