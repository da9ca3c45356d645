/**
 * No catch-log-continue on the PBX event path (issue 11): a call record whose
 * hand-over fails — here its log-call job cannot be enqueued, for a reason
 * that is not a passing outage — holds the stream's checkpoint; the stream is
 * reopened from there and its gap back-fill brings the call back, so the call
 * is still logged, exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshNumber, QUICK, startTelephony, type Telephony } from './telephony-support.ts';

describe('A PBX call record that cannot be handed over holds the checkpoint (no catch-log-continue)', () => {
  let t: Telephony;

  before(async () => {
    t = await startTelephony();
  });
  after(() => t.close());

  it('makes the enqueue fail for one event: the call is logged once all the same, by the back-fill', async () => {
    // The connector's own queue (what the event router enqueues through) refuses the first log-call job once.
    const queue = t.runtime.services.platform.context('telephony').queue;
    const enqueue = queue.enqueue.bind(queue);
    let refused = 0;
    queue.enqueue = (async (job, payload, opts) => {
      if (job.name === 'telephony.log-call' && refused === 0) {
        refused++;
        throw new Error('the job could not be enqueued (test)');
      }
      return enqueue(job, payload, opts);
    }) as typeof queue.enqueue;
    try {
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', outcome: 'answered', external: freshNumber(), extension: '1001', ...QUICK });
      const row = await t.loggedCall(call_id, 60_000);
      assert.equal(refused, 1, 'the live record was refused once');
      assert.equal(row.state, 'logged', `${row.detail}`);
      await t.settle();
      const engagements = await t.engagementsOf(call_id);
      assert.equal(engagements.length, 1, 'logged exactly once');
    } finally {
      queue.enqueue = enqueue;
    }
  });
});
