/**
 * The PBX event stream as an admin and a scaled-out deployment see it: the
 * Phone system status says "reconnecting", with the reason, when the PBX goes
 * away; on PostgreSQL one serving process holds the stream, live call events
 * reach pages served by any process, and when the leader loses its database
 * connection another process takes the stream over without losing a call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, engines, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { telephonyContext } from '../../src/connectors/telephony/context.ts';
import {
  envFor,
  freshNumber,
  openEventStream,
  setUpPhoneSystem,
  sleep,
  startEmulators,
  withHelpers,
  type OwnEmulators,
  type Telephony,
} from './telephony-support.ts';
import { eventually, startSpokes } from '../support/world.ts';

interface StreamStatus {
  streamState: string;
  lastError: string | null;
}

async function streamStatus(t: Telephony): Promise<StreamStatus> {
  const res = await t.admin.request('GET', '/api/telephony');
  const body = (await res.json()) as { connection: StreamStatus };
  return { streamState: body.connection.streamState, lastError: body.connection.lastError };
}

for (const engine of engines) {
  describe(`The event stream's state on the Phone system page (${engine})`, () => {
    let emulators: OwnEmulators;
    let db: TestDatabase;
    let t: Telephony;

    before(async () => {
      emulators = await startEmulators({ owners: 2 });
      db = await createTestDatabase(engine);
      const handle = await startSpokes({ env: envFor(emulators, db.env), dataDir: db.dataDir });
      t = withHelpers(handle, emulators.hubspot, emulators.pbx, emulators.portalId, emulators.token);
      await setUpPhoneSystem(t.admin, emulators.pbx);
    });
    after(async () => {
      await t.close();
      await emulators.hubspot.close();
      await db.drop();
    });

    it('is connected while subscribed, and reconnecting with the reason once the PBX is gone', async () => {
      const up = await eventually('stream state', async () => {
        const s = await streamStatus(t);
        if (!(s.streamState === 'connected')) throw new Error(`still ${JSON.stringify(s)}`);
        return s;
      });
      assert.equal(up.lastError, null);
      await emulators.pbx.close();
      const down = await eventually('stream state', async () => {
        const s = await streamStatus(t);
        if (!(s.streamState === 'reconnecting' && !!s.lastError)) throw new Error(`still ${JSON.stringify(s)}`);
        return s;
      });
      assert.match(down.lastError!, /closed|ECONNREFUSED|connect|unavailable|reach/i);
    });

    it('stops at once while pages hold live event streams open', async () => {
      const stream = await openEventStream(t, await t.ownerOf('2001').catch(() => '1'));
      assert.equal(stream.status, 200);
      const started = Date.now();
      await t.close();
      assert.ok(Date.now() - started < 5_000, `stopping took ${Date.now() - started} ms`);
      stream.close();
    });
  });
}

if (postgresUrl) {
  describe('Two serving processes on PostgreSQL', () => {
    let emulators: OwnEmulators;
    let db: TestDatabase;
    const processes: Telephony[] = [];
    const streams: { close(): void }[] = [];

    before(async () => {
      // Real time: a compressed PBX drops idle sockets every few seconds, and ringing events with them.
      emulators = await startEmulators({ owners: 2, timeScale: 1 });
      db = await createTestDatabase('postgres');
    });
    after(async () => {
      for (const s of streams) s.close();
      for (const p of processes) await p.close({ keepData: true });
      await emulators.close();
      await db.drop();
    });

    const start = async () => {
      const handle = await startSpokes({ env: envFor(emulators, db.env), dataDir: db.dataDir });
      const t = withHelpers(handle, emulators.hubspot, emulators.pbx, emulators.portalId, emulators.token);
      processes.push(t);
      return t;
    };
    const leads = (t: Telephony) => telephonyContext(t.runtime.services.platform.context('telephony')).listener.leader;

    it('relay live events to every process, and hand the stream over when the leader loses its database connection', async () => {
      const a = await start();
      await setUpPhoneSystem(a.admin, emulators.pbx);
      await eventually('process A leads', () => leads(a));
      const b = await start();
      await sleep(500);
      assert.equal(leads(b), false, 'one leader at a time');

      // A page served by B (not the leader) sees its user's call.
      const owner = await a.ownerOf('2001');
      const onB = await openEventStream(b, owner);
      streams.push(onB);
      const first = emulators.pbx.simulateCall({
        direction: 'inbound',
        external: freshNumber(),
        extension: '2001',
        outcome: 'answered',
        ringSeconds: 0.5,
        talkSeconds: 1,
      }).call_id;
      await onB.waitFor((events) => events.some((e) => e.callId === first && e.state === 'ringing'), 'ringing on a page served by process B');
      assert.equal((await a.engagementsOf(first)).length, 1);

      // The leader's lock connection dies (a database failover, a network cut): B takes the stream over.
      const admin = new pg.Client({ connectionString: db.databaseUrl });
      await admin.connect();
      const { rowCount } = await admin.query(`select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
          and objsubid = 2 and classid::bigint = 7302119 and objid::bigint = (hashtext('telephony:pbx-events')::bigint & 4294967295)`);
      await admin.end();
      assert.equal(rowCount, 1, 'the leader held its lock on a connection of its own');
      await eventually('process A stands down', () => !leads(a), { timeoutMs: 10_000 });
      await eventually('process B takes the stream', () => leads(b), { timeoutMs: 15_000 });
      await eventually('B reports the stream connected', async () => {
        const s = await streamStatus(b);
        if (!(s.streamState === 'connected')) throw new Error(`still ${JSON.stringify(s)}`);
        return s;
      });

      // A page served by A (no longer the leader) still sees calls, and each call is logged once.
      const onA = await openEventStream(a, owner);
      streams.push(onA);
      const second = emulators.pbx.simulateCall({
        direction: 'inbound',
        external: freshNumber(),
        extension: '2001',
        outcome: 'no_answer',
        ringSeconds: 1,
        talkSeconds: 0,
      }).call_id;
      await onA.waitFor((events) => events.some((e) => e.callId === second && e.state === 'ringing'), 'ringing on a page served by process A');
      assert.equal((await b.engagementsOf(second)).length, 1);
      assert.equal((await a.engagementsOf(first)).length, 1, 'the first call was not logged again by the new leader');
    });
  });
}
