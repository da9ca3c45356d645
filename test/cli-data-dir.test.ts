/** `spokes start` keeps its data directory to its own user (a real child process: modes as created on disk). */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cliScope } from './support/processes.ts';

describe('spokes CLI: the data directory', () => {
  const cli = cliScope();
  after(() => cli.cleanUp());

  it('keeps its data directory to its own user: 0700 directories and 0600 files as created, and tightens them at start when loosened', async () => {
    const t = await cli.db('pglite');
    // A data directory Spokes creates itself (with the embedded database, the secret key and the sandbox's state).
    const dataDir = join(t.dataDir, 'data');
    const env = { ...t.env, SPOKES_DATA_DIR: dataDir, SPOKES_PORT: '0' };
    const entries = () => {
      const out: { path: string; mode: number }[] = [{ path: dataDir, mode: statSync(dataDir).mode }];
      for (const name of readdirSync(dataDir, { recursive: true }) as string[]) {
        // A file replaced while we look (the sandbox's state is written to a temporary file, then renamed over) is gone.
        const stat = lstatSync(join(dataDir, name), { throwIfNoEntry: false });
        if (stat && !stat.isSymbolicLink()) out.push({ path: name, mode: stat.mode });
      }
      return out;
    };
    const readableByOthers = () =>
      entries()
        .filter((e) => (e.mode & 0o077) !== 0)
        .map((e) => `${e.path} ${(e.mode & 0o777).toString(8)}`);
    const runOnce = async (check: () => void) => {
      const p = cli.start(['start'], env);
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
});
