/**
 * The world the telephony benchmarks run in: both emulators in this process
 * (HubSpot with its real limits and an OAuth install, the PBX with compressed
 * call times), Spokes as child processes (`spokes start`, and `spokes worker`s
 * on PostgreSQL) set up over the admin API the way an admin does it. The calls
 * and their count are `telephony-run.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHubSpotSandbox, type HubSpotSandbox } from '../sandbox/hubspot/index.ts';
import { startYeastarSandbox, type YeastarSandbox } from '../sandbox/yeastar/index.ts';
import { HUBSPOT } from '../src/hubspot/manifest.ts';
import { configureSandboxWebhooks } from '../src/hubspot/webhooks/subscriptions.ts';
import { freePort, signInOverHttp, TEST_ADMIN_PASSWORD, type AdminHttp } from '../test/support/world.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/databases.ts';
import { runSpokes, type SpokesProcess } from '../test/support/processes.ts';
import { postgresUrl } from './support.ts';

process.env.TEST_DATABASE_URL ??= postgresUrl;

export interface WorldOptions {
  engine: 'pglite' | 'postgres';
  /** `spokes worker` processes besides `spokes start` (PostgreSQL only). */
  workers?: number;
  owners?: number;
  knownContacts?: number;
  companies?: number;
  /** PBX time compression. */
  timeScale?: number;
  /** How long the PBX keeps a WebSocket without a client frame (default: the real PBX's 60 s; BENCH_WS_IDLE_MS). */
  wsIdleMs?: number;
}

export interface World {
  hubspot: HubSpotSandbox;
  pbx: YeastarSandbox;
  portalId: number;
  appKey: string;
  spokesUrl: string;
  admin: AdminHttp;
  server: SpokesProcess;
  workers: SpokesProcess[];
  startWorker(): Promise<SpokesProcess>;
  /** Spokes' database (the bench reads it to explain a lost call). */
  db: TestDatabase;
  /** Stops every Spokes process (SIGTERM, then SIGKILL after 15 s); `close` still cleans up the rest. */
  stopSpokes(): Promise<void>;
  extensions: string[];
  knownNumbers: string[];
  /** A HubSpot read with the portal's private-app token (its own budget, lifted: not Spokes' OAuth budget). */
  read(path: string): Promise<any>;
  close(): Promise<void>;
}

const expectOk = async (res: Response, what: string) => {
  if (res.status !== 200) throw new Error(`${what} → ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
};

export async function startWorld(opts: WorldOptions): Promise<World> {
  const owners = opts.owners ?? 20;
  const hubspot = await startHubSpotSandbox();
  const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
  const token = portal.privateAppToken!;
  // The benchmark's own reads and seeding use the private-app token; Spokes' OAuth budget keeps HubSpot's real limit.
  hubspot.setLimits({ privateAppTenSecondly: 1_000_000, daily: 100_000_000 });
  const seeded = hubspot.seed({ portalId: portal.portalId, owners, contacts: 0, companies: 0 });
  const read = async (path: string, method = 'GET', body?: unknown): Promise<any> => {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${hubspot.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // The benchmark's own reads may meet the faults it switched on.
      if ((res.status === 429 || res.status >= 500) && attempt < 20) {
        await sleep(100);
        continue;
      }
      if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
      return res.json();
    }
  };

  const extensions = seeded.owners.map((_, i) => String(3001 + i));
  const pbx = await startYeastarSandbox({
    timeScale: opts.timeScale ?? 0.05,
    // The real idle timeout, not one compressed with the calls: Spokes sends its heartbeat every 50 s as it
    // does against a real PBX, so 60 s × 0.05 = 3 s dropped its socket every ~3.7 s (some 50 gaps per run,
    // each back-filling every record so far), and the figures measured reconnects, not the steady state.
    // The faults benchmark cuts the socket on purpose; BENCH_WS_IDLE_MS=3000 brings the drops back.
    limits: { wsIdleMs: opts.wsIdleMs ?? Number(process.env.BENCH_WS_IDLE_MS ?? 60_000) },
    extensions: seeded.owners.map((o, i) => ({ number: extensions[i]!, name: `Agent ${i + 1}`, email: o.email })),
  });

  const db: TestDatabase = await createTestDatabase(opts.engine);
  const port = await freePort();
  const spokesUrl = `http://localhost:${port}`;
  const app = hubspot.registerApp({
    name: 'Spokes bench',
    redirectUrls: [`${spokesUrl}${HUBSPOT.callbackPath}`],
    scopes: [...HUBSPOT.requiredScopes],
    optionalScopes: [...HUBSPOT.optionalScopes],
  });
  const env = {
    ...db.env,
    SPOKES_PORT: String(port),
    SPOKES_PUBLIC_URL: spokesUrl,
    SPOKES_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    SPOKES_SANDBOX: 'off',
    HUBSPOT_BASE_URL: hubspot.url,
    SPOKES_LOG_LEVEL: 'warn',
    SPOKES_DEFAULT_REGION: 'US',
    // The PBX emulator runs on this machine: loopback is refused unless allowed.
    SPOKES_PBX_ADDRESSES: 'public,private,loopback',
    // BENCH_NODE_OPTIONS=--cpu-prof profiles the Spokes processes.
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  };
  const server = runSpokes(['start'], env);
  await server.waitFor(/is running at/, 60_000);
  const admin = await signInOverHttp({ url: spokesUrl, password: TEST_ADMIN_PASSWORD });

  // HubSpot: the admin saves the app, authorizes it in HubSpot (the emulator approves), and HubSpot calls back.
  await expectOk(await admin.request('PUT', '/api/hubspot/app', { clientId: app.clientId, clientSecret: app.clientSecret }), 'save the HubSpot app');
  const { authorizeUrl } = await expectOk(await admin.request('POST', '/api/hubspot/authorize'), 'authorize');
  const state = new URL(authorizeUrl).searchParams.get('state')!;
  const { redirectUrl } = hubspot.approveInstall({
    clientId: app.clientId,
    redirectUri: `${spokesUrl}${HUBSPOT.callbackPath}`,
    scopes: [...HUBSPOT.requiredScopes],
    optionalScopes: [...HUBSPOT.optionalScopes],
    state,
    portalId: portal.portalId,
  });
  const back = await fetch(redirectUrl);
  if (back.status !== 200) throw new Error(`OAuth callback → ${back.status} ${await back.text()}`);
  await configureSandboxWebhooks({
    baseUrl: hubspot.url,
    appId: app.appId,
    developerApiKey: app.developerApiKey,
    targetUrl: `${spokesUrl}${HUBSPOT.webhookPath}`,
  });
  // The CRM's records are created now, so that HubSpot tells Spokes about them by webhook (its phone index
  // learns them that way; connecting does not start a full build before the next scheduled pass).
  // Known callers: contacts with E.164 numbers, one in two with a primary company.
  const companyIds: string[] = [];
  for (let i = 0; i < (opts.companies ?? 200); i += 100) {
    const inputs = Array.from({ length: Math.min(100, (opts.companies ?? 200) - i) }, (_, k) => ({
      properties: { name: `Bench Company ${i + k}`, domain: `c${i + k}.bench.example` },
    }));
    companyIds.push(...(await read('/crm/v3/objects/companies/batch/create', 'POST', { inputs })).results.map((r: { id: string }) => r.id));
  }
  const knownNumbers: string[] = [];
  const known = opts.knownContacts ?? 2_000;
  for (let i = 0; i < known; i += 100) {
    const inputs = Array.from({ length: Math.min(100, known - i) }, (_, k) => {
      const n = i + k;
      const phone = `+1650555${String(n).padStart(4, '0')}`;
      knownNumbers.push(phone);
      const company = n % 2 === 0 ? companyIds[n % companyIds.length] : undefined;
      return {
        properties: { firstname: `Caller`, lastname: `Number ${n}`, phone },
        ...(company ? { associations: [{ to: { id: company }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }] } : {}),
      };
    });
    await read('/crm/v3/objects/contacts/batch/create', 'POST', { inputs });
  }

  // The PBX: connect, accept the auto-bind proposal, create the CRM phonebook, auto-create both ways, switch on.
  const info = pbx.info();
  await expectOk(
    await admin.request('PUT', '/api/telephony/connection', {
      baseUrl: info.baseUrl,
      clientId: info.clientId,
      clientSecret: info.clientSecret,
      webhookSecret: info.webhookSecret,
    }),
    'connect the PBX',
  );
  const { proposals } = await expectOk(await admin.request('POST', '/api/telephony/bindings/auto'), 'auto-bind');
  await expectOk(
    await admin.request('PUT', '/api/telephony/bindings', {
      bindings: proposals.map((p: { ownerId: string; extension: string }) => ({ ownerId: p.ownerId, extension: p.extension })),
      source: 'auto',
    }),
    'bind',
  );
  if (proposals.length !== owners) throw new Error(`auto-bind proposed ${proposals.length} of ${owners}`);
  await expectOk(
    await admin.request('PATCH', '/api/telephony/settings', {
      createPhonebook: 'HubSpot_CRM_Phonebook',
      autoCreate: { inbound: true, outbound: true },
      contactSync: { enabled: true, modules: ['contacts', 'companies'] },
    }),
    'settings',
  );
  // The phone index knows every known caller before the first call: HubSpot's webhooks are delivered and
  // Spokes has read the records they name (its requests have stopped for 2 seconds).
  await hubspot.webhooksIdle();
  for (let last = -1, stableSince = Date.now(); ; await sleep(250)) {
    const now = spokesTraffic({ hubspot, portalId: portal.portalId, appKey: String(app.appId) }).requests;
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
    if (Date.now() - stableSince > 2_000) break;
  }
  await expectOk(await admin.request('PUT', '/api/telephony/enabled', { enabled: true }), 'enable');

  const workers: SpokesProcess[] = [];
  const startWorker = async () => {
    const w = runSpokes(['worker'], { ...env, SPOKES_LOG_LEVEL: 'info' });
    workers.push(w);
    await w.waitFor(/job gate open|worker started/, 60_000);
    return w;
  };
  for (let i = 0; i < (opts.workers ?? 0); i++) await startWorker();
  await sleep(2_000);

  const stopSpokes = async () => {
    const running = () => [...workers, server].filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of running()) p.child.kill('SIGTERM');
    await Promise.all([...workers, server].map((p) => Promise.race([p.exited, sleep(15_000)])));
    for (const p of running()) p.child.kill('SIGKILL');
    await Promise.all([...workers, server].map((p) => p.exited));
  };
  return {
    hubspot,
    pbx,
    portalId: portal.portalId,
    appKey: String(app.appId),
    spokesUrl,
    admin,
    server,
    workers,
    startWorker,
    extensions,
    knownNumbers,
    db,
    stopSpokes,
    read: (path) => read(path),
    async close() {
      await stopSpokes();
      await pbx.close();
      await hubspot.close();
      await db.drop();
    },
  };
}

export function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'spokes-bench-'));
}
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** Spokes' requests to HubSpot (its OAuth app) and the 429s it was answered. */
export function spokesTraffic(world: Pick<World, 'hubspot' | 'portalId' | 'appKey'>): {
  requests: number;
  rateLimited: number;
  byRoute: Record<string, Record<string, number>>;
} {
  const app = world.hubspot.stats().byPortal[String(world.portalId)]?.byApp[world.appKey];
  return { requests: app?.requests ?? 0, rateLimited: app?.rateLimited ?? 0, byRoute: app?.byRoute ?? {} };
}
