import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import { childEnv, mainScript, runSpokes, runSpokesToEnd, type SpokesProcess } from './support/processes.ts';
import { createTestDatabase, postgresUrl, type TestDatabase } from './support/databases.ts';
import { openDatabase } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { RemoteRejectedError } from '../src/errors.ts';
import { receiptJob } from '../src/jobs/diagnostics.ts';
import { createLogger } from '../src/logger.ts';

describe('spokes CLI', () => {
  const cleanup: (() => Promise<void>)[] = [];
  const running: SpokesProcess[] = [];
  after(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    for (const c of cleanup.reverse()) await c();
  });
  async function db(engine: 'pglite' | 'postgres'): Promise<TestDatabase> {
    const t = await createTestDatabase(engine);
    cleanup.push(() => t.drop());
    return t;
  }

  it('writes readable log lines on a terminal, JSON lines otherwise', async () => {
    const t = await db('pglite');
    const piped = await runSpokesToEnd(['migrate'], t.env);
    assert.match(piped.output, /^\{"level":30,"time":\d+,"name":"spokes",.*"msg":"generated a new secret key/m);
    // A pseudo-terminal (util-linux `script`), as when someone runs it by hand.
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${mainScript} migrate`, '/dev/null'], {
      env: childEnv((await db('pglite')).env),
      encoding: 'utf8',
    });
    assert.equal(tty.status, 0, tty.stdout + tty.stderr);
    const text = tty.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(text, /^\[\d{2}:\d{2}:\d{2}\] INFO: generated a new secret key for stored credentials; back it up with the data directory \{"path":/m);
    assert.doesNotMatch(text, /"level":/);
  });

  it('prints usage and exits 2 on an unknown command; --help exits 0', async () => {
    const bad = await runSpokesToEnd(['frobnicate'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.output, /unknown command "frobnicate"/);
    assert.match(bad.output, /Usage: spokes <command>/);
    const help = await runSpokesToEnd(['--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.output, /start +Run the HTTP server and a job worker/);
  });

  it('starts on an empty data directory, serves /healthz, reports status through the running server, and stops on SIGTERM', async () => {
    const t = await db('pglite');
    const env = { ...t.env, SPOKES_PORT: '0' };
    const p = runSpokes(['start'], env);
    running.push(p);
    const [, url] = await p.waitFor(/is running at (http:\/\/\S+)/, 90_000);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    // The banner stands apart from the log lines (JSON here: stdout is a pipe), between two rules, and ends with
    // a sample call and the record page where its engagement shows.
    const banner = (await p.waitFor(/\n(─{72})\n( {2}Spokes [\s\S]+?)\n─{72}\n/))[2]!;
    assert.match(banner, /^ {2}Admin: +http:\/\/localhost:\d+\/admin\/$/m);
    assert.match(banner, /^ {2}Admin password: +\S+$/m);
    assert.match(banner, /Try a call from (.+) to extension 1001:\n {4}curl -X POST http:\/\/127\.0\.0\.1:\d+\/sandbox\/calls .+"external":"\+\d+"/);
    assert.match(
      banner,
      /The call rings 3 s and lasts 20 s\. A few seconds after it ends, the engagement is in HubSpot:\n {4}http:\/\/127\.0\.0\.1:\d+\/contacts\/\d+\/record\/0-1\/\d+ /,
    );
    assert.doesNotMatch(banner, /"level":/, 'no log line inside the banner');

    // A second process on the same embedded database is refused, and status asks the server.
    const worker = await runSpokesToEnd(['worker'], env);
    assert.equal(worker.code, 1);
    assert.match(worker.output, /in use by process \d+\. Stop it first, or run several processes on PostgreSQL/);
    const port = new URL(url!).port;
    const status = await runSpokesToEnd(['status', '--json'], { ...env, SPOKES_PORT: port });
    assert.equal(status.code, 0, status.output);
    const report = JSON.parse(status.output) as {
      engine: string;
      queues: { name: string }[];
      server: { url: string; answering: boolean };
      connections: { name: string; state: string; ok: boolean }[];
    };
    assert.equal(report.engine, 'pglite');
    assert.ok(report.queues.some((q) => q.name === 'diagnostics.receipt'));
    // The server's address and each connection's health (sandbox mode: every connector connected), not only the queues;
    // every connector's state in one vocabulary (issue 11), the same names as `spokes connections list` and the Overview.
    assert.deepEqual(report.server, { url: `http://localhost:${port}`, answering: true });
    assert.deepEqual(
      report.connections.map((c) => [c.name, c.state, c.ok]),
      [
        ['HubSpot', 'connected', true],
        ['Phone system', 'enabled', true],
        ['Sansan', 'enabled', true],
        ['Meeting booking', 'enabled', true],
      ],
    );
    const text = await runSpokesToEnd(['status'], { ...env, SPOKES_PORT: port });
    assert.match(text.output, new RegExp(`Server: http://localhost:${port} \\(answering\\)`));
    assert.match(
      text.output,
      /Connections:\n {2}HubSpot +connected — .+ \(portal \d+, OAuth\)\n {2}Phone system +enabled — Yeastar at http:\/\/127\.0\.0\.1:\d+/,
    );

    const listed = await runSpokesToEnd(['connections', 'list'], { ...env, SPOKES_PORT: port });
    for (const slug of ['telephony', 'sansan', 'booking']) assert.match(listed.output, new RegExp(`\\s${slug}\\s+enabled\\s`), listed.output);

    // Ports already taken: one line saying which, and what to do — no stack trace.
    const sandboxPort = new URL(((await (await fetch(`${url}/api/sandbox`)).json()) as { hubspot: { baseUrl: string } }).hubspot.baseUrl).port;
    const emulators = await runSpokesToEnd(['sandbox'], { ...(await db('pglite')).env, SPOKES_SANDBOX_PORT: sandboxPort });
    assert.equal(emulators.code, 1);
    assert.match(
      emulators.output,
      new RegExp(`^spokes sandbox: port ${sandboxPort} is already in use\\. \`npm start\` \\(sandbox mode\\) already runs the emulators`, 'm'),
    );
    assert.doesNotMatch(emulators.output, /\n\s+at /, 'no stack trace');
    const second = await runSpokesToEnd(['start'], { ...(await db('pglite')).env, SPOKES_PORT: port });
    assert.equal(second.code, 1);
    assert.match(second.output, new RegExp(`^spokes start: port ${port} is already in use: another Spokes`, 'm'));
    assert.doesNotMatch(second.output, /\n\s+at /, 'no stack trace');
    // Without the port it was started with: the server recorded where it listens in the data directory.
    const unported = await runSpokesToEnd(['status', '--json'], env);
    assert.equal(unported.code, 0, unported.output);
    assert.equal((JSON.parse(unported.output) as { engine: string }).engine, 'pglite');

    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.equal(existsSync(join(t.dataDir, 'server.json')), false, 'the record goes with the server');
    assert.match(p.output(), /shutting down/);
    const migrate = await runSpokesToEnd(['migrate'], env);
    assert.equal(migrate.code, 0);
    assert.match(migrate.output, /Database is up to date/);
  });

  it('keeps its data directory to its own user: 0700 directories and 0600 files as created, and tightens them at start when loosened', async () => {
    const t = await db('pglite');
    // A data directory Spokes creates itself (with the embedded database, the secret key and the sandbox's state).
    const dataDir = join(t.dataDir, 'data');
    const env = { ...t.env, SPOKES_DATA_DIR: dataDir, SPOKES_PORT: '0' };
    const entries = () => {
      const out: { path: string; mode: number }[] = [{ path: dataDir, mode: statSync(dataDir).mode }];
      for (const name of readdirSync(dataDir, { recursive: true }) as string[]) {
        const stat = lstatSync(join(dataDir, name));
        if (!stat.isSymbolicLink()) out.push({ path: name, mode: stat.mode });
      }
      return out;
    };
    const readableByOthers = () =>
      entries()
        .filter((e) => (e.mode & 0o077) !== 0)
        .map((e) => `${e.path} ${(e.mode & 0o777).toString(8)}`);
    const runOnce = async (check: () => void) => {
      const p = runSpokes(['start'], env);
      running.push(p);
      await p.waitFor(/is running at/, 90_000);
      check();
      p.child.kill('SIGTERM');
      assert.equal((await p.exited).code, 0);
      return p;
    };

    await runOnce(() => {});
    const names = entries().map((e) => e.path);
    for (const expected of ['secret.key', join('pg', 'PG_VERSION'), join('sandbox', 'hubspot.json'), join('sandbox', 'yeastar.json')]) {
      assert.ok(names.includes(expected), `${expected} is in the data directory`);
    }
    assert.deepEqual(readableByOthers(), [], 'created readable by its own user only');

    // Someone (an older version, a copy, a chmod -R) opened it up: the next start closes it again.
    for (const e of entries()) chmodSync(e.path === dataDir ? dataDir : join(dataDir, e.path), (e.mode & 0o777) | (e.mode & 0o100 ? 0o055 : 0o044));
    assert.ok(readableByOthers().length > 10);
    const second = await runOnce(() => assert.deepEqual(readableByOthers(), [], 'tightened at start'));
    assert.match(second.output(), /readable by other users; tightened them to 0700\/0600/);
  });

  /**
   * Dead-letters one `diagnostics.receipt` job: this process works it with a handler that HubSpot
   * "refuses", as a call-logging job would be after a bad deploy. The real handler (in the `spokes`
   * processes below) is the fix.
   */
  async function deadLetterReceipt(t: TestDatabase, key: string): Promise<string> {
    const database = await openDatabase(t);
    await applyMigrations(database);
    const broken = {
      ...receiptJob,
      async run() {
        throw new RemoteRejectedError('HubSpot refused: Property "x" does not exist', 400);
      },
    };
    const queue = new JobQueue({ database, jobs: [broken], log: createLogger({ level: 'silent' }), pollSeconds: 0.5 });
    await queue.start();
    try {
      await queue.work();
      const { id } = await queue.enqueue(receiptJob, { key });
      for (let i = 0; !(await queue.deadLetters()).some((d) => d.id === id); i++) {
        if (i > 300) throw new Error('the job was not dead-lettered');
        await sleep(100);
      }
      return id;
    } finally {
      await queue.stop({ timeoutMs: 2_000 });
      await database.close();
    }
  }

  async function receiptsAndState(t: TestDatabase, key: string, id: string): Promise<{ receipts: number; state: string | undefined }> {
    const database = await openDatabase(t);
    try {
      const [r] = await database.query<{ n: number }>(sql`select count(*)::int as n from job_receipts where idempotency_key = ${key}`);
      const [j] = await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`);
      return { receipts: r!.n, state: j?.state };
    } finally {
      await database.close();
    }
  }

  it('`retry` on the embedded database asks the running server to put dead letters back to work', async () => {
    const t = await db('pglite');
    const id = await deadLetterReceipt(t, 'dead-pglite');
    const p = runSpokes(['start'], { ...t.env, SPOKES_PORT: '0' });
    running.push(p);
    const [, url] = await p.waitFor(/is running at (http:\/\/\S+)/, 90_000);
    const env = { ...t.env, SPOKES_PORT: new URL(url!).port };

    const status = await runSpokesToEnd(['status'], env);
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, new RegExp(`diagnostics\\.receipt  ${id}  after 1 attempt\\(s\\): HubSpot refused`));
    assert.match(status.output, /Retry them with `spokes retry/);

    const unknown = await runSpokesToEnd(['retry', 'nope'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.output, /spokes retry: unknown queue "nope"; known queues: .*diagnostics\.receipt/);
    const copies = await runSpokesToEnd(['retry', 'spokes.dead-letters'], env);
    assert.equal(copies.code, 1);
    assert.match(copies.output, /only keeps copies of dead letters/);
    const badArgs = await runSpokesToEnd(['retry', '--id'], env);
    assert.equal(badArgs.code, 2);
    // A web page on this machine cannot make the server retry: the endpoint takes JSON only.
    const form = await fetch(`${url}/api/status/retry`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(form.status, 400);
    const relayed = await fetch(`${url}/api/status/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: '{}',
    });
    assert.equal(relayed.status, 403, 'a request relayed by a proxy is not from this machine');

    const retry = await runSpokesToEnd(['retry', 'diagnostics.receipt'], env);
    assert.equal(retry.code, 0, retry.output);
    assert.match(retry.output, /Put 1 failed job\(s\) in diagnostics\.receipt back to work/);
    for (let i = 0; ; i++) {
      const report = (await (await fetch(`${url}/api/status`)).json()) as {
        queues: { name: string; queued: number; active: number; failed: number }[];
        deadLetters: unknown[];
      };
      const q = report.queues.find((x) => x.name === 'diagnostics.receipt')!;
      if (q.queued + q.active + q.failed === 0 && report.deadLetters.length === 0) break;
      if (i > 300) throw new Error(`the retried job did not complete: ${JSON.stringify(report)}`);
      await sleep(100);
    }
    const again = await runSpokesToEnd(['retry'], env);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /No failed jobs in all queues to retry/);

    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0);
    assert.deepEqual(await receiptsAndState(t, 'dead-pglite', id), { receipts: 1, state: 'completed' });
  });

  it('refuses to start with a different secret key and touches nothing', async () => {
    const t = await db('pglite');
    const first = await runSpokesToEnd(['migrate'], { ...t.env, SPOKES_SECRET_KEY: randomBytes(32).toString('base64') });
    assert.equal(first.code, 0, first.output);
    const other = await runSpokesToEnd(['start'], { ...t.env, SPOKES_PORT: '0', SPOKES_SECRET_KEY: randomBytes(32).toString('base64') });
    assert.equal(other.code, 1);
    assert.match(other.output, /stored credentials cannot be decrypted with this key/);
    assert.doesNotMatch(other.output, /is running at/);
  });

  if (postgresUrl) {
    it('`start` exits with a clear message when PostgreSQL is unreachable; `worker` retries with backoff and logs each attempt', async () => {
      const unreachable = { DATABASE_URL: 'postgres://spokes:hunter2@127.0.0.1:1/spokes', SPOKES_DATA_DIR: (await db('pglite')).dataDir };
      const start = await runSpokesToEnd(['start'], { ...unreachable, SPOKES_PORT: '0' });
      assert.equal(start.code, 1);
      assert.match(start.output, /cannot connect to PostgreSQL at postgres:\/\/spokes:\*\*\*@127\.0\.0\.1:1\/spokes/);
      assert.doesNotMatch(start.output, /hunter2/);

      const worker = runSpokes(['worker'], unreachable);
      running.push(worker);
      await worker.waitFor(/"attempt":2,.*database unreachable, retrying/, 15_000);
      assert.doesNotMatch(worker.output(), /hunter2/);
      worker.child.kill('SIGKILL');
    });

    it('`retry --id` on PostgreSQL puts a dead letter back to work directly; a worker completes it once', async () => {
      const t = await db('postgres');
      const id = await deadLetterReceipt(t, 'dead-pg');
      const unknown = await runSpokesToEnd(['retry', 'nope'], t.env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.output, /unknown queue "nope"; known queues: .*diagnostics\.receipt/);
      const retry = await runSpokesToEnd(['retry', '--id', id], t.env);
      assert.equal(retry.code, 0, retry.output);
      assert.match(retry.output, /Put 1 failed job\(s\) of the 1 given job id\(s\) back to work/);
      assert.equal((await receiptsAndState(t, 'dead-pg', id)).state, 'retry');

      const worker = runSpokes(['worker'], { ...t.env, SPOKES_JOB_POLL_SECONDS: '0.5' });
      running.push(worker);
      await worker.waitFor(/worker started/);
      for (let i = 0; (await receiptsAndState(t, 'dead-pg', id)).state !== 'completed'; i++) {
        if (i > 300) throw new Error('the retried job did not complete');
        await sleep(100);
      }
      worker.child.kill('SIGTERM');
      assert.equal((await worker.exited).code, 0);
      assert.deepEqual(await receiptsAndState(t, 'dead-pg', id), { receipts: 1, state: 'completed' });
      const again = await runSpokesToEnd(['retry', '--id', id], t.env);
      assert.match(again.output, /No failed jobs of the 1 given job id\(s\) to retry/);
    });

    it('a worker stopped with SIGTERM finishes the job in flight before exiting', async () => {
      const t = await db('postgres');
      const worker = runSpokes(['worker'], { ...t.env, SPOKES_JOB_POLL_SECONDS: '0.5' });
      running.push(worker);
      await worker.waitFor(/worker started/);
      const database = await openDatabase(t);
      const queue = new JobQueue({ database, jobs: [receiptJob], log: createLogger({ level: 'silent' }) });
      await queue.start();
      cleanup.push(async () => {
        await queue.stop({ timeoutMs: 1_000 });
        await database.close();
      });
      const { id } = await queue.enqueue(receiptJob, { key: 'slow', workMs: 2_000 });
      for (;;) {
        const [j] = await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`);
        if (j?.state === 'active') break;
        await sleep(50);
      }
      worker.child.kill('SIGTERM');
      const { code } = await worker.exited;
      assert.equal(code, 0);
      const [j] = await database.query<{ state: string }>(sql`select state from pgboss.job where id = ${id}`);
      assert.equal(j?.state, 'completed');
      const [r] = await database.query<{ n: number }>(sql`select count(*)::int as n from job_receipts where idempotency_key = 'slow'`);
      assert.equal(r?.n, 1);
    });
  }
});
