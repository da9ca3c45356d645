/**
 * Stream leadership (src/platform/streams.ts): one process runs a stream;
 * on PostgreSQL the others stand by and one takes over when the leader's lock
 * connection dies; a stream that fails is restarted; stop() ends it.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../src/logger.ts';
import { StreamRunner } from '../../src/platform/streams.ts';
import { postgresUrl, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { eventually } from '../support/world.ts';

const log = createLogger({ level: 'silent' });

/** A stream that counts its runs and stays up until aborted (or fails on its first run when asked). */
function counting(failFirst = false) {
  const state = { runs: 0, running: false };
  const run = async (signal: AbortSignal) => {
    state.runs++;
    if (failFirst && state.runs === 1) throw new Error('the remote hung up');
    state.running = true;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    state.running = false;
  };
  return { state, run };
}

describe('stream leadership', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('runs the stream in the one process of the embedded database, restarts it after a failure, and stops it', async () => {
    const stream = counting(true);
    const runner = new StreamRunner({ name: 'test:embedded', log, run: stream.run });
    runner.start();
    await eventually('the restarted stream', () => stream.state.running);
    assert.equal(stream.state.runs, 2, 'failed once, restarted once');
    await runner.stop();
    assert.equal(stream.state.running, false);
  });

  it('elects one leader among processes on PostgreSQL, and hands over when its lock connection dies', { skip: !postgresUrl && 'no PostgreSQL' }, async () => {
    const t: TestDatabase = await createTestDatabase('postgres');
    cleanup.push(() => t.drop());
    const a = counting();
    const b = counting();
    const name = `test:leader:${Date.now()}`;
    const first = new StreamRunner({ name, databaseUrl: t.databaseUrl, log, run: a.run, checkMs: 500 });
    const second = new StreamRunner({ name, databaseUrl: t.databaseUrl, log, run: b.run, checkMs: 500 });
    cleanup.push(
      () => first.stop(),
      () => second.stop(),
    );
    first.start();
    await eventually('a leader', () => a.state.running);
    second.start();
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(b.state.runs, 0, 'the second process stands by');

    // The leader's lock connection is killed (a network cut, a restarted pooler).
    const admin = new pg.Client({ connectionString: t.databaseUrl });
    await admin.connect();
    try {
      await admin.query(
        `select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and objid = hashtext($1)::oid
        and database = (select oid from pg_database where datname = current_database())`,
        [name],
      );
    } finally {
      await admin.end();
    }
    await eventually('the first to stop', () => !a.state.running);
    await eventually('the second to take over', () => b.state.running);
    assert.equal(second.leader, true);
  });
});
