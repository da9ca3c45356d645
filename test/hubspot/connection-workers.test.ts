/**
 * The HubSpot connection shared by several worker processes on PostgreSQL:
 * one token refresh for everyone at expiry, and one rate budget that keeps
 * three busy workers clear of HubSpot's 429s without losing a write.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import { createSecretBox } from '../../src/secrets/secret-key.ts';
import { loadConfig } from '../../src/config.ts';
import { createHubSpot } from '../../src/hubspot/index.ts';
import type { HubSpotService } from '../../src/hubspot/service.ts';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { childEnv } from '../support/processes.ts';
import { connectByOAuth, routeCount } from '../support/hubspot-connect.ts';

const script = fileURLToPath(new URL('../support/hubspot-worker.ts', import.meta.url));

interface Worker {
  child: ChildProcess;
  out: () => string;
  line(pattern: RegExp): Promise<string>;
  done: Promise<number | null>;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [script], { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return {
    child,
    out: () => out,
    done: new Promise((resolve) => child.on('exit', resolve)),
    async line(pattern) {
      for (let i = 0; i < 1200; i++) {
        const m = out.split('\n').find((l) => pattern.test(l));
        if (m) return m;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`worker never printed ${pattern}: ${out}`);
    },
  };
}

describe('HubSpot connection across worker processes (PostgreSQL)', { skip: postgresUrl ? false : 'needs TEST_DATABASE_URL' }, () => {
  let sandbox: HubSpotSandbox;
  let t: TestDatabase;
  let database: Database;
  let hubspot: HubSpotService;
  let closeHubSpot: () => Promise<void>;
  let env: Record<string, string>;
  const secretKey = randomBytes(32).toString('base64');

  before(async () => {
    sandbox = await startHubSpotSandbox();
    t = await createTestDatabase('postgres');
    env = { ...t.env, SPOKES_SECRET_KEY: secretKey, HUBSPOT_BASE_URL: sandbox.url, SPOKES_SANDBOX: 'off' };
    const config = loadConfig({ env });
    database = await openDatabase(t);
    await applyMigrations(database);
    ({ hubspot, close: closeHubSpot } = await createHubSpot({
      config,
      database,
      secretBox: createSecretBox(Buffer.from(secretKey, 'base64')),
      log: createLogger({ level: 'silent' }),
      baseUrl: sandbox.url,
      sandbox: false,
      queue: () => undefined,
    }));
    await connectByOAuth(hubspot, sandbox);
  });
  after(async () => {
    await closeHubSpot?.();
    await database?.close();
    await t?.drop();
    await sandbox?.close();
  });

  it('refreshes the token exactly once when 3 workers × 20 callers need it at the same moment', async () => {
    const before = routeCount(sandbox, '/oauth/v1/token');
    const { accessToken: old } = await hubspot.tokens.accessToken();
    // The token is about to expire: every caller sees it inside the refresh window.
    await database.query(sql`update hubspot_connection set access_expires_at = now() + interval '60 seconds'`);
    const workers = [1, 2, 3].map(() => startWorker({ ...env, MODE: 'refresh' }));
    await Promise.all(workers.map((w) => w.line(/^ready$/)));
    for (const w of workers) w.child.stdin!.write('go\n');
    const results = await Promise.all(
      workers.map(async (w) => JSON.parse(await w.line(/^\{/)) as { distinctTokens: number; token: string; refreshes: number }),
    );
    await Promise.all(workers.map((w) => w.done));

    assert.equal(routeCount(sandbox, '/oauth/v1/token') - before, 1, 'one token request reached HubSpot');
    assert.equal(
      results.reduce((n, r) => n + r.refreshes, 0),
      1,
      'one process refreshed',
    );
    assert.ok(
      results.every((r) => r.distinctTokens === 1),
      'each process handed one token to all its callers',
    );
    assert.equal(new Set(results.map((r) => r.token)).size, 1, 'all processes use the same new token');
    assert.notEqual(results[0]!.token, old);
    const check = await fetch(`${sandbox.url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${results[0]!.token}` } });
    assert.equal(check.status, 200, 'the new token works');
  });

  it('keeps 3 workers writing for 30 s under the 10-second limit: no 429, no write lost', async () => {
    const before = sandbox.stats();
    const started = Date.now();
    const workers = ['a', 'b', 'c'].map((tag) => startWorker({ ...env, MODE: 'hammer', DURATION_MS: '30000', TAG: tag }));
    const results = await Promise.all(workers.map(async (w) => JSON.parse(await w.line(/^\{/)) as { written: number; rateLimited: number }));
    await Promise.all(workers.map((w) => w.done));
    const seconds = (Date.now() - started) / 1000;
    const after = sandbox.stats();

    const written = results.reduce((n, r) => n + r.written, 0);
    assert.equal(after.rateLimited - before.rateLimited, 0, 'HubSpot answered no 429');
    const portalId = await hubspot.api.portalId();
    const { total } = await hubspot.api.call('count', (c) =>
      c.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'EQ' as never, value: 'Hammer' }] }],
        limit: 1,
      }),
    );
    assert.equal(total, written, 'every write is in HubSpot');
    assert.ok(portalId > 0);
    // The budget still lets the three of them use most of the allowance (110 per 10 s).
    const requests = (after.byPortal[String(portalId)]?.requests ?? 0) - (before.byPortal[String(portalId)]?.requests ?? 0);
    assert.ok(requests / seconds > 7, `used ${(requests / seconds).toFixed(1)} requests/s of the 11/s allowed`);
  });
});
