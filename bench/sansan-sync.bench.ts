/**
 * The Sansan → HubSpot sync at scale (issue 13), against both emulators with
 * their real rate limits: Sansan 10 requests/s per key, HubSpot 110 requests
 * per rolling 10 s (a public app's limit; the bench's private app is given the
 * same). Per size (BENCH_SANSAN_CARDS, default "10000,100000"; each in a fresh
 * process, so peak RSS is that size's), the initial sync's records/s against
 * the ceiling — the lower of HubSpot's write limit (110/10 s × 100 = 1,100/s)
 * and Sansan's read limit (10/s × 300 = 3,000/s) — HubSpot requests per synced
 * record and peak RSS; then, on the smallest size, the incremental lag (card
 * change → HubSpot write committed) over 200 changes at the connector's
 * default 5 s poll. The emulators run in a child process; the database is
 * PostgreSQL (BENCH_DATABASE_URL) — the engine the sizes call for.
 *
 * The Spokes side runs with the V8 flags docs/sync-engine.md gives for
 * production (BENCH_SANSAN_NODE_FLAGS, default `--max-semi-space-size=8 --max-old-space-size=1024`):
 * without them V8 sizes its young generation and lets its old one grow for this machine's 24 GB, and
 * the garbage of loading the modules alone peaks near 330 MB whatever the size.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { report, round, percentile, postgresUrl } from './support.ts';

const sizes = (process.env.BENCH_SANSAN_CARDS ?? '10000,100000').split(',').map(Number);
const nodeFlags = (process.env.BENCH_SANSAN_NODE_FLAGS ?? '--max-semi-space-size=8 --max-old-space-size=1024').split(' ').filter(Boolean);
const self = fileURLToPath(import.meta.url);

if (!process.env.BENCH_SANSAN_SIZE) {
  const rss: [number, number][] = [];
  for (const [i, size] of sizes.entries()) {
    const r = spawnSync(process.execPath, [...nodeFlags, self], {
      env: { ...process.env, BENCH_SANSAN_SIZE: String(size), BENCH_SANSAN_LAG: i === 0 ? '1' : '' },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    const out = r.stdout.toString();
    process.stdout.write(out);
    const peak = out.split('\n').find((l) => l.includes('"peak RSS'));
    if (peak) rss.push([size, JSON.parse(peak).value]);
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  if (rss.length > 1) {
    const [[s0, r0], [s1, r1]] = [rss[0]!, rss.at(-1)!];
    report({
      bench: 'sansan-sync',
      metric: `peak RSS growth ${s0} → ${s1} cards`,
      value: round(r1 - r0),
      unit: 'MB',
      note: `${round((r1 - r0) / ((s1 - s0) / 1000), 2)} MB per 1,000 cards`,
    });
  }
  process.exit(0);
}

const { openEngine } = await import('../test/sync/engine-handle.ts');
const { cardSync, DEFAULT_MAPPINGS, CUSTOM_PROPERTIES } = await import('../src/connectors/sansan/cards.ts');
const { syncSettingsSchema } = await import('../src/sync/engine/settings.ts');
const { Connections } = await import('../src/connections/store.ts');
const { createSecretBox } = await import('../src/secrets/secret-key.ts');
const { settings: sansanSettings, credentials: sansanCredentials } = await import('../src/connectors/sansan/settings.ts');
const { randomBytes } = await import('node:crypto');
const pg = (await import('pg')).default;
const { sql } = await import('drizzle-orm');

const SIZE = Number(process.env.BENCH_SANSAN_SIZE);
const LIMIT = 110;
const child = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `
  const { startHubSpotSandbox } = await import(${JSON.stringify(new URL('../sandbox/hubspot/index.ts', import.meta.url).href)});
  const { startSansanSandbox } = await import(${JSON.stringify(new URL('../sandbox/sansan/index.ts', import.meta.url).href)});
  const hubspot = await startHubSpotSandbox({ port: 0, limits: { tenSecondly: ${LIMIT}, privateAppTenSecondly: ${LIMIT} } });
  const sansan = await startSansanSandbox({ seed: { cards: ${SIZE}, tags: 50, seed: 5 }, limits: { requestsPerSecond: 10 } });
  console.log(JSON.stringify({ hubspot: hubspot.url, token: hubspot.info().portals.find((p) => p.type === 'STANDARD').privateAppToken, sansan: sansan.info() }));
  process.on('SIGTERM', async () => { await hubspot.close(); await sansan.close(); process.exit(0); });
`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const world = JSON.parse(line) as { hubspot: string; token: string; sansan: { baseUrl: string; apiBaseUrl: string; apiKeys: { key: string }[] } };

const dbName = `spokes_bench_sansan_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: postgresUrl });
await admin.connect();
await admin.query(`create database ${dbName}`);
const url = new URL(postgresUrl);
url.pathname = `/${dbName}`;
const note = () => `${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}; PostgreSQL`;
try {
  const h = await openEngine({ dataDir: '/nonexistent', databaseUrl: url.toString() }, world.hubspot, world.token, {
    tenSecondly: { oauth: LIMIT, private_app: LIMIT },
    searchPerSecond: 5,
  });
  const connections = new Connections(h.database.db, createSecretBox(randomBytes(32)), (slug) =>
    slug === 'sansan' ? { slug, single: false, settings: sansanSettings, credentials: sansanCredentials } : undefined,
  );
  const key = world.sansan.apiKeys[0]!.key;
  const view = await connections.insert({
    connector: 'sansan',
    label: 'bench',
    settings: { apiBaseUrl: world.sansan.apiBaseUrl },
    credentials: { apiKey: key },
  });
  const settings = syncSettingsSchema.parse({ enabled: true, mappings: DEFAULT_MAPPINGS.filter((m) => !CUSTOM_PROPERTIES.some((p) => p.name === m.hubspot)) });
  const config = { apiBaseUrl: world.sansan.apiBaseUrl, apiKey: key, tagIds: [] };
  const pass = () => h.engine.run('sansan', cardSync, { connectionId: view.id, settings, config });

  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0];
  const initial = await pass();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const synced = initial.created + initial.updated + initial.unchanged;
  const read = synced + initial.excluded + initial.failing;
  report({
    bench: 'sansan-sync',
    metric: `initial sync of ${SIZE} cards`,
    value: round(read / seconds),
    unit: 'records/s',
    ceiling: 1_100,
    target: 'min',
    note: `${read} cards read in ${round(seconds)} s (${initial.pages} pages); ${synced} in sync as ${initial.created} contacts created + ${initial.updated} merged into them; ${initial.excluded} excluded; ${note()}`,
  });
  report({
    bench: 'sansan-sync',
    metric: 'Spokes CPU per 1,000 cards (initial sync)',
    value: round((cpu.user + cpu.system) / 1e6 / (read / 1000), 3),
    unit: 's',
    note: `${round((cpu.user + cpu.system) / 1e6, 1)} s of CPU (user + system) in ${round(seconds)} s of wall time; load ${load0.toFixed(1)} at the start of the pass`,
  });
  report({
    bench: 'sansan-sync',
    metric: 'HubSpot requests per synced record',
    value: round(initial.hubspotRequests / Math.max(1, synced), 4),
    unit: 'requests',
    ceiling: 0.02,
    target: 'max',
    note: `${initial.hubspotRequests} requests for ${synced} records (batch upsert by e-mail, 100 per call)`,
  });
  report({
    bench: 'sansan-sync',
    metric: `peak RSS at ${SIZE} cards`,
    value: round(process.resourceUsage().maxRSS / 1024),
    unit: 'MB',
    ceiling: 300,
    target: 'max',
    note: `the Spokes side only (emulators in another process); node ${process.execArgv.join(' ') || '(no flags)'}`,
  });

  if (process.env.BENCH_SANSAN_LAG) {
    // 200 changes, one every 100 ms, while a poller runs passes every 5 s (the connector's default).
    const ids = (
      (await h.database.query(sql`select remote_id from sync_records where state = 'synced' order by remote_id limit 200`)) as { remote_id: string }[]
    ).map((r) => r.remote_id);
    let stop = false;
    const poller = (async () => {
      while (!stop) {
        const started = Date.now();
        await pass();
        await new Promise((r) => setTimeout(r, Math.max(0, 5_000 - (Date.now() - started))));
      }
    })();
    const changedAt = new Map<string, number>();
    for (const [i, id] of ids.entries()) {
      await fetch(`${world.sansan.baseUrl}/sandbox/cards/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Bench title ${i}` }),
      });
      changedAt.set(id, Date.now());
      await new Promise((r) => setTimeout(r, 100));
    }
    const lags: number[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const rows = (await h.database.query(
        sql`select cause, extract(epoch from occurred_at) * 1000 as at from audit_log where operation = 'update' and occurred_at > now() - interval '10 minutes'`,
      )) as { cause: string; at: number }[];
      lags.length = 0;
      for (const [id, at] of changedAt) {
        const hit = rows.filter((r) => r.cause.includes(id) && Number(r.at) >= at).map((r) => Number(r.at));
        if (hit.length) lags.push(Math.min(...hit) - at);
      }
      if (lags.length >= ids.length) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    stop = true;
    await poller;
    lags.sort((a, b) => a - b);
    const common = `${lags.length} of ${ids.length} changes reached HubSpot; poll every 5 s; HubSpot Data Sync: within 10 minutes`;
    report({ bench: 'sansan-sync', metric: 'incremental lag p50', value: round(percentile(lags, 50) / 1000, 2), unit: 's', note: common });
    report({
      bench: 'sansan-sync',
      metric: 'incremental lag p95',
      value: round(percentile(lags, 95) / 1000, 2),
      unit: 's',
      ceiling: 30,
      target: 'max',
      note: common,
    });
  }
  await h.close();
} finally {
  child.kill('SIGTERM');
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
  await admin.end();
}
