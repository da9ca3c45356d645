import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSpokes, type SpokesProcess } from '../support/processes.ts';
import { openDatabase } from '../../src/db/open.ts';
import { readPasswordHash } from '../../src/web/admin/password.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function signIn(url: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  await res.text();
  return res.status;
}

describe('the admin password', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spokes-admin-password-'));
  const env = { SPOKES_DATA_DIR: dataDir, SPOKES_PORT: '0', SPOKES_SANDBOX: 'off' };
  let current: SpokesProcess | undefined;
  // Every process started, so that a failed test leaves none behind to hold the run open.
  const started: SpokesProcess[] = [];
  after(async () => {
    for (const p of started) p.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(extra: Record<string, string> = {}): Promise<{ url: string; output: () => string }> {
    current = runSpokes(['start'], { ...env, ...extra });
    started.push(current);
    const [, url] = await current.waitFor(/Admin: +(http:\/\/\S+)\/admin\/\n/, 60_000);
    return { url: url!, output: current.output };
  }
  async function stop(): Promise<string> {
    current!.child.kill('SIGTERM');
    const { code } = await current!.exited;
    assert.equal(code, 0);
    const output = current!.output();
    current = undefined;
    return output;
  }

  let password = '';

  it('is generated on the first start, printed once beside the admin URL, and signs in', async () => {
    const first = await start();
    const [, generated] = /Admin password: +(\S+)\n/.exec(first.output()) ?? [];
    assert.ok(generated, first.output());
    password = generated;
    assert.match(password, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    assert.match(first.output(), /To replace it, start Spokes with SPOKES_ADMIN_PASSWORD=<new password>/);
    assert.equal(await signIn(first.url, password), 200);
    assert.equal(await signIn(first.url, 'something-else-entirely'), 401);
    const output = await stop();
    // Printed exactly once, by the banner; no log line carries it.
    assert.equal(output.split(password).length - 1, 1, output);
  });

  it('is stored only as a salted scrypt hash: the data directory never holds it in clear', async () => {
    const needle = Buffer.from(password);
    for (const file of filesUnder(dataDir)) {
      assert.equal(readFileSync(file).indexOf(needle), -1, `${file} contains the password`);
    }
    const database = await openDatabase({ dataDir });
    try {
      const hash = await readPasswordHash(database.db);
      assert.match(hash ?? '', /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    } finally {
      await database.close();
    }
  });

  it('is not printed again on a later start, which says how to reset it', async () => {
    const second = await start();
    assert.equal(await signIn(second.url, password), 200);
    const output = await stop();
    assert.doesNotMatch(output, /Admin password:/);
    assert.match(output, /Lost it\? Start Spokes with SPOKES_ADMIN_PASSWORD=<new password> to replace it/);
    assert.equal(output.split(password).length - 1, 0);
  });

  it('is replaced by SPOKES_ADMIN_PASSWORD, which is never printed either', async () => {
    const replacement = 'a-new-admin-passphrase-42';
    const third = await start({ SPOKES_ADMIN_PASSWORD: replacement });
    assert.equal(await signIn(third.url, password), 401);
    assert.equal(await signIn(third.url, replacement), 200);
    const output = await stop();
    assert.doesNotMatch(output, new RegExp(replacement));
    assert.match(output, /Sign in with the password set in SPOKES_ADMIN_PASSWORD/);
  });
});
