/**
 * The phone index's jobs through the real job queue: a requested pass fills an
 * empty index (the first pass for a portal is a full build), the periodic passes
 * are installed as pg-boss schedules, and a pass with HubSpot disconnected does
 * nothing instead of failing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobQueue } from '../../src/jobs/queue.ts';
import {
  createPhoneIndexing,
  phoneIndexJobs,
  requestPhoneIndexSync,
  schedulePhoneIndexSync,
  PHONE_INDEX_SYNC_JOB,
  type PhoneIndexing,
} from '../../src/hubspot/phone/index.ts';
import { engines } from '../support/databases.ts';
import { FAST, startHubSpotWorld, type HubSpotWorld } from './harness.ts';

for (const engine of engines) {
  describe(`phone index jobs (${engine})`, () => {
    let world: HubSpotWorld;
    let phone: PhoneIndexing;
    let queue: JobQueue;

    before(async () => {
      world = await startHubSpotWorld(engine, {
        budget: FAST.budget,
        sandbox: { limits: FAST.sandboxLimits, seed: { contacts: 120, companies: 12, owners: 2, seed: 4 } },
      });
      phone = createPhoneIndexing({ database: world.database, hubspot: world.hubspot, defaultRegion: 'US', log: world.log });
      queue = new JobQueue({
        database: world.database,
        jobs: phoneIndexJobs(() => ({ hubspot: world.hubspot, sync: phone.sync })),
        log: world.log,
        pollSeconds: 0.5,
      });
      await queue.start();
      await queue.work();
    });
    after(async () => {
      await queue.stop({ timeoutMs: 2_000 });
      await world.close();
    });

    it('fills an empty index from one requested pass, and coalesces requests within a minute', async () => {
      const now = Math.floor(Date.now() / 60_000) * 60_000;
      const first = await requestPhoneIndexSync(queue, 'incremental', now);
      const again = await requestPhoneIndexSync(queue, 'incremental', now + 1);
      assert.deepEqual([first.duplicate, again.duplicate], [false, true]);
      const deadline = Date.now() + 30_000;
      while ((await phone.index.count(world.portalId)).company < 12) {
        if (Date.now() > deadline) throw new Error('the index was not filled');
        await sleep(200);
      }
      assert.deepEqual(await phone.index.count(world.portalId), { contact: 120, company: 12 });
    });

    it('installs the incremental and nightly passes as schedules', async () => {
      await schedulePhoneIndexSync(queue, { incrementalCron: '*/5 * * * *', fullCron: '23 3 * * *' });
      await schedulePhoneIndexSync(queue);
      const schedules = await queue.schedules({ name: PHONE_INDEX_SYNC_JOB });
      assert.deepEqual(schedules.map((s) => [s.key, s.cron, (s.data as { payload: { mode: string } }).payload.mode]).sort(), [
        ['full', '23 3 * * *', 'full'],
        ['incremental', '*/5 * * * *', 'incremental'],
      ]);
    });

    it('does nothing while HubSpot is not connected', async () => {
      await world.hubspot.disconnect();
      const [job] = phoneIndexJobs(() => ({ hubspot: world.hubspot, sync: phone.sync }));
      const result = await job!.run(
        { mode: 'incremental' },
        { jobId: 'x', attempt: 0, idempotencyKey: 'x', log: world.log, signal: new AbortController().signal, once: async () => ({ applied: false }) },
      );
      assert.deepEqual(result, { skipped: 'HubSpot is not connected' });
    });
  });
}
