/**
 * Two limits on admin sign-in, each taken before the password is checked (so
 * parallel guesses cannot all slip in):
 *
 * - Per client address: 5 attempts a minute, in memory. The address is the
 *   socket's (`trustProxy` is off), so behind a reverse proxy every admin shares
 *   one budget — a slower brute force, not a lock-out.
 * - Per account (the login: `admin` or an e-mail address, known or not), in the
 *   database, so that it holds across client addresses (ten addresses used to get
 *   fifty guesses a minute), serving processes and restarts: after 5 failures in a
 *   row the account is locked for 30 s, doubling with each further failure up to
 *   15 minutes. The lock always expires, so the rightful owner is never locked out
 *   for good; a correct password once it has passed clears the count, and so does
 *   setting a new password with SPOKES_ADMIN_PASSWORD.
 */
import { eq } from 'drizzle-orm';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../db/open.ts';
import { adminSignInLocks } from './schema.ts';

export const SIGN_IN_ATTEMPTS = 5;
export const SIGN_IN_WINDOW_SECONDS = 60;
/** Failures in a row an account takes before it is locked. */
export const ACCOUNT_FREE_FAILURES = 5;
export const ACCOUNT_LOCK_FIRST_SECONDS = 30;
export const ACCOUNT_LOCK_MAX_SECONDS = 15 * 60;
/** A count whose last failure is older than this starts again from zero. */
const ACCOUNT_FORGET_MS = 24 * 3600_000;

export type SignInVerdict = { ok: true } | { ok: false; retryAfterSeconds: number; scope: 'address' | 'account' };

/** How long the account is locked after its `failures`-th failure in a row: 0, then 30 s, 1 min, 2 min … 15 min. */
export function accountLockSeconds(failures: number): number {
  if (failures < ACCOUNT_FREE_FAILURES) return 0;
  return Math.min(ACCOUNT_LOCK_MAX_SECONDS, ACCOUNT_LOCK_FIRST_SECONDS * 2 ** (failures - ACCOUNT_FREE_FAILURES));
}

export class SignInLimiter {
  readonly #perAddress = new RateLimiterMemory({ points: SIGN_IN_ATTEMPTS, duration: SIGN_IN_WINDOW_SECONDS });
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Takes one attempt from the client's budget and one from the account's. The account's is counted as a
   * failure until `succeeded` says otherwise, so an attempt that never finishes still counts.
   */
  async take(ip: string, account: string): Promise<SignInVerdict> {
    try {
      await this.#perAddress.consume(ip);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return { ok: false, scope: 'address', retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
    return this.#takeForAccount(account);
  }

  async #takeForAccount(account: string): Promise<SignInVerdict> {
    return this.#db.transaction(async (tx) => {
      await tx.insert(adminSignInLocks).values({ account, failures: 0 }).onConflictDoNothing();
      // The row lock serialises concurrent attempts: the fifth sets the lock the sixth finds.
      const [row] = await tx.select().from(adminSignInLocks).where(eq(adminSignInLocks.account, account)).for('update');
      const now = this.#now();
      if (row!.lockedUntil && row!.lockedUntil.getTime() > now) {
        return { ok: false as const, scope: 'account' as const, retryAfterSeconds: Math.max(1, Math.ceil((row!.lockedUntil.getTime() - now) / 1000)) };
      }
      const failures = (now - row!.updatedAt.getTime() > ACCOUNT_FORGET_MS ? 0 : row!.failures) + 1;
      const lock = accountLockSeconds(failures);
      await tx
        .update(adminSignInLocks)
        .set({ failures, lockedUntil: lock ? new Date(now + lock * 1000) : null, updatedAt: new Date(now) })
        .where(eq(adminSignInLocks.account, account));
      return { ok: true as const };
    });
  }

  /** A correct password clears the client's failed attempts and the account's. */
  async succeeded(ip: string, account: string): Promise<void> {
    await this.#perAddress.delete(ip);
    await this.#db
      .update(adminSignInLocks)
      .set({ failures: 0, lockedUntil: null, updatedAt: new Date(this.#now()) })
      .where(eq(adminSignInLocks.account, account));
  }
}
