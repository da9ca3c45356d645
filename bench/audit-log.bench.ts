/**
 * The Activity page over 1,000,000 audit rows (target: p99 < 100 ms per page),
 * on PGlite and PostgreSQL: the queries the page sends (`AuditLog.query`, as
 * GET /api/audit runs it) — newest first with no filter, by connector, by
 * connection, by object type, failed writes only, combinations with a time
 * range, a combination that matches nothing (the worst case: its index is read
 * to the end), and a page deep in the history by keyset cursor.
 *
 * The table is filled in the database (generate_series): 90 days of writes by
 * four connectors — telephony 60 %, sansan 25 %, salesforce 10 %, booking 5 % —
 * 97 % succeeded, 2 % failed, 1 % skipped.
 */
import { cpus, loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { AuditLog, type AuditQuery } from '../src/sync/audit-log.ts';
import { createTestDatabase } from '../test/support/databases.ts';
import { percentile, postgresUrl, report, round } from './support.ts';

process.env.TEST_DATABASE_URL ??= postgresUrl;
const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const SAMPLES = 200;
const DAY = 86_400_000;

async function fill(database: Database): Promise<number> {
  const started = performance.now();
  const chunk = 100_000;
  // A deterministic spread from the row number (Knuth's multiplicative hash), no random() to keep runs comparable.
  for (let from = 1; from <= ROWS; from += chunk) {
    const to = Math.min(ROWS, from + chunk - 1);
    await database.query(sql`
      insert into audit_log (occurred_at, connector, connection_id, target, object_type, object_id, operation, cause_type, cause, idempotency_key, outcome, error)
      select
        now() - (${ROWS}::bigint - g) * (interval '90 days' / ${ROWS}),
        c.connector, c.connector || '-conn' || (h % 3), 'hubspot',
        case c.connector when 'telephony' then (array['call','contact','call','call'])[1 + h % 4]
                         when 'booking' then (array['meeting','contact'])[1 + h % 2]
                         else (array['contact','company','deal','task'])[1 + h % 4] end,
        (100000 + g)::text, (array['create','update','update','associate'])[1 + (h / 7) % 4], 'record', 'record ' || g, 'k' || g,
        case when h % 100 < 2 then 'failed' when h % 100 < 3 then 'skipped' else 'succeeded' end,
        case when h % 100 < 2 then 'Property values were not valid' end
      from generate_series(${from}::bigint, ${to}::bigint) g,
        lateral (select (g * 2654435761) % 4294967296 as h) hh,
        lateral (select case when h % 20 < 12 then 'telephony' when h % 20 < 17 then 'sansan' when h % 20 < 19 then 'salesforce' else 'booking' end as connector) c`);
  }
  await database.query(sql`vacuum analyze audit_log`);
  return (performance.now() - started) / 1000;
}

interface Case {
  name: string;
  query(i: number): AuditQuery;
}

async function measure(audit: AuditLog, c: Case): Promise<number[]> {
  const times: number[] = [];
  // Warm-up, as a server that has shown the page before.
  for (let i = 0; i < 10; i++) await audit.query(c.query(i));
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await audit.query(c.query(i));
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function plan(database: Database, where: string): Promise<string> {
  const rows = await database.query<{ 'QUERY PLAN': string }>(
    sql.raw(`explain select * from audit_log where ${where} order by occurred_at desc, id desc limit 51`),
  );
  const text = rows.map((r) => r['QUERY PLAN']).join(' ');
  return /Seq Scan/.test(text) ? `SEQ SCAN (${where})` : (text.match(/audit_log_\w+/g) ?? []).join('+');
}

async function run(engine: 'pglite' | 'postgres'): Promise<void> {
  const t = await createTestDatabase(engine);
  const database = await openDatabase(t);
  try {
    await applyMigrations(database);
    const fillSeconds = await fill(database);
    const audit = new AuditLog(database.db);
    const now = Date.now();
    const connectors = ['telephony', 'sansan', 'salesforce', 'booking'];
    const objects = ['call', 'contact', 'company', 'deal', 'meeting'];
    const ranges = [DAY, 7 * DAY, 30 * DAY];
    // A cursor deep in the history: page 200 of the unfiltered list.
    let deep: string | undefined;
    for (let p = 0; p < 200; p++) deep = (await audit.query({ cursor: deep })).nextCursor ?? deep;
    const cases: Case[] = [
      { name: 'newest', query: () => ({}) },
      { name: 'last_24h', query: () => ({ since: new Date(now - DAY) }) },
      { name: 'connector', query: (i) => ({ connector: connectors[i % 4] }) },
      { name: 'connection', query: (i) => ({ connection: `${connectors[i % 4]}-conn${i % 3}` }) },
      { name: 'object', query: (i) => ({ object: objects[i % 5] }) },
      { name: 'failed', query: () => ({ outcome: 'failed' }) },
      { name: 'connector_failed_range', query: (i) => ({ connector: connectors[i % 4], outcome: 'failed', since: new Date(now - ranges[i % 3]!) }) },
      { name: 'connector_object_range', query: (i) => ({ connector: connectors[i % 4], object: objects[i % 5], since: new Date(now - ranges[i % 3]!) }) },
      { name: 'connector_object_failed', query: (i) => ({ connector: connectors[i % 4], object: objects[i % 5], outcome: 'failed' }) },
      { name: 'object_skipped', query: (i) => ({ object: objects[i % 5], outcome: 'skipped' }) },
      // booking writes meetings and contacts only: nothing matches (without an index for the pair, the whole booking index is read).
      { name: 'no_match', query: (i) => ({ connector: 'booking', object: 'call', ...(i % 2 ? { outcome: 'failed' } : {}) }) },
      { name: 'deep_page_cursor', query: () => ({ cursor: deep }) },
    ];
    const plans = (
      await Promise.all(
        [
          'true',
          `connector = 'sansan'`,
          `connection_id = 'sansan-conn1'`,
          `object_type = 'deal'`,
          `outcome = 'failed'`,
          `connector = 'booking' and object_type = 'call'`,
          `connector = 'sansan' and outcome = 'skipped'`,
          `object_type = 'deal' and outcome = 'failed'`,
          `connector = 'booking' and object_type = 'call' and outcome = 'failed'`,
        ].map((w) => plan(database, w)),
      )
    ).join(', ');
    // As a server that has served the page for a while: the pages and the WebAssembly (PGlite) warm.
    for (let i = 0; i < 300; i++) await audit.query(cases[i % cases.length]!.query(i));
    const load = `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
    report({
      bench: 'audit-log',
      metric: `fill_seconds_${engine}`,
      value: round(fillSeconds),
      unit: 's',
      note: `${ROWS} rows with their 10 indexes, then vacuum analyze; plans: ${plans}`,
    });
    for (const c of cases) {
      const times = await measure(audit, c);
      report({ bench: 'audit-log', metric: `page_${c.name}_p50_${engine}`, value: round(percentile(times, 50), 2), unit: 'ms' });
      report({
        bench: 'audit-log',
        metric: `page_${c.name}_p99_${engine}`,
        value: round(percentile(times, 99), 2),
        unit: 'ms',
        ceiling: 100,
        target: 'max',
        note: `${SAMPLES} pages of 50 over ${ROWS} rows; ${load}`,
      });
    }
  } finally {
    await database.close();
    await t.drop();
  }
}

await run('pglite');
await run('postgres');
