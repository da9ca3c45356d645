/**
 * Spokes on PostgreSQL when the database cuts its connections (a restart, a failover, an admin's
 * `pg_terminate_backend`): a real `spokes start` process logs a burst of PBX calls while every one
 * of its connections is terminated, four times, and the database refuses new connections for the
 * seconds in which a whole wave of calls ends. Every call reaches HubSpot exactly once, and the
 * process is still serving afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { runSpokes, type SpokesProcess } from '../support/processes.ts';
import { eventually, freePort, signInOverHttp, TEST_ADMIN_PASSWORD } from '../support/world.ts';
import { crmRequest, envFor, freshNumber, setUpPhoneSystem, startEmulators, type OwnEmulators } from './telephony-support.ts';

/** The PBX runs 20 times faster than real time: a call of 20 PBX seconds takes one real second. */
const TIME_SCALE = 0.05;
const WAVES = 3;
const CALLS_PER_WAVE = 50;

describe('Database connections cut while calls are logged (PostgreSQL)', { skip: postgresUrl ? false : 'needs TEST_DATABASE_URL' }, () => {
  let emulators: OwnEmulators;
  let db: TestDatabase;
  let spokes: SpokesProcess;
  let url: string;
  /** The test's own connection: it reads Spokes' tables and terminates every other backend of the database. */
  let watcher: pg.Client;
  let dbName: string;
  let admin: pg.Client;

  before(async () => {
    // The real idle timeout: the event stream stays up, so only the outage (not a dropped socket) can make Spokes back-fill.
    emulators = await startEmulators({ owners: 3, timeScale: TIME_SCALE, wsIdleMs: 60_000 });
    db = await createTestDatabase('postgres');
    const port = await freePort();
    url = `http://localhost:${port}`;
    spokes = runSpokes(
      ['start'],
      envFor(emulators, {
        DATABASE_URL: db.databaseUrl!,
        SPOKES_DATA_DIR: db.dataDir,
        SPOKES_PORT: String(port),
        SPOKES_PUBLIC_URL: url,
        SPOKES_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        SPOKES_LOG_LEVEL: 'warn',
        SPOKES_SHUTDOWN_TIMEOUT_MS: '2000',
      }),
    );
    await spokes.waitFor(/is running at/, 60_000);
    const adminHttp = await signInOverHttp({ url, password: TEST_ADMIN_PASSWORD });
    await setUpPhoneSystem(adminHttp, emulators.pbx);
    // Unknown callers become contacts: more writes, in transactions (the phone index), while the connections go.
    const res = await adminHttp.request('PATCH', '/api/telephony/settings', { autoCreate: { inbound: true, outbound: true } });
    assert.equal(res.status, 200, await res.text());
    watcher = new pg.Client({ connectionString: db.databaseUrl });
    await watcher.connect();
    dbName = new URL(db.databaseUrl!).pathname.slice(1);
    // A database cannot refuse connections from a session of its own: the switch is thrown from the server's admin database.
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
  });
  after(async () => {
    await watcher?.end().catch(() => {});
    await admin?.end().catch(() => {});
    if (spokes && spokes.child.exitCode === null && spokes.child.signalCode === null) spokes.child.kill('SIGTERM');
    await spokes?.exited;
    await emulators?.close();
    await db?.drop();
  });

  /** Why waiting on is pointless: Spokes exited (with the end of its output). */
  const spokesExited = () => {
    const { exitCode, signalCode } = spokes.child;
    return exitCode === null && signalCode === null ? undefined : `Spokes exited (${exitCode ?? signalCode}); output:\n${spokes.output().slice(-6000)}`;
  };

  const count = async (query: string) => (await watcher.query<{ n: number }>(query)).rows[0]!.n;
  /** Every connection of the database but the test's own: Spokes' pools, its LISTEN and lock connections, pg-boss's. */
  const terminateSpokesConnections = (filter = '') =>
    count(`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() ${filter}`);

  /** Engagements HubSpot holds per external id (the PBX record's uid, issue 9's one scheme for every call). */
  async function engagementsByExternalId(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let after: string | undefined;
    do {
      const page = (await crmRequest(
        emulators.hubspot.url,
        emulators.token,
        'GET',
        `/crm/v3/objects/calls?limit=100&properties=hs_call_external_id${after ? `&after=${after}` : ''}`,
      )) as { results: { properties: { hs_call_external_id: string } }[]; paging?: { next?: { after: string } } };
      for (const r of page.results) counts.set(r.properties.hs_call_external_id, (counts.get(r.properties.hs_call_external_id) ?? 0) + 1);
      after = page.paging?.next?.after;
    } while (after);
    return counts;
  }

  const idsOf = (callId: string) => {
    const cdr = emulators.pbx.cdrs().find((c) => c.call_id === callId);
    return cdr ? [cdr.uid] : [];
  };

  it('logs every call of the burst exactly once and keeps serving', { timeout: 110_000 }, async () => {
    const calls: string[] = [];
    const terminated: number[] = [];
    const started = Date.now();
    // Calls of 0–40 PBX seconds end over the next two real seconds: their records arrive while the connections go.
    const simulateWave = () => {
      const wave = Array.from(
        { length: CALLS_PER_WAVE },
        (_, i) =>
          emulators.pbx.simulateCall({
            direction: i % 3 === 2 ? 'outbound' : 'inbound',
            external: freshNumber(),
            extension: String(2001 + (i % 3)),
            outcome: i % 5 === 4 ? 'no_answer' : 'answered',
            ringSeconds: 1 + (i % 4),
            talkSeconds: i % 5 === 4 ? 0 : (i * 7) % 40,
          }).call_id,
      );
      calls.push(...wave);
      return wave;
    };
    for (let wave = 0; wave < WAVES; wave++) {
      if (wave === WAVES - 1) {
        // Last, so that no later gap of the stream back-fills what it missed: an outage of a few seconds (a restart, a failover): no new connection is accepted while a wave of calls ends.
        // The PBX stream's lock connection stays, so Spokes keeps receiving call records it cannot enqueue.
        // Once Spokes holds the PBX stream again (the last cut took its lock: it re-leads and writes a checkpoint since).
        const {
          rows: [cut],
        } = await watcher.query<{ at: Date }>('select now() as at');
        await eventually(
          'the PBX event stream to be back',
          async () =>
            (await count(`select count(*)::int as n from connections c join checkpoints k on k.connection_id = c.id and k.name = 'pbx-events'
          where c.connector = 'telephony' and c.info->>'streamState' = 'connected'
            and (k.value->>'eventsSeenUntil')::timestamptz > '${cut!.at.toISOString()}'`)) === 1,
          { timeoutMs: 30_000, giveUpIf: spokesExited },
        );
        await eventually(
          'Spokes to have reconnected',
          async () =>
            (await count(`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and application_name not like 'spokes-stream-lock:%'`)) > 3,
          { timeoutMs: 15_000, giveUpIf: spokesExited },
        );
        await admin.query(`alter database "${dbName}" allow_connections false`);
        try {
          terminated.push(await terminateSpokesConnections(`and application_name not like 'spokes-stream-lock:%'`));
          const wavesCalls = simulateWave();
          await eventually(
            'the PBX to have recorded every call of the wave',
            async () => {
              const recorded = new Set(emulators.pbx.cdrs().map((c) => c.call_id));
              return wavesCalls.every((c) => recorded.has(c));
            },
            { timeoutMs: 30_000, giveUpIf: spokesExited },
          );
        } finally {
          await admin.query(`alter database "${dbName}" allow_connections true`);
        }
        continue;
      }
      simulateWave();
      // Cut as the wave's first records are being logged and again halfway (jobs in flight, transactions open, events arriving).
      for (const share of [0.1, 0.5]) {
        const floor = (wave + share) * CALLS_PER_WAVE;
        await eventually('the wave to be logging calls', async () => (await count(`select count(*)::int as n from call_logs`)) > floor, {
          timeoutMs: 30_000,
          giveUpIf: spokesExited,
        });
        // Right after a cut Spokes may hold no connection yet: cut again once it has reconnected.
        terminated.push(
          await eventually('Spokes to have connections to cut', async () => (await terminateSpokesConnections()) || undefined, {
            timeoutMs: 10_000,
            giveUpIf: spokesExited,
          }),
        );
      }
    }
    assert.ok(
      terminated.every((n) => n > 0),
      `Spokes' connections were terminated: ${terminated.join(', ')}`,
    );
    assert.equal(calls.length, WAVES * CALLS_PER_WAVE);

    const missing = await eventually(
      'every call in HubSpot',
      async () => {
        const byId = await engagementsByExternalId();
        return calls.every((c) => idsOf(c).some((id) => byId.has(id))) && byId;
      },
      { timeoutMs: 70_000, giveUpIf: spokesExited },
    ).then(
      () => [] as string[],
      async (err: Error) => {
        if (/Spokes exited/.test(err.message)) throw err;
        const byId = await engagementsByExternalId().catch(() => new Map());
        return calls.filter((c) => !idsOf(c).some((id) => byId.has(id)));
      },
    );
    assert.deepEqual(missing, [], `calls not in HubSpot (lost); output:\n${spokes.output().slice(-6000)}`);
    // Nothing left that could still write a second engagement.
    await eventually(
      'the telephony jobs to settle',
      async () =>
        (await count(`select count(*)::int as n from pgboss.job
      where name like 'telephony.%' and state in ('created', 'retry', 'active')`)) === 0,
      { timeoutMs: 30_000, giveUpIf: spokesExited },
    );
    const byId = await engagementsByExternalId();
    const duplicated = calls.filter((c) => idsOf(c).reduce((n, id) => n + (byId.get(id) ?? 0), 0) !== 1);
    assert.deepEqual(duplicated, [], 'every call has exactly one engagement');

    const health = await eventually(
      'GET /healthz to answer 200',
      async () => {
        const res = await fetch(`${url}/healthz`);
        return res.status === 200 && res.json();
      },
      { timeoutMs: 15_000, giveUpIf: spokesExited },
    );
    assert.equal((health as { status: string }).status, 'ok');
    assert.equal(spokes.child.exitCode, null, 'the process is still running');
    assert.doesNotMatch(spokes.output(), /Unhandled 'error' event|uncaught/i);
    // Its warnings name ids, not the callers' numbers or the users' e-mail addresses (failed queries included).
    assert.match(spokes.output(), /Failed query|database error/, 'failed queries were logged');
    assert.doesNotMatch(spokes.output(), /1650555\d{4}/, 'no caller number in the log');
    assert.doesNotMatch(spokes.output(), /[\w.+-]+@[\w-]+\.[a-z]{2,}/i, 'no e-mail address in the log');
    process.stdout.write(`# ${calls.length} calls, connections terminated ${terminated.join('/')} times, all logged after ${Date.now() - started} ms\n`);
  });
});
