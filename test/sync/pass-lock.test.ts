/**
 * One pass of a connection at a time across processes (src/sync/engine/pass-lock.ts): while one
 * runs, another engine on the same database — a second process on PostgreSQL, a second engine in
 * this process on the embedded one — is refused at once with a 409 ("already running"), and runs
 * once the first has ended. On PostgreSQL the holder is SIGKILLed: the lock goes with its process.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { engines } from '../support/databases.ts';
import { childEnv } from '../support/processes.ts';
import { cardSync } from '../../src/connectors/sansan/cards.ts';
import { SyncEngine } from '../../src/sync/engine/engine.ts';
import { PASS_LOCK_NAMESPACE, PassLockLostError, PassRunningError } from '../../src/sync/engine/pass-lock.ts';
import { RecordLinks } from '../../src/sync/record-links.ts';
import { Checkpoints } from '../../src/sync/checkpoints.ts';
import { SyncErrors } from '../../src/sync/sync-errors.ts';
import { AuditLog } from '../../src/sync/audit-log.ts';
import { createLogger } from '../../src/logger.ts';
import { startSyncWorld, STANDARD_MAPPINGS, type SyncWorld } from './sync-world.ts';
import { eventually } from '../support/world.ts';

const CHILD = fileURLToPath(new URL('./fixtures/pass-child.ts', import.meta.url));

const refused = (err: unknown) => {
  assert.ok(err instanceof PassRunningError, String(err));
  assert.equal(err.status, 409);
  assert.match(err.message, /already running/);
  return true;
};

for (const engine of engines) {
  describe(`pass lock on ${engine}`, () => {
    let w: SyncWorld;
    before(async () => {
      w = await startSyncWorld(engine, { cards: 1_500 });
    });
    after(async () => {
      w?.sansan.setFaults({});
      await w?.close();
    });

    it('refuses a second engine on the same database while a pass runs, then lets it run', { timeout: 120_000 }, async () => {
      // A second engine over the same database: what another process is, as far as the lock can tell.
      const db = w.h.database.db;
      const other = new SyncEngine({
        db,
        hubspot: () => w.h.hubspot.api,
        links: new RecordLinks(db),
        checkpoints: new Checkpoints(db),
        syncErrors: new SyncErrors(db),
        audit: new AuditLog(db),
        log: createLogger({ level: 'silent' }),
      });
      w.sansan.setFaults({ latencyMs: 1_500 });
      const first = w.pass();
      first.catch(() => {});
      await eventually('the first pass writing', async () => ((await w.contactCount()) > 0 ? true : undefined), { timeoutMs: 60_000 });
      await assert.rejects(other.run('sansan', cardSync, { connectionId: w.connectionId, settings: w.settings(), config: w.config }), refused);
      // "Resync all" clears the checkpoint the running pass would save over: refused too, from either engine.
      await assert.rejects(other.resyncAll(cardSync, w.connectionId), refused);
      await assert.rejects(w.h.engine.resyncAll(cardSync, w.connectionId), refused);
      // The same engine waits for its own pass instead (one process: no need to refuse).
      w.sansan.setFaults({});
      const result = await first;
      assert.equal(result.initial, true);
      const after = await other.run('sansan', cardSync, { connectionId: w.connectionId, settings: w.settings(), config: w.config });
      assert.equal(after.initial, false, 'the first pass finished the initial sync; the second is incremental');
    });

    if (engine === 'postgres') {
      it('refuses while another process holds it, and is free once that process is killed', { timeout: 120_000 }, async () => {
        const info = w.sansan.info();
        w.sansan.setFaults({ latencyMs: 1_500 });
        // A changed setting makes the child's pass an initial one again: long enough to be caught mid-way.
        const settings = { enabled: true, mappings: STANDARD_MAPPINGS, conflict: 'recent' };
        const child = spawn(process.execPath, [CHILD], {
          env: childEnv({
            ...w.test.env,
            HUBSPOT_URL: w.hubspotSandbox.url,
            HUBSPOT_TOKEN: w.token,
            SANSAN_API: info.apiBaseUrl,
            SANSAN_KEY: info.apiKeys[0]!.key,
            CONNECTION_ID: w.connectionId,
            SYNC_SETTINGS: JSON.stringify(settings),
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        const exited = new Promise<string | null>((r) => child.on('exit', (_code, signal) => r(signal)));
        try {
          await eventually(
            'the child holding the lock',
            async () => {
              const [row] = await w.h.database.query<{ n: number }>(
                // pg_locks shows every database's locks: a test file running beside this one on its own database holds pass locks too.
                sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = ${PASS_LOCK_NAMESPACE} and granted
                and database = (select oid from pg_database where datname = current_database())`,
              );
              return row!.n > 0 ? true : undefined;
            },
            { timeoutMs: 60_000 },
          );
          await assert.rejects(w.pass({ conflict: 'recent' }), refused);
        } finally {
          child.kill('SIGKILL');
        }
        assert.equal(await exited, 'SIGKILL', out);
        assert.ok(!out.includes('PASS '), 'killed mid-pass');
        w.sansan.setFaults({});
        // The child stored the HubSpot connection sealed with its own key: this process connects it again.
        await w.h.hubspot.connectPrivateApp(w.token);
        // PostgreSQL ends the dead process's session and its lock with it.
        const result = await eventually(
          'the lock released',
          async () => {
            try {
              return await w.pass({ conflict: 'recent' });
            } catch (err) {
              if (err instanceof PassRunningError) return undefined;
              throw err;
            }
          },
          { timeoutMs: 30_000 },
        );
        assert.equal(result.initial, true, 'the killed pass resumes');
      });

      it('stops a pass whose lock went with its database connection, and the next pass resumes', { timeout: 120_000 }, async () => {
        w.sansan.setFaults({ latencyMs: 1_500 });
        // Initial again (a changed setting): long enough to cut its lock's connection mid-way.
        const pass = w.pass({ conflict: 'hubspot' });
        pass.catch(() => {});
        const ofThisDatabase = sql`locktype = 'advisory' and classid = ${PASS_LOCK_NAMESPACE} and granted
          and database = (select oid from pg_database where datname = current_database())`;
        const [holder] = await eventually(
          'the pass holding its lock',
          async () => {
            const rows = await w.h.database.query<{ pid: number }>(sql`select pid from pg_locks where ${ofThisDatabase}`);
            return rows.length ? rows : undefined;
          },
          { timeoutMs: 60_000 },
        );
        // A database restart or a failover as this connection sees it: PostgreSQL ends the session, and the lock with it.
        await w.h.database.query(sql`select pg_terminate_backend(${holder!.pid})`);
        await assert.rejects(pass, (err: Error) => {
          assert.ok(err instanceof PassLockLostError, `${err.name}: ${err.message}`);
          assert.match(err.message, /connection holding the sync lock .* was lost .* resumes from its checkpoint/);
          return true;
        });
        w.sansan.setFaults({});
        const result = await w.pass({ conflict: 'hubspot' });
        assert.equal(result.initial, true, 'the stopped pass resumes');
        const [row] = await w.h.database.query<{ n: number }>(sql`select count(*)::int as n from pg_locks where ${ofThisDatabase}`);
        assert.equal(row!.n, 0, 'no lock left behind');
      });
    }
  });
}
