/**
 * The engines storage and job tests run on: embedded PGlite always, and
 * PostgreSQL when TEST_DATABASE_URL is set (CI sets it). Each test gets a
 * database of its own: a fresh PGlite data directory, or a fresh PostgreSQL
 * database created from TEST_DATABASE_URL and dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  engine: 'pglite' | 'postgres';
  dataDir: string;
  databaseUrl?: string;
  /** Environment for a child `spokes` process using this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export const postgresUrl = process.env.TEST_DATABASE_URL;

export const engines: ('pglite' | 'postgres')[] = postgresUrl ? ['pglite', 'postgres'] : ['pglite'];

export async function createTestDatabase(engine: 'pglite' | 'postgres'): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spokes-test-'));
  if (engine === 'pglite') {
    return {
      engine,
      dataDir,
      env: { SPOKES_DATA_DIR: dataDir },
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `spokes_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    engine,
    dataDir,
    databaseUrl,
    env: { SPOKES_DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    async drop() {
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
