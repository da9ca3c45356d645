/**
 * Several worker processes sharing one HubSpot connection stored in PostgreSQL (the multi-process HubSpot tests
 * and bench/hubspot-workers.bench.ts): the emulator, a connected database, and `hubspot-worker.ts` processes.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import { createSecretBox } from '../../src/secrets/secret-key.ts';
import { loadConfig } from '../../src/config.ts';
import { createHubSpot } from '../../src/hubspot/index.ts';
import type { HubSpotService } from '../../src/hubspot/service.ts';
import { createTestDatabase } from './databases.ts';
import { childEnv } from './processes.ts';
import { connectByOAuth } from './hubspot-connect.ts';
import { eventually } from './world.ts';

const script = fileURLToPath(new URL('./hubspot-worker.ts', import.meta.url));

export interface Worker {
  child: ChildProcess;
  out: () => string;
  /** The first line of output that matches, once printed (a hammer's result comes after its DURATION_MS). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<number | null>;
}

/** A `hubspot-worker.ts` process with these settings (MODE, DURATION_MS, TAG, …). */
export function startWorker(env: Record<string, string>): Worker {
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
    line: (pattern, timeoutMs = 90_000) =>
      eventually(`the worker to print ${pattern}`, () => out.split('\n').find((l) => pattern.test(l)), {
        timeoutMs,
        giveUpIf: () => (child.exitCode === null ? undefined : `the worker exited (${child.exitCode}): ${out}`),
      }),
  };
}

export interface SharedConnection {
  sandbox: HubSpotSandbox;
  database: Database;
  hubspot: HubSpotService;
  /** Settings of a worker process on the same database and connection. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The HubSpot emulator, a fresh PostgreSQL database, and this process's HubSpot connection to it by OAuth. */
export async function startSharedConnection(): Promise<SharedConnection> {
  const secretKey = randomBytes(32).toString('base64');
  const sandbox = await startHubSpotSandbox();
  const t = await createTestDatabase('postgres');
  const env = { ...t.env, SPOKES_SECRET_KEY: secretKey, HUBSPOT_BASE_URL: sandbox.url, SPOKES_SANDBOX: 'off' };
  const database = await openDatabase(t);
  await applyMigrations(database);
  const { hubspot, close } = await createHubSpot({
    config: loadConfig({ env }),
    database,
    secretBox: createSecretBox(Buffer.from(secretKey, 'base64')),
    log: createLogger({ level: 'silent' }),
    baseUrl: sandbox.url,
    sandbox: false,
    queue: () => undefined,
  });
  await connectByOAuth(hubspot, sandbox);
  return {
    sandbox,
    database,
    hubspot,
    env,
    async close() {
      await close();
      await database.close();
      await t.drop();
      await sandbox.close();
    },
  };
}
