/**
 * A crash mid-way through the initial pass (SIGKILL, no clean-up) resumes from
 * the last committed page: every card reaches HubSpot, none twice — on both
 * database engines. The pass runs in a child process; Sansan answers slowly
 * (latency fault) so the kill lands while pages are still being written.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { engines } from '../support/databases.ts';
import { childEnv } from '../support/processes.ts';
import { allPages } from '../support/sansan-client.ts';
import { emailKey } from '../../src/sync/engine/settings.ts';
import { startSyncWorld, STANDARD_MAPPINGS, type SyncWorld } from './sync-world.ts';
import { eventually } from '../support/world.ts';

const CHILD = fileURLToPath(new URL('./fixtures/pass-child.ts', import.meta.url));

for (const engine of engines) {
  describe(`SIGKILL mid-initial-sync on ${engine}`, () => {
    let w: SyncWorld;
    before(async () => {
      w = await startSyncWorld(engine, { cards: 2_000 });
      // The child opens the database itself (PGlite: one process at a time).
      await w.h.close();
    });
    after(async () => {
      w.h.close = async () => {};
      await w?.close();
    });

    const run = () => {
      const info = w.sansan.info();
      const child = spawn(process.execPath, [CHILD], {
        env: childEnv({
          ...w.test.env,
          HUBSPOT_URL: w.hubspotSandbox.url,
          HUBSPOT_TOKEN: w.token,
          SANSAN_API: info.apiBaseUrl,
          SANSAN_KEY: info.apiKeys[0]!.key,
          CONNECTION_ID: w.connectionId,
          SYNC_SETTINGS: JSON.stringify({ enabled: true, mappings: STANDARD_MAPPINGS }),
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
      return { child, exited, output: () => out };
    };

    it('resumes with 0 lost and 0 duplicated', { timeout: 180_000 }, async () => {
      const info = w.sansan.info();
      const { cards } = await allPages(w.sansan, info.apiKeys[0]!.key, '/bizCards', {
        updatedFrom: '2000-01-01T00:00:00Z',
        updatedTo: '2100-01-01T00:00:00Z',
        range: 'all',
        includePastBizCards: true,
        limit: 300,
      });
      const expected = new Set(cards.map((c) => emailKey(c.email)).filter((e): e is string => !!e));
      assert.ok(expected.size > 1_000, `${expected.size} e-mails`);

      w.sansan.setFaults({ latencyMs: 400 });
      const first = run();
      const count = () => w.contactCount();
      await eventually('a few pages in HubSpot', async () => (await count()) >= 500, { timeoutMs: 90_000, intervalMs: 400 });
      first.child.kill('SIGKILL');
      const killed = await first.exited;
      assert.equal(killed.signal, 'SIGKILL', first.output());
      assert.ok(!first.output().includes('PASS '), 'killed before the pass finished');
      const atKill = await count();
      assert.ok(atKill < expected.size, `${atKill} of ${expected.size} written before the kill`);

      w.sansan.setFaults({});
      const second = run();
      const done = await second.exited;
      assert.equal(done.code, 0, second.output());
      const result = JSON.parse(second.output().split('PASS ')[1]!.split('\n')[0]!);
      assert.equal(result.initial, true, 'the initial pass resumed');

      const emails = await w.emails();
      assert.equal(new Set(emails).size, emails.length, 'no contact written twice');
      const missing = [...expected].filter((e) => !emails.includes(e));
      assert.deepEqual(missing, [], 'no card lost');
      assert.equal(emails.length, expected.size);
    });
  });
}
