/**
 * PostgreSQL connections that a database restart, a failover or an admin's
 * `pg_terminate_backend` cannot take the process down with.
 *
 * node-postgres emits `error` on a client whose connection dies. pg-pool listens
 * only while a client is idle in the pool: a client checked out (a transaction
 * between two statements, a query just answered but not yet released) has nobody
 * listening, and the process ends with "Unhandled 'error' event … 57P01". Every
 * client made here has a listener for its whole life instead. The statement in
 * flight rejects with the same error (a request answers 503, a job is retried),
 * the client is marked unusable and the pool discards it when it is released; the
 * next checkout opens a new connection.
 */
import pg from 'pg';

export type ConnectionLostHandler = (err: Error) => void;

/** A pool whose clients never leave a connection error unheard. `onLost` hears each one (optional). */
export function createPool(config: pg.PoolConfig, onLost?: ConnectionLostHandler): pg.Pool {
  const pool = new pg.Pool(config);
  // An idle client's error is re-emitted on the pool; the client's own listener below already heard it.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', (err) => onLost?.(err)));
  return pool;
}

/**
 * A dedicated connection (an advisory lock, LISTEN), connected, with its error listener attached
 * before it connects. TCP keep-alive finds a silently dropped connection (a failover behind a load
 * balancer) instead of waiting forever. `onLost` is called when it dies; the caller reconnects.
 * `name` is its `application_name`, so `pg_stat_activity` says what each Spokes connection is for.
 */
export async function connectClient(connectionString: string, name: string, onLost: ConnectionLostHandler): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString,
    application_name: name,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', onLost);
  try {
    await client.connect();
  } catch (err) {
    client.removeListener('error', onLost);
    client.on('error', () => {});
    await client.end().catch(() => {});
    throw err;
  }
  return client;
}

/** Capped exponential backoff with jitter, for reconnect loops: 0.5 s, 1 s, 2 s … up to `maxMs`. */
export function reconnectDelay(attempt: number, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, 500 * 2 ** Math.min(attempt, 10));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

// SQLSTATE classes and codes that mean "the connection or the server went away", not "this statement is wrong":
// 08 connection exception, 57P01 admin shutdown (pg_terminate_backend), 57P02 crash shutdown, 57P03 cannot connect now,
// 53300 too many connections (PostgreSQL docs, appendix A "PostgreSQL Error Codes").
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|the database system is (starting up|shutting down)|not currently accepting connections/i;

/**
 * True when `err` (or what it wraps: Drizzle wraps the driver's error as its `cause`) says the
 * database could not be reached or dropped the connection: worth retrying once it is back.
 */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (UNAVAILABLE_MESSAGES.test(String((e as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}
