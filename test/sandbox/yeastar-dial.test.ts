import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { control, EventStream, memberSummary, type PbxClient, startPbx } from '../support/yeastar-client.ts';

describe('Yeastar emulator: click-to-call with call/dial (help.yeastar.com make-a-call)', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;
  let events: EventStream;

  before(async () => {
    ({ sb, pbx } = await startPbx());
  });
  after(() => sb.close());
  beforeEach(async () => {
    events?.close();
    await sb.reset();
    await pbx.login();
    events = await EventStream.open(sb, pbx.token, [30011, 30012, 30015, 30008]);
  });

  const statuses = (callId: string) => events.events.filter((e) => e.type === 30011 && e.msg.call_id === callId).map((e) => memberSummary(e.msg));
  const failure = (callId: string) => events.events.find((e) => e.type === 30015 && e.msg.call_id === callId)?.msg;

  it('rings the caller extension first and dials the callee once it answers', async () => {
    const res = await pbx.post('call/dial', { caller: '1001', callee: '5503301', auto_answer: 'no' });
    assert.equal(res.errcode, 0);
    assert.match(res.call_id, /^\d{10}\.\d+$/);
    const all = await events.callEvents(res.call_id);
    assert.deepEqual(statuses(res.call_id), [
      'extension:1001:RING',
      'extension:1001:ALERT,outbound:RING',
      'extension:1001:ANSWERED,outbound:ANSWER',
      'extension:1001:BYE,outbound:BYE',
    ]);
    assert.deepEqual(
      all.filter((e) => e.type === 30008).map((e) => e.msg.status),
      ['Ringing', 'Busy', 'Idle'],
    );
    const outbound = all.find((e) => e.type === 30011 && e.msg.members.length === 2)!.msg.members[1].outbound;
    assert.deepEqual([outbound.from, outbound.to, outbound.trunk_name], ['1001', '5503301', 'SIP-Trunk1']);
    assert.match(outbound.channel_id, /^PJSIP\/SIP-Trunk1-[0-9a-f]{8}$/);
    const cdr = all.find((e) => e.type === 30012)!.msg;
    assert.deepEqual([cdr.call_from, cdr.call_to, cdr.type, cdr.status], ['1001', '5503301', 'Outbound', 'ANSWERED']);
    assert.deepEqual(
      sb.dialRequests().map((d) => [d.body.callee, d.call_id]),
      [['5503301', res.call_id]],
    );
  });

  it('records every call/dial it receives, valid or not', async () => {
    const missing = await pbx.post('call/dial', { caller: '1001' });
    assert.deepEqual(missing.invalid_param_list, [{ field: 'callee', validation_type: 'required' }]);
    const unknown = await pbx.post('call/dial', { caller: '9999', callee: '5503301' });
    assert.equal(unknown.errcode, 40002);
    const { body } = await control(sb, 'GET', '/sandbox/dial-requests');
    assert.deepEqual(
      body.dialRequests.map((d: any) => d.errcode),
      [40002, 40002],
    );
    assert.equal(sb.counters().counters['call/dial'], 2);
  });

  it('fires 30015 "486 Busy here" and a BUSY CDR when the callee is busy', async () => {
    sb.setDialRules({ rules: [{ number: '5550000', outcome: 'busy', ringSeconds: 1 }] });
    const { call_id } = await pbx.post('call/dial', { caller: '1002', callee: '5550000' });
    const all = await events.callEvents(call_id);
    assert.equal(failure(call_id).reason, '486 Busy here');
    assert.equal(all.find((e) => e.type === 30012)!.msg.status, 'BUSY');
    assert.equal(statuses(call_id).at(-1), 'extension:1002:BYE,outbound:BYE');
  });

  it('fires 30015 "NO Outbound Restrictin" when the caller may not dial out, unless dial_permission borrows one that may', async () => {
    await sb.setExtensionState('1003', { outboundPermission: false });
    const denied = await pbx.post('call/dial', { caller: '1003', callee: '5503301' });
    await events.callEvents(denied.call_id);
    assert.equal(failure(denied.call_id).reason, 'NO Outbound Restrictin');
    assert.equal(sb.cdrs().find((c) => c.call_id === denied.call_id)!.status, 'FAILED');
    const borrowed = await pbx.post('call/dial', { caller: '1003', callee: '5503301', dial_permission: '1001' });
    await events.callEvents(borrowed.call_id);
    assert.equal(failure(borrowed.call_id), undefined);
  });

  it('fires 30015 "480 Temporatily Unavailable" and rings nothing when the caller extension is offline', async () => {
    await sb.setExtensionState('1004', { online: false });
    const { call_id, errcode } = await pbx.post('call/dial', { caller: '1004', callee: '5503301' });
    assert.equal(errcode, 0);
    await events.waitFor(() => !!failure(call_id));
    assert.equal(failure(call_id).reason, '480 Temporatily Unavailable');
    assert.deepEqual(statuses(call_id), []);
  });

  it('fires 30015 "484 Address incomplete" for a number that cannot be dialled', async () => {
    const { call_id } = await pbx.post('call/dial', { caller: '1001', callee: '12ab' });
    await events.callEvents(call_id);
    assert.equal(failure(call_id).reason, '484 Address incomplete');
    assert.deepEqual(statuses(call_id), ['extension:1001:RING', 'extension:1001:ALERT', 'extension:1001:BYE']);
  });

  it('dials another extension as an internal call', async () => {
    const { call_id } = await pbx.post('call/dial', { caller: '1001', callee: '1005', auto_answer: 'yes' });
    const all = await events.callEvents(call_id);
    assert.deepEqual(statuses(call_id), [
      'extension:1001:RING',
      'extension:1001:ALERT,extension:1005:RING',
      'extension:1001:ANSWERED,extension:1005:ANSWER',
      'extension:1001:BYE,extension:1005:BYE',
    ]);
    assert.equal(all.find((e) => e.type === 30012)!.msg.type, 'Internal');
  });

  it('lets a test drive the callee by hand: answer, hold, unhold, hang up', async () => {
    sb.setDialRules({ rules: [{ number: '5508888', manual: true }] });
    const { call_id } = await pbx.post('call/dial', { caller: '1001', callee: '5508888' });
    await events.waitFor(() => statuses(call_id).includes('extension:1001:ALERT,outbound:RING'));
    const live = await pbx.get('call/query', { call_id });
    assert.deepEqual(
      live.data[0].members.map((m: any) => Object.keys(m)[0]),
      ['extension', 'outbound'],
    );
    assert.equal((await control(sb, 'POST', `/sandbox/calls/${call_id}/answer`)).status, 200);
    // Hold through the API by the extension's channel id, unhold through the sandbox control.
    const extChannel = live.data[0].members[0].extension.channel_id;
    assert.deepEqual(await pbx.post('call/hold', { channel_id: extChannel }), { errcode: 0, errmsg: 'SUCCESS', call_id });
    assert.equal((await control(sb, 'POST', `/sandbox/calls/${call_id}/unhold`)).status, 200);
    assert.equal((await control(sb, 'POST', `/sandbox/calls/${call_id}/hangup`)).status, 200);
    assert.equal((await control(sb, 'POST', `/sandbox/calls/${call_id}/hangup`)).status, 409);
    await events.callEvents(call_id);
    assert.deepEqual(statuses(call_id).slice(2), [
      'extension:1001:ANSWERED,outbound:ANSWER',
      'extension:1001:HOLD,outbound:ANSWER',
      'extension:1001:ANSWERED,outbound:ANSWER',
      'extension:1001:BYE,outbound:BYE',
    ]);
    assert.equal((await pbx.get('call/query', { call_id })).errcode, 60001);
  });

  it('hangs up a live call by channel id with call/hangup', async () => {
    sb.setDialRules({ defaults: { manual: true } });
    const { call_id } = await pbx.post('call/dial', { caller: '1002', callee: '5503301' });
    await events.waitFor(() => statuses(call_id).length === 2);
    const channel = events.events.filter((e) => e.type === 30011 && e.msg.call_id === call_id)[1].msg.members[1].outbound.channel_id;
    const extChannel = events.events.filter((e) => e.type === 30011 && e.msg.call_id === call_id)[1].msg.members[0].extension.channel_id;
    const notYet = await pbx.post('call/hold', { channel_id: extChannel });
    assert.deepEqual([notYet.errcode, notYet.errmsg], [70132, 'OPERATION NOT SUPPORTED'], 'nothing to hold while ringing');
    const res = await pbx.post('call/hangup', { channel_id: channel });
    assert.deepEqual(res, { errcode: 0, errmsg: 'SUCCESS', call_id });
    await events.callEvents(call_id);
    assert.equal(sb.cdrs().find((c) => c.call_id === call_id)!.status, 'NO ANSWER');
    const gone = await pbx.post('call/hangup', { channel_id: channel });
    assert.deepEqual([gone.errcode, gone.errmsg], [70130, 'CAHNNEL ID NOT FOUND']);
  });

  it('waits for a manual-answer caller before dialling out', async () => {
    await sb.setExtensionState('1005', { answerMode: 'manual' });
    const { call_id } = await pbx.post('call/dial', { caller: '1005', callee: '5503301' });
    await events.waitFor(() => statuses(call_id).length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(statuses(call_id), ['extension:1005:RING']);
    assert.ok(sb.answerCall(call_id));
    await events.callEvents(call_id);
    assert.equal(statuses(call_id)[1], 'extension:1005:ALERT,outbound:RING');
  });
});
