/**
 * The world the telephony benchmarks run in: both emulators in this process
 * (HubSpot with its real limits and an OAuth install, the PBX with compressed
 * call times), Spokes as child processes (`spokes start`, and `spokes worker`s
 * on PostgreSQL) set up over the admin API the way an admin does it, a steady
 * call generator, and an independent observer of the PBX's call records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startHubSpotSandbox, type HubSpotSandbox } from '../sandbox/hubspot/index.ts';
import { startYeastarSandbox, type YeastarSandbox } from '../sandbox/yeastar/index.ts';
import { HUBSPOT } from '../src/hubspot/manifest.ts';
import { configureSandboxWebhooks } from '../src/hubspot/webhooks/subscriptions.ts';
import { freePort, signInOverHttp, TEST_ADMIN_PASSWORD, type AdminHttp } from '../test/support/world.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/databases.ts';
import { runSpokes, type SpokesProcess } from '../test/support/processes.ts';
import { PbxClient, UA } from '../test/support/yeastar-client.ts';
import { percentile, postgresUrl, report, round } from './support.ts';
import { dumpWarnings, explainLost, uidKey, type LostCall } from './telephony-diagnostics.ts';

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

/** When each call's record (30012) reached a client subscribed to the PBX: the start of the latency measure. Reconnects after drops. */
export async function observeCdrs(pbx: YeastarSandbox): Promise<{ arrivals: Map<string, number>; close(): void }> {
  const client = new PbxClient(pbx);
  await client.login();
  const arrivals = new Map<string, number>();
  let closed = false;
  let socket: WebSocket | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const open = () => {
    const ws = new WebSocket(`${pbx.info().websocketUrl}?access_token=${client.token}`, { headers: UA });
    socket = ws;
    ws.on('open', () => ws.send(JSON.stringify({ topic_list: [30012] })));
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.startsWith('{')) return;
      const frame = JSON.parse(text) as { type?: number; msg?: string };
      if (frame.type !== 30012 || !frame.msg) return;
      const msg = JSON.parse(frame.msg) as { call_id: string };
      if (!arrivals.has(msg.call_id)) arrivals.set(msg.call_id, Date.now());
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!closed) setTimeout(open, 50);
    });
  };
  open();
  heartbeat = setInterval(() => socket?.readyState === WebSocket.OPEN && socket.send('heartbeat'), 1_000);
  return {
    arrivals,
    close: () => {
      closed = true;
      clearInterval(heartbeat);
      socket?.close();
    },
  };
}

export interface CallPlan {
  direction: 'inbound' | 'outbound';
  outcome: 'answered' | 'no_answer' | 'busy' | 'voicemail' | 'failed';
  external: string;
  extension: string;
  ringSeconds: number;
  talkSeconds: number;
  unknown: boolean;
}

/** The office's mix: 60 % inbound (a third of them missed), 40 % outbound (a third not connected); 20 % unknown numbers. */
export function planCalls(world: Pick<World, 'extensions' | 'knownNumbers'>, n: number, seed = 1): CallPlan[] {
  let s = seed;
  const random = () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const out: CallPlan[] = [];
  for (let i = 0; i < n; i++) {
    const r = random();
    const [direction, outcome] =
      r < 0.4
        ? ['inbound', 'answered']
        : r < 0.52
          ? ['inbound', 'no_answer']
          : r < 0.56
            ? ['inbound', 'busy']
            : r < 0.6
              ? ['inbound', 'voicemail']
              : r < 0.87
                ? ['outbound', 'answered']
                : r < 0.94
                  ? ['outbound', 'no_answer']
                  : r < 0.98
                    ? ['outbound', 'busy']
                    : ['outbound', 'failed'];
    const unknown = random() < 0.2;
    out.push({
      direction: direction as CallPlan['direction'],
      outcome: outcome as CallPlan['outcome'],
      unknown,
      // Unknown numbers are new each time (each one a new contact); known ones repeat.
      external: unknown ? `+1628555${String(i % 10_000).padStart(4, '0')}` : world.knownNumbers[Math.floor(random() * world.knownNumbers.length)]!,
      extension: world.extensions[Math.floor(random() * world.extensions.length)]!,
      ringSeconds: 2 + Math.floor(random() * 10),
      talkSeconds: outcome === 'answered' || outcome === 'voicemail' ? 5 + Math.floor(random() * 60) : 0,
    });
  }
  return out;
}

/** Places the calls at a steady rate; returns their call ids in order. `onProgress` is called once a second. */
export async function placeCalls(
  pbx: YeastarSandbox,
  plan: CallPlan[],
  perSecond: number,
  onProgress?: (placed: number) => void | Promise<void>,
): Promise<{ callIds: string[]; seconds: number; lagMs: number }> {
  const callIds: string[] = [];
  const started = performance.now();
  let lastReport = 0;
  let lagMs = 0;
  while (callIds.length < plan.length) {
    const due = Math.min(plan.length, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
    // How far behind schedule the generator fell (the event loop it shares with the emulators).
    lagMs = Math.max(lagMs, ((due - callIds.length) / perSecond) * 1000);
    while (callIds.length < due) {
      const { unknown: _u, ...spec } = plan[callIds.length]!;
      callIds.push(pbx.simulateCall(spec).call_id);
    }
    const second = Math.floor((performance.now() - started) / 1000);
    if (onProgress && second > lastReport) {
      lastReport = second;
      await onProgress(callIds.length);
    }
    await sleep(10);
  }
  return { callIds, seconds: (performance.now() - started) / 1000, lagMs };
}

/** Every call engagement HubSpot holds: external id → creation times (ms). */
export async function engagementsByCall(world: Pick<World, 'read'>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  let after: string | undefined;
  do {
    const page = await world.read(`/crm/v3/objects/calls?limit=100&properties=hs_call_external_id${after ? `&after=${after}` : ''}`);
    for (const r of page.results as { properties: { hs_call_external_id: string }; createdAt: string }[]) {
      const list = out.get(r.properties.hs_call_external_id) ?? [];
      list.push(Date.parse(r.createdAt));
      out.set(r.properties.hs_call_external_id, list);
    }
    after = page.paging?.next?.after;
  } while (after);
  return out;
}

/** Spokes' requests to HubSpot (its OAuth app) and the 429s it was answered. */
export function spokesTraffic(world: Pick<World, 'hubspot' | 'portalId' | 'appKey'>): {
  requests: number;
  rateLimited: number;
  byRoute: Record<string, Record<string, number>>;
} {
  const app = world.hubspot.stats().byPortal[String(world.portalId)]?.byApp[world.appKey];
  return { requests: app?.requests ?? 0, rateLimited: app?.rateLimited ?? 0, byRoute: app?.byRoute ?? {} };
}

export function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'spokes-bench-'));
}
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

export interface RunOptions {
  bench: string;
  calls: number;
  perSecond: number;
  /** The whole run, setup included, stays under this (ms since `startedAt`). */
  budgetMs: number;
  startedAt: number;
  /** Called once a second with the calls placed so far (faults are switched here). */
  during?: (placed: number) => void | Promise<void>;
  /** Called once every call was placed, before draining. */
  afterPlacing?: () => void | Promise<void>;
  /** Called once Spokes has logged every call (or the budget ran out), before counting. */
  afterDrain?: () => void | Promise<void>;
  /** What the 429 figure is compared with, and how to read it. */
  rateLimitNote?: string;
}

/**
 * Places the calls at a steady rate, waits until Spokes has logged them (within the budget), then
 * counts in the HubSpot emulator — lost, duplicated, latency — and prints one JSON line per figure.
 */
export async function runCalls(world: World, opts: RunOptions): Promise<void> {
  const { bench, calls } = opts;
  const observer = await observeCdrs(world.pbx);
  const plan = planCalls(world, calls);
  const before = spokesTraffic(world);
  const loggedToday = async () => ((await (await world.admin.request('GET', '/api/telephony')).json()) as { today: { logged: number } }).today.logged;
  const progress: string[] = [];
  const load = await placeCalls(world.pbx, plan, opts.perSecond, async (placed) => {
    if (placed % (opts.perSecond * 20) < opts.perSecond) progress.push(`${placed} placed / ${await loggedToday()} logged`);
    await opts.during?.(placed);
  });
  await opts.afterPlacing?.();

  // Drain: every call ends within a few seconds; wait until Spokes has logged them all, within the budget.
  let logged = await loggedToday();
  while (logged < calls && Date.now() - opts.startedAt < opts.budgetMs) {
    await sleep(2_000);
    logged = await loggedToday();
  }
  const drainedAt = Date.now();
  await opts.afterDrain?.();
  await sleep(3_000);
  const traffic = spokesTraffic(world);
  observer.close();

  const byCall = await engagementsByCall(world);
  const cdrs = new Map(world.pbx.cdrs().map((c) => [c.call_id, c]));
  const lostCalls: LostCall[] = [];
  let duplicated = 0;
  const latencies: number[] = [];
  load.callIds.forEach((callId, i) => {
    const cdr = cdrs.get(callId);
    // Engagements go by the record's uid, or by the uid and the parties' digits when another call's record had
    // the same uid (call-record.ts externalIdOf); the call id is the widget's until the record completes it.
    const created = [callId, ...(cdr ? [cdr.uid, uidKey(cdr).slice('uid:'.length)] : [])].flatMap((id) => byCall.get(id) ?? []);
    if (created.length === 0) lostCalls.push({ callId, plan: plan[i]!, cdr, observed: observer.arrivals.has(callId) });
    duplicated += Math.max(0, created.length - 1);
    const cdrAt = observer.arrivals.get(callId);
    if (created.length && cdrAt) latencies.push(Math.min(...created) - cdrAt);
  });
  const lost = lostCalls.length;
  // Calls whose record shares its uid with another call's (the emulator's uid is the start second and 5 random hex digits).
  const byUid = new Map<string, number>();
  for (const c of cdrs.values()) byUid.set(c.uid, (byUid.get(c.uid) ?? 0) + 1);
  const sharedUid = [...byUid.values()].filter((n) => n > 1).reduce((a, b) => a + b, 0);
  latencies.sort((a, b) => a - b);
  const loggedCalls = load.callIds.length - lost;
  const requests = traffic.requests - before.requests;
  const count = (byStatus: Record<string, number> | undefined) => Object.values(byStatus ?? {}).reduce((a, b) => a + b, 0);
  const routes = Object.entries(traffic.byRoute)
    .map(([route, byStatus]) => [route, count(byStatus) - count(before.byRoute[route])] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  if (lost || process.env.BENCH_VERBOSE) dumpWarnings(world);
  // What Spokes holds about each lost call (on the embedded database, read once Spokes has stopped).
  const explained = lost ? await explainLost(world, lostCalls.slice(0, 10)) : [];
  for (const line of explained) process.stderr.write(`${line}\n`);

  report({
    bench,
    metric: 'calls_logged',
    value: loggedCalls,
    unit: 'calls',
    ceiling: calls,
    target: 'min',
    note:
      `${calls} calls placed in ${round(load.seconds)} s (${round(calls / load.seconds)} calls/s, generator at most ${round(load.lagMs)} ms behind); ` +
      `${logged >= calls ? 'all logged' : `${logged} logged when the budget ran out`} ${round((drainedAt - opts.startedAt) / 1000)} s after setup began; ${progress.join('; ')}`,
  });
  report({
    bench,
    metric: 'calls_lost',
    value: lost,
    unit: 'calls',
    ceiling: 0,
    target: 'max',
    note: [`${sharedUid} calls had a record whose uid another call's record had too`, ...explained.slice(0, 5)].join(' | '),
  });
  report({ bench, metric: 'calls_duplicated', value: duplicated, unit: 'engagements', ceiling: 0, target: 'max' });
  report({
    bench,
    metric: 'latency_p50',
    value: round(percentile(latencies, 50)),
    unit: 'ms',
    note: `from the PBX publishing the call record to the engagement existing in HubSpot (${latencies.length} calls measured)`,
  });
  report({ bench, metric: 'latency_p99', value: round(percentile(latencies, 99)), unit: 'ms' });
  report({
    bench,
    metric: 'hubspot_requests_per_logged_call',
    value: round(requests / Math.max(1, loggedCalls), 3),
    unit: 'requests/call',
    ceiling: 0.2,
    target: 'max',
    note: `${requests} requests of Spokes' OAuth app (ceiling 1, target 0.2): ${routes}`,
  });
  report({
    bench,
    metric: 'rate_limited_responses',
    value: traffic.rateLimited - before.rateLimited,
    unit: '429s',
    ceiling: 0,
    target: 'max',
    ...(opts.rateLimitNote ? { note: opts.rateLimitNote } : {}),
  });
}
