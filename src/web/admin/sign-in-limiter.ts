/**
 * At most 5 sign-in attempts per client IP per minute. Counted in memory: only
 * the one `spokes start` process serves HTTP. The IP is the socket's address
 * (`trustProxy` is off), so behind a reverse proxy every admin shares one budget —
 * a slower brute force, not a lock-out, since a correct password resets it.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export const SIGN_IN_ATTEMPTS = 5;
export const SIGN_IN_WINDOW_SECONDS = 60;

export class SignInLimiter {
  readonly #limiter = new RateLimiterMemory({ points: SIGN_IN_ATTEMPTS, duration: SIGN_IN_WINDOW_SECONDS });

  /**
   * Takes one attempt from the client's budget before the password is checked, so
   * parallel guesses cannot all slip in. Returns the seconds to wait when none is left.
   */
  async take(ip: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
    try {
      await this.#limiter.consume(ip);
      return { ok: true };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
  }

  /** A correct password clears the client's failed attempts. */
  async succeeded(ip: string): Promise<void> {
    await this.#limiter.delete(ip);
  }
}
