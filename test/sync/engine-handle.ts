/**
 * The sync engine on a database, connected to a HubSpot emulator's portal with its private-app token —
 * no server, no queue, no emulator code loaded (the SIGKILL child and the benchmark use it alone).
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createSecretBox } from '../../src/secrets/secret-key.ts';
import { createLogger } from '../../src/logger.ts';
import { HubSpotService } from '../../src/hubspot/service.ts';
import { createRateBudget, type RateBudget } from '../../src/hubspot/rate-budget.ts';
import { RecordLinks } from '../../src/sync/record-links.ts';
import { Checkpoints } from '../../src/sync/checkpoints.ts';
import { SyncErrors } from '../../src/sync/sync-errors.ts';
import { AuditLog } from '../../src/sync/audit-log.ts';
import { SyncEngine } from '../../src/sync/engine/engine.ts';
import { DEFAULT_MAPPINGS, CUSTOM_PROPERTIES } from '../../src/connectors/sansan/cards.ts';

/** Ten times HubSpot's limits, so functional suites do not wait on the budget. */
export const FAST_BUDGET = { tenSecondly: { oauth: 1_100, private_app: 1_000 }, searchPerSecond: 50 };
export const FAST_SANDBOX_LIMITS = { tenSecondly: 1_100, privateAppTenSecondly: 1_900, searchPerSecond: 50 };

/** The default mappings without the custom properties (the emulator's private app may not create them). */
export const STANDARD_MAPPINGS = DEFAULT_MAPPINGS.filter((m) => !CUSTOM_PROPERTIES.some((p) => p.name === m.hubspot));

export interface EngineHandle {
  database: Database;
  engine: SyncEngine;
  hubspot: HubSpotService;
  budget: RateBudget;
  audit: AuditLog;
  close(): Promise<void>;
}

export interface DbTarget {
  dataDir: string;
  databaseUrl?: string;
}

/** Opens the database and connects Spokes to the HubSpot emulator's portal with its private-app token. */
export async function openEngine(target: DbTarget, hubspotUrl: string, token: string, budget = FAST_BUDGET): Promise<EngineHandle> {
  const database = await openDatabase(target);
  await applyMigrations(database);
  const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const rateBudget = await createRateBudget({ databaseUrl: target.databaseUrl, limits: budget });
  const hubspot = new HubSpotService({
    database,
    secretBox: createSecretBox(randomBytes(32)),
    log,
    budget: rateBudget,
    baseUrl: hubspotUrl,
    publicUrl: 'http://localhost:3000',
    sandbox: true,
  });
  await hubspot.connectPrivateApp(token);
  const audit = new AuditLog(database.db);
  const engine = new SyncEngine({
    db: database.db,
    hubspot: () => hubspot.api,
    links: new RecordLinks(database.db),
    checkpoints: new Checkpoints(database.db),
    syncErrors: new SyncErrors(database.db),
    audit,
    log,
  });
  return {
    database,
    engine,
    hubspot,
    budget: rateBudget,
    audit,
    async close() {
      await rateBudget.close();
      await database.close();
    },
  };
}
