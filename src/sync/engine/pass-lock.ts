/**
 * One pass of a connection's sync at a time across processes (scale-out: the
 * web process runs an admin's "Sync now" or resync, a worker runs the poller).
 * On PostgreSQL a session advisory lock, held on a pooled connection of its
 * own for the pass's whole length: a process that dies closes its connections
 * and PostgreSQL releases the lock with them, so nothing waits for an expiry.
 * On the embedded database only one process can open the files
 * (data-dir-lock.ts), so a registry in this process is the whole truth.
 * The lock is only tried, never waited for: a pass can take minutes, and the
 * caller (an HTTP request, the poller) is better told at once (409).
 */
import type pg from 'pg';
import { ConflictError, SpokesError } from '../../errors.ts';
import type { Db } from '../../db/open.ts';

/** First half of the two-key advisory lock (the second is `hashtext(<connection>:<sync>)`): "passes". */
export const PASS_LOCK_NAMESPACE = 7_302_120;

/** Another process (or another engine on the same database) runs a pass of this connection's sync now. */
export class PassRunningError extends ConflictError {
  constructor(connectionId: string, where: 'here' | 'elsewhere' = 'elsewhere') {
    super(
      where === 'here'
        ? `A sync of ${connectionId} is already running; try again when it has finished.`
        : `A sync of ${connectionId} is already running (in another Spokes process); it resumes from its checkpoint. Try again when it has finished.`,
    );
  }
}

export interface HeldPassLock {
  /**
   * Aborted when the lock is gone before `release` (PostgreSQL: its connection died, in a database restart
   * or a failover, and the lock with it): the pass must stop, or it would run beside one that took the lock.
   */
  lost: AbortSignal;
  release(): Promise<void>;
}

/** The pass lock went with its database connection: the pass stops, and the next one resumes from the checkpoint. */
export class PassLockLostError extends SpokesError {
  constructor(connectionId: string, cause: Error) {
    super(
      'remote_unavailable',
      `The database connection holding the sync lock of ${connectionId} was lost (${cause.message}): the pass stopped and the next one resumes from its checkpoint.`,
      { status: 503, retryable: true, cause },
    );
  }
}

/** Held keys per embedded database (PGlite) of this process. */
const held = new WeakMap<object, Set<string>>();

/**
 * Takes the pass lock of `<connectionId>:<sync>` or throws PassRunningError at once. `release` must be
 * called when the pass ends (a `finally`).
 */
export async function takePassLock(db: Db, connectionId: string, sync: string): Promise<HeldPassLock> {
  const key = `${connectionId}:${sync}`;
  const client = (db as unknown as { $client: object }).$client;
  if (!isPool(client)) {
    const keys = held.get(client) ?? new Set<string>();
    held.set(client, keys);
    if (keys.has(key)) throw new PassRunningError(connectionId);
    keys.add(key);
    return { lost: new AbortController().signal, release: async () => void keys.delete(key) };
  }
  const conn = await client.connect();
  let ok = false;
  try {
    const { rows } = await conn.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [PASS_LOCK_NAMESPACE, key]);
    ok = rows[0]?.ok === true;
  } catch (err) {
    conn.release(err as Error);
    throw err;
  }
  if (!ok) {
    conn.release();
    throw new PassRunningError(connectionId);
  }
  // The pool's own listener keeps the process up (src/db/pg-connections.ts); this one tells the pass.
  const lost = new AbortController();
  const onLost = (err: Error) => lost.abort(new PassLockLostError(connectionId, err));
  conn.on('error', onLost);
  return {
    lost: lost.signal,
    async release() {
      conn.removeListener('error', onLost);
      if (lost.signal.aborted) return void conn.release(lost.signal.reason as Error);
      try {
        await conn.query('select pg_advisory_unlock($1, hashtext($2))', [PASS_LOCK_NAMESPACE, key]);
        conn.release();
      } catch (err) {
        // A connection that cannot unlock is closed instead: its session, and the lock with it, ends.
        conn.release(err as Error);
      }
    },
  };
}

function isPool(client: object): client is pg.Pool {
  return typeof (client as { connect?: unknown }).connect === 'function' && typeof (client as { totalCount?: unknown }).totalCount === 'number';
}

/**
 * The engine's passes of each `<connection>:<sync>`: in this process one waits for the one before it; across
 * processes the pass lock is tried (409 when another holds it). `fn` gets the lock's `lost` signal.
 */
export class PassGate {
  readonly #db: Db;
  readonly #running = new Map<string, Promise<unknown>>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** A pass of this connection's sync runs in this process now. */
  running(connectionId: string, sync: string): boolean {
    return this.#running.has(`${connectionId}:${sync}`);
  }

  async exclusive<T>(connectionId: string, sync: string, fn: (lockLost: AbortSignal) => Promise<T>): Promise<T> {
    const key = `${connectionId}:${sync}`;
    for (;;) {
      const busy = this.#running.get(key);
      if (!busy) break;
      await busy.catch(() => {});
    }
    const p = (async () => {
      const lock = await takePassLock(this.#db, connectionId, sync);
      try {
        return await fn(lock.lost);
      } finally {
        await lock.release();
      }
    })();
    this.#running.set(key, p);
    try {
      return await p;
    } finally {
      if (this.#running.get(key) === p) this.#running.delete(key);
    }
  }
}
