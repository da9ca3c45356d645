/**
 * Brings a Spokes process up and down: database (with migrations and the
 * secret-key check), the job queue, the worker and the HTTP server — in that
 * order — and takes them down in reverse on shutdown, letting jobs in flight
 * finish within a bounded wait.
 */
import { recordRunningServer } from './running-server.ts';
import { protectDataDir } from './db/data-dir-permissions.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { openDatabase, DatabaseUnavailableError, type Database } from './db/open.ts';
import { applyMigrations } from './db/migrate.ts';
import { loadSecretKey, verifySecretKey, createSecretBox } from './secrets/secret-key.ts';
import type { SecretBox } from './secrets/secret-box.ts';
import { JobQueue } from './jobs/queue.ts';
import { registerRoutes } from './web/routes.ts';
import type { Services } from './services.ts';
import { allJobs } from './jobs/registry.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { buildServer } from './web/server.ts';
import { version } from './version.ts';
import { ensureAdminPassword, type PasswordSetup } from './web/admin/index.ts';
import { createHubSpot } from './hubspot/index.ts';
import { HUBSPOT } from './hubspot/manifest.ts';
// The emulators (sandbox mode only) are loaded on demand, after the server listens.
import { createPhoneIndexing, schedulePhoneIndexSync } from './hubspot/phone/index.ts';
import { Platform } from './platform/platform.ts';
import { platformConnectorList } from './platform/registry.ts';
import type { AnyConnector } from './platform/connector.ts';

export interface RuntimeOptions {
  config: Config;
  log: Logger;
  /** Run the HTTP server (`spokes start`). */
  server: boolean;
  /** Work jobs in this process. */
  worker: boolean;
  /** Keep retrying an unreachable database instead of failing (`spokes worker`). */
  waitForDatabase?: boolean;
  /** Connectors to run beside the registry's (src/platform/registry.ts): tests add their own. */
  connectors?: readonly AnyConnector[];
}

export interface Runtime {
  config: Config;
  database: Database;
  queue: JobQueue;
  secretBox: SecretBox;
  metrics: Metrics;
  services: Services;
  server?: FastifyInstance;
  /** Base URL the server listens on, when it runs. */
  url?: string;
  /** How the admin password was set up on this start (server only); `generated` is shown once. */
  adminPassword?: PasswordSetup;
  stop(): Promise<void>;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config, log } = opts;
  // Readable by Spokes' user only (the embedded database, the secret key, the sandbox's state).
  const loosened = protectDataDir(config.dataDir);
  if (loosened) log.warn({ dataDir: config.dataDir, entries: loosened }, 'data directory entries were readable by other users; tightened them to 0700/0600');
  const key = loadSecretKey(config);
  if (key.source === 'generated') log.info({ path: key.path }, 'generated a new secret key for stored credentials; back it up with the data directory');
  const secretBox = createSecretBox(key.key);

  const database = await connect(opts);
  // A first start unpacks the database template: its files too.
  if (database.engine === 'pglite') protectDataDir(config.dataDir);
  const metrics = createMetrics();
  const services = { config, log, database, secretBox, metrics } as Services;
  let queue: JobQueue | undefined;
  let server: FastifyInstance | undefined;
  // Released in reverse order on stop (emulators, the HubSpot rate budget…).
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err) => log.warn({ err: (err as Error).message }, 'shutdown step failed'));
  };
  try {
    await applyMigrations(database);
    await verifySecretKey(database.db, secretBox);

    const hubspotBaseUrl = config.hubspotBaseUrl ?? HUBSPOT.apiBaseUrl;
    const hubspot = await createHubSpot({
      config,
      database,
      secretBox,
      log,
      metrics,
      baseUrl: hubspotBaseUrl,
      sandbox: config.sandboxMode,
      queue: () => services.queue,
    });
    services.hubspot = hubspot.hubspot;
    closers.push(() => hubspot.close());
    services.phone = createPhoneIndexing({ database, hubspot: services.hubspot, defaultRegion: config.defaultRegion, log });
    const platform = new Platform({ services, connectors: [...platformConnectorList, ...(opts.connectors ?? [])] });
    services.platform = platform;
    queue = new JobQueue({
      database,
      jobs: [...allJobs(services), ...platform.jobs()],
      log: log.child({ component: 'jobs' }),
      metrics,
      superviseSeconds: config.jobSuperviseSeconds,
      pollSeconds: config.jobPollSeconds,
      concurrency: config.workerConcurrency,
      gates: { hubspot: () => services.hubspot.usable(), ...platform.gates() },
    });
    services.queue = queue;
    await queue.start();
    const q = queue;
    metrics.onCollect(async () => {
      for (const s of await q.status()) {
        metrics.queueDepth.set({ queue: s.name, state: 'queued' }, s.queued);
        metrics.queueDepth.set({ queue: s.name, state: 'active' }, s.active);
        metrics.queueDepth.set({ queue: s.name, state: 'failed' }, s.failed);
      }
    });
    let url: string | undefined;
    let adminPassword: PasswordSetup | undefined;
    if (opts.server) {
      // Sandbox mode: the server answers before the emulators run; until everything is wired to them,
      // /healthz says so (503) and GET /api/sandbox answers 503 `starting`, never a misleading 404.
      if (config.sandboxMode) services.sandboxStatus = 'starting';
      server = await buildServer({
        log,
        metrics,
        version,
        engine: database.engine,
        metricsToken: config.metricsToken,
        probes: [
          { name: 'database', check: () => database.ping() },
          {
            name: 'queue',
            check: async () => {
              await q.ping();
            },
          },
          ...(config.sandboxMode
            ? [
                {
                  name: 'sandbox',
                  check: async () => {
                    if (services.sandboxStatus !== 'ready') throw new Error('the sandbox emulators are still starting');
                  },
                },
              ]
            : []),
        ],
        routes: (app) => registerRoutes(app, services),
      });
      await server.listen({ port: config.port, host: config.host });
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      // `spokes status` and `spokes retry` ask this process when it holds the embedded database.
      if (database.engine === 'pglite') {
        const forget = recordRunningServer(config.dataDir, port);
        closers.push(async () => forget());
      }
      // Only a serving process sets up the admin password (a worker has nobody to show it to);
      // after listening, because a first run hashes a new one with scrypt (a few hundred ms).
      adminPassword = await ensureAdminPassword(database.db, config.adminPassword);
      // With SPOKES_PORT=0 the default public URL cannot name the port until it is bound.
      if (!config.publicUrlSet) services.hubspot.publicUrl = `http://localhost:${port}`;
      // Sandbox mode: the serving process runs the emulators (after it answers /healthz), and new HubSpot connections go to them.
      if (config.sandboxMode) {
        const { startSandboxes } = await import('./sandbox/sandboxes.ts');
        services.sandboxes = await startSandboxes({ dataDir: config.dataDir, host: config.host, basePort: config.sandboxBasePort, log });
        closers.push(() => services.sandboxes!.close());
        services.hubspot.baseUrl = services.sandboxes.hubspot.url;
      }
      await connectHubSpot(services);
    }
    // Workers start after the server listens: on PGlite their first queries share one thread with it.
    if (opts.worker) await queue.work();
    if (opts.server) {
      await schedulePhoneIndexSync(queue);
      // The first look-ups of a process otherwise read the index from disk (p99 3–6 ms instead of ~1 ms).
      void services.phone.index.warm().catch((err: Error) => log.warn({ err: err.message }, 'phone index warm-up failed'));
    }
    if (services.sandboxes) await platform.setUpSandbox(services.sandboxes);
    await platform.start({ server: opts.server, worker: opts.worker });
    if (services.sandboxStatus === 'starting') services.sandboxStatus = 'ready';

    let stopping: Promise<void> | undefined;
    return {
      config,
      database,
      queue,
      secretBox,
      metrics,
      services,
      server,
      url,
      adminPassword,
      stop() {
        stopping ??= (async () => {
          await server?.close();
          // Connectors stop producing work (event streams) before the queue stops.
          await platform.stop().catch((err: Error) => log.warn({ err: err.message }, 'platform stop failed'));
          await q.stop({ timeoutMs: config.shutdownTimeoutMs });
          await closeAll();
          await database.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await server?.close().catch(() => {});
    await services.platform?.stop().catch(() => {});
    await queue?.stop({ timeoutMs: 1_000 }).catch(() => {});
    await closeAll();
    await database.close().catch(() => {});
    throw err;
  }
}

/**
 * Connects HubSpot as configured: the sandbox in sandbox mode, else credentials from the
 * environment (an app's Client ID/Secret are saved for the admin page's "Connect"; a
 * private-app token connects at once).
 */
async function connectHubSpot(services: Services): Promise<void> {
  const { config, hubspot, sandboxes, log } = services;
  if (sandboxes) {
    const { connectHubSpotSandbox } = await import('./sandbox/connect-hubspot.ts');
    await connectHubSpotSandbox({ hubspot, sandbox: sandboxes.hubspot, log });
    return;
  }
  if (config.hubspotClientId && config.hubspotClientSecret) {
    const saved = await hubspot.store.app();
    if (saved?.clientId !== config.hubspotClientId || saved.clientSecret !== config.hubspotClientSecret) {
      await hubspot.saveApp({ clientId: config.hubspotClientId, clientSecret: config.hubspotClientSecret });
    }
  }
  if (config.hubspotAccessToken) {
    const current = await hubspot.store.connection();
    if (current?.accessToken !== config.hubspotAccessToken) {
      // HubSpot may be briefly unreachable: Spokes still starts, and says why it is not connected.
      await hubspot
        .connectPrivateApp(config.hubspotAccessToken)
        .catch((err: Error) =>
          log.error({ err: err.message }, 'could not connect HubSpot with HUBSPOT_ACCESS_TOKEN; fix it and restart, or connect on the HubSpot page'),
        );
    }
  }
}

/** Opens the database; a worker waits for an unreachable PostgreSQL with backoff, logging each attempt. */
async function connect(opts: RuntimeOptions): Promise<Database> {
  const { config, log } = opts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    } catch (err) {
      if (!(err instanceof DatabaseUnavailableError) || !opts.waitForDatabase) throw err;
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6));
      log.warn({ attempt, retryInMs: delayMs, err: err.message }, 'database unreachable, retrying');
      await sleep(delayMs);
    }
  }
}
