import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { control, EventStream, memberSummary, type PbxClient, startPbx } from '../support/yeastar-client.ts';

/** The 30011 sequence a real PBX would send, per direction and outcome (see calls/call-flows.ts). */
const EXPECTED: Record<string, { statuses: string[]; failure?: string; cdr: string; type: string }> = {
  'inbound answered': {
    statuses: ['inbound:ALERT,extension:1001:RING', 'inbound:ANSWERED,extension:1001:ANSWER', 'inbound:BYE,extension:1001:BYE'],
    cdr: 'ANSWERED',
    type: 'Inbound',
  },
  'inbound no_answer': { statuses: ['inbound:ALERT,extension:1001:RING', 'inbound:BYE,extension:1001:BYE'], cdr: 'NO ANSWER', type: 'Inbound' },
  'inbound busy': { statuses: ['inbound:ALERT', 'inbound:BYE'], cdr: 'BUSY', type: 'Inbound' },
  'inbound voicemail': {
    statuses: ['inbound:ALERT,extension:1001:RING', 'inbound:ANSWERED,extension:1001:BYE', 'inbound:BYE,extension:1001:BYE'],
    cdr: 'VOICEMAIL',
    type: 'Inbound',
  },
  'inbound failed': { statuses: ['inbound:ALERT', 'inbound:BYE'], cdr: 'FAILED', type: 'Inbound' },
  'outbound answered': {
    statuses: ['extension:1001:ALERT,outbound:RING', 'extension:1001:ANSWERED,outbound:ANSWER', 'extension:1001:BYE,outbound:BYE'],
    cdr: 'ANSWERED',
    type: 'Outbound',
  },
  'outbound no_answer': { statuses: ['extension:1001:ALERT,outbound:RING', 'extension:1001:BYE,outbound:BYE'], cdr: 'NO ANSWER', type: 'Outbound' },
  'outbound busy': {
    statuses: ['extension:1001:ALERT,outbound:RING', 'extension:1001:BYE,outbound:BYE'],
    failure: '486 Busy here',
    cdr: 'BUSY',
    type: 'Outbound',
  },
  'outbound voicemail': {
    statuses: ['extension:1001:ALERT,outbound:RING', 'extension:1001:ANSWERED,outbound:ANSWER', 'extension:1001:BYE,outbound:BYE'],
    cdr: 'ANSWERED',
    type: 'Outbound',
  },
  'outbound failed': {
    statuses: ['extension:1001:ALERT,outbound:RING', 'extension:1001:BYE,outbound:BYE'],
    failure: 'Line Unreachable',
    cdr: 'FAILED',
    type: 'Outbound',
  },
  'internal answered': {
    statuses: ['extension:1001:ALERT,extension:1002:RING', 'extension:1001:ANSWERED,extension:1002:ANSWER', 'extension:1001:BYE,extension:1002:BYE'],
    cdr: 'ANSWERED',
    type: 'Internal',
  },
  'internal no_answer': { statuses: ['extension:1001:ALERT,extension:1002:RING', 'extension:1001:BYE,extension:1002:BYE'], cdr: 'NO ANSWER', type: 'Internal' },
  'internal busy': { statuses: ['extension:1001:ALERT', 'extension:1001:BYE'], failure: '486 Busy here', cdr: 'BUSY', type: 'Internal' },
  'internal voicemail': {
    statuses: ['extension:1001:ALERT,extension:1002:RING', 'extension:1001:ANSWERED,extension:1002:BYE', 'extension:1001:BYE,extension:1002:BYE'],
    cdr: 'VOICEMAIL',
    type: 'Internal',
  },
  'internal failed': { statuses: ['extension:1001:ALERT', 'extension:1001:BYE'], failure: 'Circuit/channel congestion', cdr: 'FAILED', type: 'Internal' },
};

describe('Yeastar emulator: call simulator (POST /sandbox/calls)', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;
  let events: EventStream;

  before(async () => {
    ({ sb, pbx } = await startPbx({ timezone: 'America/New_York', dateFormat: 'MM/DD/YYYY', didNumber: '+12125550100' }));
  });
  after(() => sb.close());
  beforeEach(async () => {
    events?.close();
    await sb.reset();
    await pbx.login();
    events = await EventStream.open(sb, pbx.token, [30011, 30012, 30015]);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    const [direction, outcome] = name.split(' ');
    it(`${name}: ${expected.statuses.length} status events${expected.failure ? `, 30015 "${expected.failure}"` : ''}, CDR ${expected.cdr}`, async () => {
      const external = direction === 'internal' ? '1002' : '+14155550199';
      const started = Date.now();
      const { status, body } = await control(sb, 'POST', '/sandbox/calls', {
        direction,
        external,
        extension: '1001',
        outcome,
        ringSeconds: 4,
        talkSeconds: 30,
      });
      assert.equal(status, 201);
      const callId = body.call_id;
      await events.callEvents(callId);
      const mine = events.events.filter((e) => e.msg.call_id === callId);
      assert.deepEqual(
        mine.filter((e) => e.type === 30011).map((e) => memberSummary(e.msg)),
        expected.statuses,
      );
      assert.equal(mine.find((e) => e.type === 30015)?.msg.reason, expected.failure);
      assert.equal(
        events.events.some((e) => e.type === 30008),
        false,
        '30008 was not subscribed',
      );
      const cdr = mine.find((e) => e.type === 30012)!.msg;
      assert.equal(cdr.status, expected.cdr);
      assert.equal(cdr.type, expected.type);
      const talked = expected.cdr === 'ANSWERED' || expected.cdr === 'VOICEMAIL';
      assert.equal(cdr.talk_duration, talked ? 30 : 0);
      assert.equal(cdr.call_duration, talked ? 34 : 4);
      assert.equal(cdr.recording === '', expected.cdr !== 'ANSWERED');
      if (direction === 'inbound') {
        assert.deepEqual([cdr.call_from, cdr.call_to, cdr.did_number, cdr.src_trunk_name], [external, '1001', '+12125550100', 'SIP-Trunk1']);
      }
      // time_start is PBX local time (New York), not UTC.
      const nyNow = new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/New_York', dateStyle: 'short', timeStyle: 'medium' }).format(started);
      assert.ok(Math.abs(Date.parse(cdr.time_start.replace(' ', 'T')) - Date.parse(nyNow.replace(' ', 'T'))) <= 2000, `${cdr.time_start} vs ${nyNow}`);
      const listed = (await pbx.get('cdr/list')).data.find((r: any) => r.uid === cdr.uid);
      assert.equal(listed.disposition, expected.cdr);
      assert.equal(listed.call_type, expected.type);
      assert.equal(listed.timestamp, Math.floor(sb.cdrs().find((c) => c.uid === cdr.uid)!.startMs / 1000));
      assert.match(listed.time, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    });
  }

  it('rejects a bad simulator request with 400 naming the field', async () => {
    const bad = await control(sb, 'POST', '/sandbox/calls', { direction: 'sideways', external: '1', extension: '1001' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
    assert.equal(bad.body.error.details[0].field, 'direction');
    const unknownExt = await control(sb, 'POST', '/sandbox/calls', { direction: 'inbound', external: '+15550100', extension: '7777' });
    assert.deepEqual([unknownExt.status, unknownExt.body.error.details[0].field], [400, 'extension']);
    const ring = await control(sb, 'POST', '/sandbox/calls', { direction: 'inbound', external: '+15550100', extension: '1001', ringSeconds: -1 });
    assert.deepEqual([ring.status, ring.body.error.details[0].field], [400, 'ringSeconds']);
    const extra = await control(sb, 'POST', '/sandbox/calls', { direction: 'inbound', external: '+15550100', extension: '1001', colour: 'red' });
    assert.deepEqual([extra.status, extra.body.error.details[0].field], [400, 'colour']);
  });

  it('filters cdr/search by PBX-local start_time and end_time and rejects other formats', async () => {
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1001', ringSeconds: 1, talkSeconds: 1 });
    await events.callEvents(call_id);
    const row = (await pbx.get('cdr/list')).data[0];
    const before = await pbx.get('cdr/search', { start_time: row.time, end_time: row.time });
    assert.equal(before.total_number, 1);
    const [d, t] = row.time.split(' ');
    const [mm, dd, yyyy] = d.split('/');
    const nextYear = `${mm}/${dd}/${Number(yyyy) + 1} ${t}`;
    assert.equal((await pbx.get('cdr/search', { start_time: nextYear })).total_number, 0);
    const wrong = await pbx.get('cdr/search', { start_time: `${yyyy}-${mm}-${dd} ${t}` });
    assert.deepEqual(wrong.invalid_param_list, [{ field: 'start_time', value: `${yyyy}-${mm}-${dd} ${t}` }]);
    assert.equal((await pbx.get('cdr/search', { status: 'ANSWERED' })).total_number, 1);
    assert.equal((await pbx.get('cdr/search', { status: 'NO ANSWER' })).total_number, 0);
  });

  it('compresses the timeline by timeScale while the CDR keeps PBX seconds', async () => {
    const slow = await startPbx({ timeScale: 0.01 });
    try {
      const stream = await EventStream.open(slow.sb, slow.pbx.token, [30012]);
      const t0 = Date.now();
      const { call_id } = slow.sb.simulateCall({ direction: 'outbound', external: '+15550100', extension: '1001', ringSeconds: 10, talkSeconds: 20 });
      await stream.callEvents(call_id);
      const elapsed = Date.now() - t0;
      // 30 PBX seconds at 0.01 = 300 ms of real time.
      assert.ok(elapsed >= 280 && elapsed < 1500, `took ${elapsed} ms`);
      const cdr = stream.events[0].msg;
      assert.deepEqual([cdr.call_duration, cdr.talk_duration], [30, 20]);
      stream.close();
    } finally {
      await slow.sb.close();
    }
  });

  it('lets a test drive a simulated call by hand', async () => {
    const answered = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1002', manual: true });
    await events.waitFor(() => events.events.some((e) => e.msg.call_id === answered.call_id));
    assert.equal((await control(sb, 'POST', `/sandbox/calls/${answered.call_id}/answer`)).status, 200);
    assert.equal((await control(sb, 'POST', `/sandbox/calls/${answered.call_id}/answer`)).status, 409, 'nothing rings any more');
    assert.equal((await control(sb, 'POST', `/sandbox/calls/${answered.call_id}/hangup`)).status, 200);
    assert.equal((await events.callEvents(answered.call_id)).find((e) => e.type === 30012)!.msg.status, 'ANSWERED');
    const missed = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1002', manual: true });
    assert.ok(sb.hangupCall(missed.call_id));
    assert.equal((await events.callEvents(missed.call_id)).find((e) => e.type === 30012)!.msg.status, 'NO ANSWER');
    assert.equal((await control(sb, 'POST', '/sandbox/calls/nope/answer')).status, 404);
  });

  it('sends 30008 Ringing / Busy / Idle for the extension when subscribed', async () => {
    const stream = await EventStream.open(sb, pbx.token, [30008]);
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1003' });
    await events.callEvents(call_id);
    await stream.waitFor(() => stream.events.length >= 3);
    assert.deepEqual(
      stream.events.map((e) => `${e.msg.extension}:${e.msg.status}`),
      ['1003:Ringing', '1003:Busy', '1003:Idle'],
    );
    stream.close();
  });
});
