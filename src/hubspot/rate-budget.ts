/**
 * One rate budget per HubSpot account (X4), shared by every worker: each
 * request waits for a slot before it leaves. Backed by PostgreSQL when Spokes
 * runs on it (several processes), in memory on the embedded database (one process).
 *
 * HubSpot counts in *rolling* windows (§8: 110 requests / 10 s; search 5 / s).
 * A fixed-window limiter lets a burst at the end of one window meet a burst at
 * the start of the next, so each budget is cut into short windows whose worst
 * case in any rolling window stays under the limit:
 *   general: 5 requests / 500 ms → at most 21 × 5 = 105 in any 10 s (≤ 110), 10 requests/s sustained;
 *   search:  1 request / 250 ms  → at most 5 in any 1 s (≤ 5), 4 requests/s sustained.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createPool } from '../db/pg-connections.ts';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type BudgetKind = 'general' | 'search';
/** Public (OAuth) apps and private apps have different 10 s limits (§8). */
export type AppTier = 'oauth' | 'private_app';

export interface RateBudget {
  /** Waits until a request of this kind may be sent for the account. */
  take(portalId: number, kind: BudgetKind, tier: AppTier, signal?: AbortSignal): Promise<void>;
  /** HubSpot answered 429 anyway: hold every worker back for `ms`. */
  penalize(portalId: number, kind: BudgetKind, tier: AppTier, ms: number): Promise<void>;
  close(): Promise<void>;
}

interface Window {
  points: number;
  seconds: number;
}

/** Windows per limit; `tenSecondly` is the account's 10 s limit (110 for public apps, 100/190 for private apps). */
export function windowsFor(tenSecondly: number, searchPerSecond: number): Record<BudgetKind, Window> {
  // Largest p per 0.5 s window with (10/0.5 + 1) × p ≤ limit.
  const general = Math.max(1, Math.floor(tenSecondly / 21));
  // One request per window w with (1/w + 1) ≤ limit → w = 1 / (limit - 1): limit - 1 requests per second.
  const searchWindow = 1 / Math.max(1, searchPerSecond - 1);
  return { general: { points: general, seconds: 0.5 }, search: { points: 1, seconds: Math.round(searchWindow * 1000) / 1000 } };
}

export interface BudgetLimits {
  /** Requests per rolling 10 s for each app tier. */
  tenSecondly: Record<AppTier, number>;
  searchPerSecond: number;
}

const BUDGET_TABLE = 'hubspot_rate_budget';
const BUDGET_TABLE_LOCK = 7_302_117_014;

/**
 * The limiter's table (rate-limiter-flexible's own definition), created under an advisory lock:
 * processes starting together would otherwise race in CREATE TABLE IF NOT EXISTS, and PostgreSQL
 * answers the loser "type … already exists" (a case the library does not catch).
 */
async function createBudgetTable(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [BUDGET_TABLE_LOCK]);
    await client.query(`create table if not exists ${BUDGET_TABLE} (key varchar(255) primary key, points integer not null default 0, expire bigint)`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export async function createRateBudget(opts: { databaseUrl?: string; limits: BudgetLimits }): Promise<RateBudget> {
  let pool: pg.Pool | undefined;
  if (opts.databaseUrl) {
    // Its clients survive a dropped connection (a failover, pg_terminate_backend): the request waiting for a slot is retried.
    pool = createPool({ connectionString: opts.databaseUrl, application_name: 'spokes-rate-budget', max: 4, connectionTimeoutMillis: 5_000 });
  }
  if (pool) await createBudgetTable(pool);
  const limiters = {} as Record<`${AppTier}:${BudgetKind}`, RateLimiterAbstract>;
  for (const tier of ['oauth', 'private_app'] as const) {
    const windows = windowsFor(opts.limits.tenSecondly[tier], opts.limits.searchPerSecond);
    for (const kind of ['general', 'search'] as const) {
      // Search has one bucket per account whatever the app; the 10 s bucket is per app tier.
      const keyPrefix = kind === 'search' ? 'hubspot-search' : `hubspot-${tier}`;
      const { points, seconds: duration } = windows[kind];
      limiters[`${tier}:${kind}`] = pool
        ? new RateLimiterPostgres({
            storeClient: pool,
            storeType: 'pool',
            tableName: BUDGET_TABLE,
            tableCreated: true,
            keyPrefix,
            points,
            duration,
            clearExpiredByTimeout: false,
          })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    }
  }
  // One in-memory search limiter for both tiers (same account bucket).
  if (!pool) limiters['private_app:search'] = limiters['oauth:search'];

  return {
    async take(portalId, kind, tier, signal) {
      for (;;) {
        try {
          await limiters[`${tier}:${kind}`].consume(String(portalId), 1);
          return;
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          // Jitter spreads the waiters of all workers over the next window.
          await sleep(err.msBeforeNext + Math.floor(Math.random() * 10), undefined, { signal });
        }
      }
    },
    async penalize(portalId, kind, tier, ms) {
      await limiters[`${tier}:${kind}`].block(String(portalId), Math.max(0.05, ms / 1000));
    },
    async close() {
      await pool?.end();
    },
  };
}
