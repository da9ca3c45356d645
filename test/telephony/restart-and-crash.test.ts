/**
 * T8, exactly once across failures of Spokes itself: a restart while calls are
 * going on (the records of calls that ended meanwhile are fetched from the
 * checkpoint), on both engines; and, on PostgreSQL, a `spokes worker` process
 * killed with SIGKILL in the middle of writing calls to HubSpot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, engines, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { runSpokes, type SpokesProcess } from '../support/processes.ts';
import { envFor, freshNumber, setUpPhoneSystem, sleep, startEmulators, withHelpers, type OwnEmulators, type Telephony } from './telephony-support.ts';
import { eventually, startSpokes } from '../support/world.ts';

/**
 * A slow network between Spokes and HubSpot: requests go through at once (HubSpot does the work),
 * answers to the paths given are held back while `holdMs` is set, so a process can die before it
 * hears that its write succeeded.
 */
async function slowAnswers(target: string, paths: RegExp): Promise<{ url: string; holdMs: number; close(): Promise<void> }> {
  const { createServer, request } = await import('node:http');
  const state = { holdMs: 0 };
  const server = createServer((req, res) => {
    const upstream = request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (answer) => {
      const hold = paths.test(req.url!) ? state.holdMs : 0;
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () =>
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(answer.statusCode!, answer.headers);
          res.end(Buffer.concat(chunks));
        }, hold),
      );
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Call lengths in PBX seconds; the PBX runs 20 times faster than real time here. */
const TIME_SCALE = 0.05;

/** Asserts that HubSpot holds exactly one engagement for each call, once Spokes logged them all. */
async function assertOncePerCall(t: Telephony, callIds: string[], timeoutMs = 60_000): Promise<void> {
  for (const id of callIds) assert.equal((await t.loggedCall(id, timeoutMs)).state, 'logged', `call ${id}`);
  await t.settle(timeoutMs);
  const engagements = await t.engagements();
  for (const id of callIds) {
    const ids = t.idsOf(id);
    assert.equal(engagements.filter((e) => ids.includes(e.properties.hs_call_external_id!)).length, 1, `engagements for call ${id}`);
  }
}

for (const engine of engines) {
  describe(`A restart of Spokes while calls go on (${engine})`, () => {
    let emulators: OwnEmulators;
    let db: TestDatabase;
    let t: Telephony | undefined;

    before(async () => {
      emulators = await startEmulators({ owners: 3, timeScale: TIME_SCALE });
      db = await createTestDatabase(engine);
    });
    after(async () => {
      await t?.close();
      await emulators.close();
      await db.drop();
    });

    const start = async (port?: number) => {
      const env = envFor(emulators, db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {});
      const handle = await startSpokes({ env, dataDir: db.dataDir, port });
      return withHelpers(handle, emulators.hubspot, emulators.pbx, emulators.portalId, emulators.token);
    };

    it('logs every call exactly once, those that ended while it was down included', async () => {
      t = await start();
      await setUpPhoneSystem(t.admin, emulators.pbx);
      const call = (extension: string, outcome: 'answered' | 'no_answer', seconds: number) =>
        emulators.pbx.simulateCall({ direction: 'inbound', external: freshNumber(), extension, outcome, ringSeconds: 5, talkSeconds: seconds }).call_id;
      const before = call('2001', 'answered', 5);
      await t.loggedCall(before);

      // Calls in progress when Spokes stops: some end while it is down, one after it is back.
      const during = [call('2001', 'answered', 20), call('2002', 'no_answer', 0), call('2003', 'answered', 60), call('2002', 'answered', 100)];
      await sleep(300);
      const port = t.port;
      await t.close({ keepData: true });
      const whileDown = [call('2001', 'no_answer', 0), call('2003', 'answered', 10)];
      const endedWhileDown = [...whileDown, during[0]!, during[1]!];
      await eventually('calls to end while Spokes is down', () => endedWhileDown.every((id) => emulators.pbx.cdrs().some((c) => c.call_id === id)));
      t = await start(port);
      const afterRestart = [call('2001', 'answered', 10)];
      await assertOncePerCall(t, [before, ...during, ...whileDown, ...afterRestart]);
    });
  });
}

if (postgresUrl) {
  describe('A worker killed in the middle of logging calls (PostgreSQL)', () => {
    let emulators: OwnEmulators;
    let db: TestDatabase;
    let t: Telephony;
    let network: Awaited<ReturnType<typeof slowAnswers>>;
    const workers: SpokesProcess[] = [];
    const env = () => envFor(emulators, { DATABASE_URL: db.databaseUrl!, SPOKES_DATA_DIR: db.dataDir, HUBSPOT_BASE_URL: network.url });

    before(async () => {
      emulators = await startEmulators({ owners: 3, timeScale: TIME_SCALE });
      db = await createTestDatabase('postgres');
      network = await slowAnswers(emulators.hubspot.url, /\/crm\/v3\/objects\/calls\/batch\/create/);
      // This process serves the admin API and holds the PBX event stream; `spokes worker` processes log the calls.
      const handle = await startSpokes({ env: env(), dataDir: db.dataDir, worker: false });
      t = withHelpers(handle, emulators.hubspot, emulators.pbx, emulators.portalId, emulators.token);
      await setUpPhoneSystem(t.admin, emulators.pbx);
    });
    after(async () => {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await t.close();
      await network.close();
      await emulators.close();
      await db.drop();
    });

    const startWorker = async () => {
      const worker = runSpokes(['worker'], { ...env(), SPOKES_LOG_LEVEL: 'info' });
      workers.push(worker);
      await worker.waitFor(/job gate open/);
      return worker;
    };

    it('logs every call exactly once: the calls it was writing are found in HubSpot, not written again', async () => {
      const first = await startWorker();
      // HubSpot writes the calls at once, but its answer takes a while: the worker dies before it hears it.
      network.holdMs = 3_000;
      const calls = Array.from(
        { length: 6 },
        (_, i) =>
          emulators.pbx.simulateCall({
            direction: i % 2 ? 'outbound' : 'inbound',
            external: freshNumber(),
            extension: String(2001 + (i % 3)),
            outcome: i % 3 ? 'answered' : 'no_answer',
            ringSeconds: 5,
            talkSeconds: 10,
          }).call_id,
      );
      await eventually('the worker to start writing', async () => (await t.logged()).some((c) => c.state === 'writing'), { timeoutMs: 10_000 });
      await sleep(1_000);
      first.child.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');
      network.holdMs = 0;
      const stranded = (await t.logged()).filter((c) => c.state === 'writing').length;
      assert.ok(stranded > 0, 'the killed worker left calls it was writing');
      assert.ok((await t.engagements()).length > 0, 'HubSpot did create calls the killed worker never heard back about');

      await startWorker();
      await assertOncePerCall(t, calls, 90_000);
    });
  });
}
