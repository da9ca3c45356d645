/**
 * T8, exactly once: whatever the PBX and HubSpot do — duplicated or reordered
 * events, a WebSocket cut in the middle of a call, the same record by webhook
 * and by WebSocket, bursts of 429s and 5xx — every call of a bound user ends up
 * as exactly one engagement in HubSpot. Counted in the HubSpot emulator.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { freshNumber, QUICK, sleep, startTelephony, type Telephony } from './telephony-support.ts';

describe('Every call is logged exactly once (T8)', () => {
  let t: Telephony;

  before(async () => {
    t = await startTelephony();
  });
  afterEach(() => {
    t.pbx.setFaults({});
    t.hubspot.setFaults({});
  });
  after(() => t.close());

  const kinds = [
    { direction: 'inbound', outcome: 'answered' },
    { direction: 'inbound', outcome: 'no_answer' },
    { direction: 'outbound', outcome: 'answered' },
    { direction: 'outbound', outcome: 'busy' },
  ] as const;

  /** Places `n` calls at once on bound extensions and returns their call ids. */
  function placeCalls(n: number, timing: { ringSeconds: number; talkSeconds: number } = QUICK): string[] {
    return Array.from(
      { length: n },
      (_, i) => t.pbx.simulateCall({ ...kinds[i % kinds.length]!, external: freshNumber(), extension: String(1001 + (i % 3)), ...timing }).call_id,
    );
  }

  /** Waits for Spokes, then asserts that HubSpot holds exactly one engagement per call. */
  async function assertOncePerCall(callIds: string[], timeoutMs?: number): Promise<void> {
    for (const id of callIds) {
      const row = await t.loggedCall(id, timeoutMs);
      assert.equal(row.state, 'logged', `call ${id}: ${row.detail}`);
    }
    await t.settle();
    const byCall = new Map<string, number>();
    for (const e of await t.engagements()) {
      const id = e.properties.hs_call_external_id!;
      byCall.set(id, (byCall.get(id) ?? 0) + 1);
    }
    for (const id of callIds)
      assert.equal(
        t.idsOf(id).reduce((n, x) => n + (byCall.get(x) ?? 0), 0),
        1,
        `engagements for call ${id}`,
      );
  }

  it('when the PBX sends every call record twice', async () => {
    t.pbx.setFaults({ duplicateCdrEvents: true });
    const calls = placeCalls(4);
    await assertOncePerCall(calls);
    assert.ok(t.pbx.events().filter((e) => e.type === 30012).length >= calls.length * 2, 'the PBX did send duplicates');
  });

  it("when the PBX delivers a call's events out of order", async () => {
    t.pbx.setFaults({ reorderCallEvents: true });
    await assertOncePerCall(placeCalls(4));
  });

  it('when the WebSocket drops in the middle of a call: the record is fetched for the gap', async () => {
    t.pbx.setFaults({ dropWebSocket: 'mid-call' });
    // The call ends (and its record is published) while Spokes is still reconnecting.
    const [missed] = [
      t.pbx.simulateCall({ direction: 'inbound', outcome: 'no_answer', external: freshNumber(), extension: '1001', ringSeconds: 0.1, talkSeconds: 0 }).call_id,
    ];
    await assertOncePerCall([missed!]);
  });

  it('when the same records arrive both by webhook and by WebSocket', async () => {
    t.pbx.addWebhook(`${t.url}/webhooks/telephony/yeastar`, 'all');
    const calls = placeCalls(4);
    await assertOncePerCall(calls);
    await t.pbx.webhooksIdle();
    const deliveries = t.pbx.webhookDeliveries();
    assert.ok(
      deliveries.some((d) => d.status === 200),
      JSON.stringify(deliveries.slice(0, 3)),
    );
    assert.ok(
      deliveries.every((d) => d.status === 200),
      JSON.stringify(deliveries.filter((d) => d.status !== 200).slice(0, 3)),
    );
    await assertOncePerCall(calls);
  });

  it('when HubSpot answers bursts of 5xx, then of 429s', async () => {
    // While calls keep ending, most of HubSpot's answers are 5xx for 2.5 seconds, then 429s for as long
    // (each 429 costs HubSpot's 10-second window).
    const calls: string[] = [];
    for (const faults of [{ serverErrorProbability: 0.6 }, { rateLimitProbability: 0.5, serverErrorProbability: 0.2 }]) {
      t.hubspot.setFaults({ ...faults, pathPrefixes: ['/crm/'], seed: 7 });
      for (let round = 0; round < 6; round++) {
        calls.push(...placeCalls(2));
        await sleep(400);
      }
    }
    await sleep(1_000);
    const { faults } = t.hubspot.stats();
    t.hubspot.setFaults({});
    await assertOncePerCall(calls, 60_000);
    assert.ok(faults.rateLimit > 0 && faults.serverError > 0, `faults were injected: ${JSON.stringify(faults)}`);
  });
});
