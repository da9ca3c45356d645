/**
 * The call history over 100,000 calls (target: every query p99 < 200 ms), on
 * PGlite and PostgreSQL: search by number (whole, and a part), by contact
 * name, a common word, one day, a user over a week, the calls not logged, a
 * user's missed calls, internal calls (none), a rare combination, and page 50
 * of a walk by cursor — through the query the
 * API runs (readHistoryPage), with the plans checked to use the indexes of
 * migration 0006. The table is filled directly, with generated calls.
 */
import { cpus, loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { historyPageSchema, historyWhere, readHistory, readHistoryPage, type HistoryPage } from '../src/connectors/telephony/call-history.ts';
import { createTestDatabase } from '../test/support/databases.ts';
import { createRandom } from '../sandbox/hubspot/random.ts';
import { percentile, postgresUrl, report, round } from './support.ts';

process.env.TEST_DATABASE_URL ??= postgresUrl;
const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const RUNS = 200;
const CEILING_MS = 200;
const OWNERS = Array.from({ length: 25 }, (_, i) => String(70_000_000 + i));
const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'John',
  'Radia',
  'Tim',
  'Hedy',
  'Edsger',
  'Sophie',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Backus',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Dijkstra',
  'Wilson',
  'Müller',
  'Ångström',
];
const NOW = Date.now();
const SPAN_MS = 90 * 86_400_000;

interface Known {
  number: string;
  name: string;
  ownerId: string;
  startedAt: number;
}

/** 100,000 calls over 90 days: 25 users, 4,000 contacts with names, 2 % not logged, 1 % the widget's own rows. */
async function fill(database: Database): Promise<{ seconds: number; known: Known[] }> {
  const random = createRandom('call-history-bench');
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const contacts = Array.from({ length: 4_000 }, (_, i) => ({
    id: String(1_000_000 + i),
    name: `${pick(FIRST)} ${pick(LAST)}`,
    number: `+1${2 + Math.floor(random() * 7)}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`,
  }));
  const known: Known[] = [];
  const started = performance.now();
  let rows: Record<string, unknown>[] = [];
  const flush = async () => {
    await database.query(sql`insert into call_logs (cdr_id, call_id, direction, status, extension, external_number, started_at, duration_ms,
        owner_id, contact_id, contact_name, engagement_id, state, detail, source, record_key, logged_at)
      select cdr_id, call_id, direction, status, extension, external_number, started_at, duration_ms,
        owner_id, contact_id, contact_name, engagement_id, state, detail, source, record_key, logged_at
      from json_populate_recordset(null::call_logs, ${JSON.stringify(rows)}::json)`);
    rows = [];
  };
  for (let i = 0; i < CALLS; i++) {
    const contact = random() < 0.6 ? pick(contacts) : null;
    const number = contact?.number ?? `+1${2 + Math.floor(random() * 7)}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`;
    const ownerIndex = Math.floor(random() * OWNERS.length);
    const at = NOW - Math.floor(random() * SPAN_MS);
    const r = random();
    const state = r < 0.96 ? 'logged' : r < 0.98 ? 'skipped' : r < 0.99 ? 'failed' : 'retrying';
    const direction = random() < 0.55 ? 'inbound' : 'outbound';
    const s = random();
    const status = s < 0.7 ? 'answered' : s < 0.9 ? 'no_answer' : s < 0.95 ? 'busy' : 'voicemail';
    const cdrId = `${Math.floor(at / 1000)}.${i}`;
    rows.push({
      cdr_id: cdrId,
      call_id: String(9_000_000 + i),
      direction,
      status,
      extension: String(1001 + ownerIndex),
      external_number: number,
      started_at: new Date(at).toISOString(),
      duration_ms: status === 'answered' ? Math.floor(random() * 600_000) : 0,
      owner_id: OWNERS[ownerIndex],
      contact_id: contact?.id ?? null,
      contact_name: contact?.name ?? null,
      engagement_id: state === 'logged' ? String(50_000_000 + i) : null,
      state,
      detail:
        state === 'skipped'
          ? `extension ${1001 + ownerIndex} is not bound to a HubSpot user`
          : state === 'logged'
            ? null
            : 'HubSpot answered 503 Service Unavailable',
      source: random() < 0.01 ? 'widget' : 'cdr',
      record_key: `${cdrId}|1${1001 + ownerIndex}|${number.slice(1)}`,
      logged_at: state === 'logged' ? new Date(at + 5_000).toISOString() : null,
    });
    if (contact && i % 25 === 0) known.push({ number, name: contact.name, ownerId: OWNERS[ownerIndex]!, startedAt: at });
    if (rows.length >= 10_000) await flush();
  }
  if (rows.length) await flush();
  await database.query(sql`vacuum analyze call_logs`);
  return { seconds: (performance.now() - started) / 1000, known };
}

/** The plan of each query shape: no sequential scan of call_logs. */
async function checkPlans(database: Database, shapes: Record<string, HistoryPage>): Promise<void> {
  for (const [name, page] of Object.entries(shapes)) {
    const plan = (
      await database.query<{ 'QUERY PLAN': string }>(
        sql`explain select cdr_id from call_logs where ${historyWhere(page)} order by started_at desc, cdr_id desc limit 51`,
      )
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    if (/Seq Scan on call_logs/.test(plan)) throw new Error(`the ${name} query scans the whole table:\n${plan}`);
  }
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

async function measure(engine: 'pglite' | 'postgres'): Promise<void> {
  const t = await createTestDatabase(engine);
  const database = await openDatabase(t);
  try {
    await applyMigrations(database);
    const { seconds, known } = await fill(database);
    const random = createRandom(`queries-${engine}`);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const query = (q: Record<string, unknown>) => readHistoryPage(database.db, historyPageSchema.parse(q) as HistoryPage);
    const week = (k: Known) => ({ from: new Date(k.startedAt - 3 * 86_400_000).toISOString(), to: new Date(k.startedAt + 4 * 86_400_000).toISOString() });
    const shapes: Record<string, () => Record<string, unknown>> = {
      first_page: () => ({}),
      search_number: () => ({ q: pick(known).number }),
      search_number_part: () => ({ q: pick(known).number.slice(-6) }),
      search_name: () => ({ q: pick(known).name.split(' ')[0]! + ' ' + pick(known).name.split(' ')[1]!.slice(0, 4) }),
      user_and_week: () => {
        const k = pick(known);
        return { ownerId: k.ownerId, ...week(k) };
      },
      not_logged: () => ({ logged: 'not_logged' }),
      user_missed: () => ({ ownerId: pick(OWNERS), outcome: 'missed' }),
      search_common_word: () => ({ q: pick(FIRST).toLowerCase() }),
      one_day: () => {
        const k = pick(known);
        return { from: new Date(k.startedAt - 43_200_000).toISOString(), to: new Date(k.startedAt + 43_200_000).toISOString() };
      },
      // No generated call is internal: the filter matches nothing, the worst case for a walk along an index.
      internal_none: () => ({ direction: 'internal' }),
      outbound_unanswered: () => ({ outcome: 'unanswered' }),
      rare_combination: () => {
        const k = pick(known);
        return { q: k.name.split(' ')[1], ownerId: k.ownerId, logged: 'failed', direction: 'outbound', ...week(k) };
      },
    };
    await checkPlans(database, Object.fromEntries(Object.entries(shapes).map(([n, make]) => [n, historyPageSchema.parse(make()) as HistoryPage])));
    const load = () => `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
    // Warm-up, as in a running server (on PGlite, V8 has not yet optimised the database's WebAssembly).
    for (let i = 0; i < 100; i++) await query(pick(Object.values(shapes))());
    for (const [name, make] of Object.entries(shapes)) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push(await timed(() => query(make())));
      times.sort((a, b) => a - b);
      report({ bench: 'call-history', metric: `${name}_p50_${engine}`, value: round(percentile(times, 50), 2), unit: 'ms' });
      report({
        bench: 'call-history',
        metric: `${name}_p99_${engine}`,
        value: round(percentile(times, 99), 2),
        unit: 'ms',
        ceiling: CEILING_MS,
        target: 'max',
        note: `${CALLS.toLocaleString('en')} calls, ${RUNS} queries, 50 rows a page; ${load()}`,
      });
    }
    // Page 50 of a walk by cursor, 50 calls a page: unfiltered, and one user's.
    const deep: number[] = [];
    for (let walk = 0; walk < 20; walk++) {
      const filter = walk % 2 ? { ownerId: pick(OWNERS) } : {};
      let cursor: string | undefined;
      for (let p = 1; p <= 50; p++) {
        let next: string | null = null;
        const ms = await timed(async () => {
          next = (await query({ ...filter, limit: 50, ...(cursor ? { cursor } : {}) })).nextCursor;
        });
        if (p === 50) deep.push(ms);
        cursor = next ?? undefined;
        if (!cursor) break;
      }
    }
    deep.sort((a, b) => a - b);
    report({
      bench: 'call-history',
      metric: `page_50_p99_${engine}`,
      value: round(percentile(deep, 99), 2),
      unit: 'ms',
      ceiling: CEILING_MS,
      target: 'max',
      note: `page 50 of 20 cursor walks (50 calls a page, half of them one user's)`,
    });
    // The CSV export reads everything, 1,000 rows a query.
    let exported = 0;
    const exportMs = await timed(async () => {
      for await (const rows of readHistory(database.db, {})) exported += rows.length;
    });
    report({
      bench: 'call-history',
      metric: `export_all_${engine}`,
      value: round(exportMs / 1000, 2),
      unit: 's',
      note: `${exported.toLocaleString('en')} rows read for the CSV export (the widget's rows left out); table filled in ${round(seconds)} s`,
    });
  } finally {
    await database.close();
    await t.drop();
  }
}

await measure('pglite');
await measure('postgres');
