/**
 * 10 requests per second per API key (reference §A.6, from two independent public
 * clients; UNCONFIRMED officially): a rolling one-second window on the emulator clock.
 * A refused request does not count (UNCONFIRMED). `retry_after` is the whole seconds
 * until the oldest counted request leaves the window (so 1 for a one-second window).
 */
const WINDOW_MS = 1_000;

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  refused = 0;

  /** Undefined when the request may proceed (and is counted), else `retry_after` in seconds. */
  take(key: string, now: number, perSecond: number): number | undefined {
    if (perSecond <= 0) return undefined;
    let list = this.hits.get(key);
    if (!list) this.hits.set(key, (list = []));
    let drop = 0;
    while (drop < list.length && list[drop] <= now - WINDOW_MS) drop++;
    if (drop) list.splice(0, drop);
    if (list.length >= perSecond) {
      this.refused++;
      return Math.max(1, Math.ceil((list[0] + WINDOW_MS - now) / 1000));
    }
    list.push(now);
    return undefined;
  }

  reset(): void {
    this.hits.clear();
    this.refused = 0;
  }
}
