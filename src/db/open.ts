/**
 * One narrow database seam, two engines: PGlite (embedded, files under the data
 * directory) when DATABASE_URL is unset, PostgreSQL (`pg` pool) when it is set.
 * The same Drizzle schema and queries run on both.
 */
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
import { SpokesError } from '../errors.ts';
import { redactDatabaseUrl } from '../config.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { isEmptyDataDir, readTemplate } from './pglite-template.ts';
import { createPool } from './pg-connections.ts';
import { makePrivateDir } from './data-dir-permissions.ts';

/**
 * Queries name their tables (each folder's schema.ts); no schema is registered here, so storage
 * knows no connector (drizzle.config.ts lists every schema file for the migrations).
 */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Engine = 'pglite' | 'postgres';

export interface Database {
  db: Db;
  engine: Engine;
  /** Set on PGlite: pg-boss runs on the same instance through its `fromPglite` adapter. */
  pglite?: PGlite;
  /** Set on PostgreSQL: the connection string, for pg-boss's own pool. */
  databaseUrl?: string;
  /** Runs raw SQL and returns its rows, the same on both engines. */
  query<T = Record<string, unknown>>(statement: SQL): Promise<T[]>;
  /** Cheap liveness probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Pool size on PostgreSQL. */
  poolSize?: number;
}

export class DatabaseUnavailableError extends SpokesError {
  constructor(message: string, cause?: unknown) {
    super('remote_unavailable', message, { status: 503, retryable: true, cause });
  }
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10) : openPglite(opts.dataDir);
}

async function openPglite(dataDir: string): Promise<Database> {
  const dir = join(dataDir, 'pg');
  makePrivateDir(dir);
  // PGlite is one process's database: a second process on the same files would corrupt them.
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    const template = isEmptyDataDir(dir) ? readTemplate() : undefined;
    client = await PGlite.create(dir, template ? { loadDataDir: template } : {});
  } catch (err) {
    lock.release();
    throw new SpokesError('internal', `cannot open the embedded database in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const database = wrapPglite(client);
  return {
    ...database,
    async close() {
      try {
        await database.close();
      } finally {
        lock.release();
      }
    },
  };
}

/** A Database over an already open PGlite instance (the caller owns its files). */
export function wrapPglite(client: PGlite): Database {
  const db = drizzlePglite({ client }) as unknown as Db;
  return {
    db,
    engine: 'pglite',
    pglite: client,
    async query<T>(statement: SQL) {
      return ((await db.execute(statement)) as unknown as { rows: T[] }).rows;
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(databaseUrl: string, poolSize: number): Promise<Database> {
  // A client that loses its connection (idle or checked out) must not crash the process; the next query reconnects.
  const pool = createPool({ connectionString: databaseUrl, application_name: 'spokes', max: poolSize, connectionTimeoutMillis: 5_000 });
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${redactDatabaseUrl(databaseUrl)}: ${(err as Error).message}`, err);
  }
  const db = drizzlePg({ client: pool }) as unknown as Db;
  return {
    db,
    engine: 'postgres',
    databaseUrl,
    async query<T>(statement: SQL) {
      return ((await db.execute(statement)) as unknown as { rows: T[] }).rows;
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await pool.end();
    },
  };
}
