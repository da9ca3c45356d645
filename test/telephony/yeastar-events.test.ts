import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PbxCallEvent, PbxCdr, PbxEvent } from '../../src/connectors/telephony/pbx.ts';
import type { YeastarAdapter } from '../../src/connectors/telephony/yeastar/index.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { adapterFor, EventCollector, STREAM, startPbx, summary } from './yeastar-support.ts';

type Outcome = 'answered' | 'no_answer' | 'busy' | 'voicemail' | 'failed';

const callStates = (events: PbxEvent[]) => events.filter((e): e is PbxCallEvent => e.type === 'call').map((e) => e.state);
const cdrOf = (events: PbxEvent[]) => events.find((e) => e.type === 'cdr')?.cdr as PbxCdr;

describe('Yeastar adapter: live events, normalised (PBX in Asia/Kolkata, UTC+05:30)', () => {
  let sb: YeastarSandbox;
  let adapter: YeastarAdapter;
  let events: EventCollector;
  const since = new Date(Date.now() - 60_000);

  before(async () => {
    sb = await startPbx({ timezone: 'Asia/Kolkata', dateFormat: 'DD/MM/YYYY' });
    adapter = adapterFor(sb);
    events = new EventCollector(adapter.events({ ...STREAM, since }));
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap'));
  });
  after(async () => {
    await adapter.dispose();
    await sb.close();
  });

  it("starts with a gap that reaches back to the caller's checkpoint", () => {
    const gap = events.events[0];
    assert.equal(gap.type, 'gap');
    if (gap.type !== 'gap') return;
    assert.equal(gap.reason, 'start');
    assert.equal(gap.from.getTime(), since.getTime());
    assert.ok(gap.backfill.from < gap.from && gap.backfill.to > gap.to, 'the back-fill range covers the gap with margins');
  });

  const cases: { direction: 'inbound' | 'outbound' | 'internal'; outcome: Outcome; states: string[]; status: string; failure?: string }[] = [
    { direction: 'inbound', outcome: 'answered', states: ['ringing', 'answered', 'ended'], status: 'answered' },
    { direction: 'inbound', outcome: 'no_answer', states: ['ringing', 'ended'], status: 'no_answer' },
    { direction: 'inbound', outcome: 'busy', states: ['ringing', 'ended'], status: 'busy' },
    { direction: 'inbound', outcome: 'voicemail', states: ['ringing', 'answered', 'ended'], status: 'voicemail' },
    { direction: 'inbound', outcome: 'failed', states: ['ringing', 'ended'], status: 'failed' },
    { direction: 'outbound', outcome: 'answered', states: ['ringing', 'answered', 'ended'], status: 'answered' },
    { direction: 'outbound', outcome: 'no_answer', states: ['ringing', 'ended'], status: 'no_answer' },
    { direction: 'outbound', outcome: 'busy', states: ['ringing', 'ended'], status: 'busy', failure: 'busy' },
    { direction: 'outbound', outcome: 'failed', states: ['ringing', 'ended'], status: 'failed', failure: 'line_unavailable' },
    // A far-end voicemail answers the trunk call: the PBX cannot tell it from a person.
    { direction: 'outbound', outcome: 'voicemail', states: ['ringing', 'answered', 'ended'], status: 'answered' },
    { direction: 'internal', outcome: 'answered', states: ['ringing', 'answered', 'ended'], status: 'answered' },
    { direction: 'internal', outcome: 'no_answer', states: ['ringing', 'ended'], status: 'no_answer' },
    { direction: 'internal', outcome: 'busy', states: ['ringing', 'ended'], status: 'busy', failure: 'busy' },
    { direction: 'internal', outcome: 'voicemail', states: ['ringing', 'answered', 'ended'], status: 'voicemail' },
    { direction: 'internal', outcome: 'failed', states: ['ringing', 'ended'], status: 'failed', failure: 'line_unavailable' },
  ];

  for (const c of cases) {
    it(`${c.direction} ${c.outcome}: call states ${c.states.join(' → ')}, CDR ${c.status}${c.failure ? `, failure "${c.failure}"` : ''}`, async () => {
      const external = c.direction === 'internal' ? '1003' : '+4930123456';
      const startedAround = Date.now();
      const { call_id } = sb.simulateCall({ direction: c.direction, external, extension: '1002', outcome: c.outcome, ringSeconds: 4, talkSeconds: 20 });
      const mine = await events.call(call_id);
      assert.deepEqual(callStates(mine), c.states, mine.map(summary).join('\n'));
      const calls = mine.filter((e): e is PbxCallEvent => e.type === 'call');
      // An internal call whose callee never rang shows one party only: its direction cannot be told (the CDR can).
      const oneParty = c.direction === 'internal' && (c.outcome === 'busy' || c.outcome === 'failed');
      for (const e of calls) {
        assert.equal(e.direction, oneParty ? null : c.direction);
        assert.equal(e.externalNumber, c.direction === 'internal' ? null : external);
      }
      if (c.direction === 'inbound' && !['busy', 'failed'].includes(c.outcome)) {
        // The screen-pop rule: an inbound call, and the extension that rings.
        assert.deepEqual(calls[0].ringingExtensions, ['1002']);
      }
      const failed = mine.find((e) => e.type === 'call_failed');
      assert.equal(failed?.type === 'call_failed' ? failed.error.reason : undefined, c.failure);

      const cdr = cdrOf(mine);
      assert.equal(cdr.status, c.status);
      assert.equal(cdr.direction, c.direction);
      assert.equal(cdr.callId, call_id);
      assert.equal(cdr.extension, '1002');
      assert.equal(cdr.externalNumber, c.direction === 'internal' ? null : external);
      assert.equal(cdr.otherExtension, c.direction === 'internal' ? '1003' : null);
      const answered = c.status === 'answered' || c.status === 'voicemail';
      assert.deepEqual([cdr.ringSeconds, cdr.talkSeconds], answered ? [4, 20] : [4, 0]);
      assert.equal(cdr.recording !== null, c.status === 'answered', 'answered calls are recorded');
      assert.equal(cdr.didNumber, c.direction === 'inbound' ? '5503300' : null);
      // time_start is Kolkata local time; startedAt must be the real instant.
      const stored = sb.cdrs().find((r) => r.call_id === call_id)!;
      assert.equal(cdr.startedAt.getTime(), Math.floor(stored.startMs / 1000) * 1000);
      assert.ok(Math.abs(cdr.startedAt.getTime() - startedAround) < 2_000);
      assert.equal(cdr.id, `uid:${stored.uid}`);
    });
  }

  it('reports extension phone states (ringing, busy, idle) from 30008', async () => {
    const from = events.events.length;
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+4930999', extension: '1005', outcome: 'answered' });
    await events.call(call_id);
    const states = events.events
      .slice(from)
      .filter((e) => e.type === 'extension_state' && e.extension === '1005')
      .map((e) => (e.type === 'extension_state' ? e.state : ''));
    assert.deepEqual(states, ['ringing', 'busy', 'idle']);
  });

  it('surfaces duplicated CDRs as they come, with the same stable id', async () => {
    sb.setFaults({ duplicateCdrEvents: true });
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+4930111', extension: '1001', outcome: 'answered' });
    await events.waitFor((evs) => evs.filter((e) => e.type === 'cdr' && e.cdr.callId === call_id).length === 2);
    sb.setFaults({});
    const cdrs = events.events.filter((e) => e.type === 'cdr' && e.cdr.callId === call_id).map((e) => (e.type === 'cdr' ? e.cdr : null)!);
    assert.equal(cdrs[0].id, cdrs[1].id);
    assert.equal(cdrs[0].fingerprint, cdrs[1].fingerprint);
  });

  it('surfaces reordered events as they come (the caller keys state by call id)', async () => {
    sb.setFaults({ reorderCallEvents: true });
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+4930222', extension: '1001', outcome: 'answered' });
    const mine = await events.call(call_id);
    await events.waitFor((evs) => callStates(evs.filter((e) => 'callId' in e && e.callId === call_id)).length === 3);
    sb.setFaults({});
    const order = events.events
      .filter((e) => (e.type === 'cdr' ? e.cdr.callId === call_id : 'callId' in e && e.callId === call_id))
      .map((e) => (e.type === 'call' ? e.state : e.type));
    // The PBX sent ringing, answered, ended, cdr; the fault swaps each pair.
    assert.deepEqual(order, ['answered', 'ringing', 'cdr', 'ended']);
    assert.ok(mine.length >= 3);
  });
});
