/**
 * The `spokes` command line as a user runs it: log format, usage, `start` (banner, /healthz, status through the
 * running server, ports in use, SIGTERM), a wrong secret key, an unreachable PostgreSQL. The data directory's
 * permissions and the dead-letter commands are in cli-data-dir.test.ts and cli-retry.test.ts.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { childEnv, cliScope, mainScript, runSpokesToEnd } from './support/processes.ts';
import { postgresUrl } from './support/databases.ts';

describe('spokes CLI', () => {
  const cli = cliScope();
  after(() => cli.cleanUp());

  it('writes readable log lines on a terminal, JSON lines otherwise', async () => {
    const t = await cli.db('pglite');
    const piped = await runSpokesToEnd(['migrate'], t.env);
    assert.match(piped.output, /^\{"level":30,"time":\d+,"name":"spokes",.*"msg":"generated a new secret key/m);
    // A pseudo-terminal (util-linux `script`), as when someone runs it by hand.
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${mainScript} migrate`, '/dev/null'], {
      env: childEnv((await cli.db('pglite')).env),
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
    const t = await cli.db('pglite');
    const env = { ...t.env, SPOKES_PORT: '0' };
    const p = cli.start(['start'], env);
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

    // Independent commands against the running server, side by side (each is a cold Node start).
    const port = new URL(url!).port;
    const sandboxPort = new URL(((await (await fetch(`${url}/api/sandbox`)).json()) as { hubspot: { baseUrl: string } }).hubspot.baseUrl).port;
    const [worker, status, text, emulators, second, unported] = await Promise.all([
      runSpokesToEnd(['worker'], env),
      runSpokesToEnd(['status', '--json'], { ...env, SPOKES_PORT: port }),
      runSpokesToEnd(['status'], { ...env, SPOKES_PORT: port }),
      cli.db('pglite').then((other) => runSpokesToEnd(['sandbox'], { ...other.env, SPOKES_SANDBOX_PORT: sandboxPort })),
      cli.db('pglite').then((other) => runSpokesToEnd(['start'], { ...other.env, SPOKES_PORT: port })),
      runSpokesToEnd(['status', '--json'], env),
    ]);

    // A second process on the same embedded database is refused, and status asks the server.
    assert.equal(worker.code, 1);
    assert.match(worker.output, /in use by process \d+\. Stop it first, or run several processes on PostgreSQL/);
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
    assert.match(text.output, new RegExp(`Server: http://localhost:${port} \\(answering\\)`));
    assert.match(
      text.output,
      /Connections:\n {2}HubSpot +connected — .+ \(portal \d+, OAuth\)\n {2}Phone system +enabled — Yeastar at http:\/\/127\.0\.0\.1:\d+/,
    );

    const listed = await runSpokesToEnd(['connections', 'list'], { ...env, SPOKES_PORT: port });
    for (const slug of ['telephony', 'sansan', 'booking']) assert.match(listed.output, new RegExp(`\\s${slug}\\s+enabled\\s`), listed.output);

    // Ports already taken: one line saying which, and what to do — no stack trace.
    assert.equal(emulators.code, 1);
    assert.match(
      emulators.output,
      new RegExp(`^spokes sandbox: port ${sandboxPort} is already in use\\. \`npm start\` \\(sandbox mode\\) already runs the emulators`, 'm'),
    );
    assert.doesNotMatch(emulators.output, /\n\s+at /, 'no stack trace');
    assert.equal(second.code, 1);
    assert.match(second.output, new RegExp(`^spokes start: port ${port} is already in use: another Spokes`, 'm'));
    assert.doesNotMatch(second.output, /\n\s+at /, 'no stack trace');
    // Without the port it was started with: the server recorded where it listens in the data directory.
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

  it('refuses to start with a different secret key and touches nothing', async () => {
    const t = await cli.db('pglite');
    const first = await runSpokesToEnd(['migrate'], { ...t.env, SPOKES_SECRET_KEY: randomBytes(32).toString('base64') });
    assert.equal(first.code, 0, first.output);
    const other = await runSpokesToEnd(['start'], { ...t.env, SPOKES_PORT: '0', SPOKES_SECRET_KEY: randomBytes(32).toString('base64') });
    assert.equal(other.code, 1);
    assert.match(other.output, /stored credentials cannot be decrypted with this key/);
    assert.doesNotMatch(other.output, /is running at/);
  });

  if (postgresUrl) {
    it('`start` exits with a clear message when PostgreSQL is unreachable; `worker` retries with backoff and logs each attempt', async () => {
      const unreachable = { DATABASE_URL: 'postgres://spokes:hunter2@127.0.0.1:1/spokes', SPOKES_DATA_DIR: (await cli.db('pglite')).dataDir };
      const start = await runSpokesToEnd(['start'], { ...unreachable, SPOKES_PORT: '0' });
      assert.equal(start.code, 1);
      assert.match(start.output, /cannot connect to PostgreSQL at postgres:\/\/spokes:\*\*\*@127\.0\.0\.1:1\/spokes/);
      assert.doesNotMatch(start.output, /hunter2/);

      const worker = cli.start(['worker'], unreachable);
      await worker.waitFor(/"attempt":2,.*database unreachable, retrying/, 15_000);
      assert.doesNotMatch(worker.output(), /hunter2/);
      worker.child.kill('SIGKILL');
    });
  }
});
