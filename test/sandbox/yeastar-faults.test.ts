import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { control, EventStream, type PbxClient, startPbx, startWebhookReceiver, UA } from '../support/yeastar-client.ts';

describe('Yeastar emulator: fault injection (POST /sandbox/faults)', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;

  before(async () => {
    ({ sb, pbx } = await startPbx());
  });
  after(() => sb.close());
  beforeEach(async () => {
    await sb.reset();
    await pbx.login();
  });

  const answeredCall = () => sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1001', ringSeconds: 1, talkSeconds: 1 });

  it('duplicates 30012 on the WebSocket and in webhook deliveries', async () => {
    const receiver = await startWebhookReceiver();
    try {
      sb.addWebhook(receiver.url, [30012]);
      const events = await EventStream.open(sb, pbx.token, [30012]);
      assert.equal((await control(sb, 'POST', '/sandbox/faults', { duplicateCdrEvents: true })).status, 200);
      const { call_id } = answeredCall();
      await events.waitFor(() => events.events.length === 2);
      assert.deepEqual(
        events.events.map((e) => e.msg.call_id),
        [call_id, call_id],
      );
      assert.equal(events.events[0].msg.uid, events.events[1].msg.uid);
      await receiver.waitFor(2);
      assert.equal(receiver.received[0].rawBody, receiver.received[1].rawBody);
      assert.equal(sb.cdrs().length, 1, 'one CDR stored');
      events.close();
    } finally {
      await receiver.close();
    }
  });

  it('reorders the events of a call in swapped pairs', async () => {
    const events = await EventStream.open(sb, pbx.token, [30011, 30012]);
    sb.setFaults({ reorderCallEvents: true });
    const { call_id } = answeredCall();
    await events.waitFor(() => events.events.length === 4);
    const order = events.events.map((e) => (e.type === 30012 ? 'CDR' : e.msg.members[0].inbound.member_status));
    assert.deepEqual(order, ['ANSWERED', 'ALERT', 'CDR', 'BYE']);
    assert.ok(events.events.every((e) => e.msg.call_id === call_id));
    events.close();
  });

  it('drops every WebSocket now', async () => {
    const events = await EventStream.open(sb, pbx.token, [30011]);
    const res = await control(sb, 'POST', '/sandbox/faults', { dropWebSocket: 'now' });
    assert.equal(res.body.droppedWebSockets, 1);
    assert.equal((await events.closed).code, 1006, 'abrupt: no close frame');
  });

  it('drops the WebSocket mid-call, after the first event of the next call only', async () => {
    const events = await EventStream.open(sb, pbx.token, [30011, 30012]);
    sb.setFaults({ dropWebSocket: 'mid-call' });
    const { call_id } = answeredCall();
    await events.closed;
    assert.equal(events.events.length, 1);
    assert.equal(events.events[0].msg.call_id, call_id);
    // The next connection survives the next call.
    const again = await EventStream.open(sb, pbx.token, [30012]);
    const second = answeredCall();
    await again.callEvents(second.call_id);
    again.close();
  });

  it('delays webhook deliveries', async () => {
    const receiver = await startWebhookReceiver();
    try {
      sb.addWebhook(receiver.url, [30012]);
      sb.setFaults({ webhookDelayMs: 250 });
      const t0 = Date.now();
      answeredCall();
      await receiver.waitFor(1);
      assert.ok(Date.now() - t0 >= 250);
    } finally {
      await receiver.close();
    }
  });

  it('loses webhook deliveries or signs them wrongly', async () => {
    const receiver = await startWebhookReceiver();
    try {
      sb.addWebhook(receiver.url, [30012]);
      sb.setFaults({ failWebhooks: true });
      answeredCall();
      await new Promise((r) => setTimeout(r, 100));
      await sb.webhooksIdle();
      assert.equal(receiver.received.length, 0);
      assert.deepEqual(
        sb.webhookDeliveries().map((d) => [d.ok, d.lost]),
        [[false, true]],
      );
      sb.setFaults({ badWebhookSignature: true });
      answeredCall();
      await receiver.waitFor(1);
      const { createHmac } = await import('node:crypto');
      const good = createHmac('sha256', sb.info().webhookSecret).update(receiver.received[0].rawBody).digest('base64');
      assert.notEqual(receiver.received[0].headers['x-signature'], good);
    } finally {
      await receiver.close();
    }
  });

  it('answers API requests with 5xx for a number of requests, then recovers', async () => {
    sb.setFaults({ apiErrorStatus: 503, apiErrorCount: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(pbx.url('extension/list'), { headers: UA });
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    }
    assert.equal((await pbx.get('extension/list')).errcode, 0);
  });

  it('answers API requests slowly, and {} clears every fault', async () => {
    await control(sb, 'POST', '/sandbox/faults', { apiDelayMs: 200 });
    let t0 = Date.now();
    await pbx.get('extension/list');
    assert.ok(Date.now() - t0 >= 200);
    const cleared = await control(sb, 'POST', '/sandbox/faults', {});
    assert.deepEqual(cleared.body, { dropWebSocketPending: false, droppedWebSockets: 0 });
    t0 = Date.now();
    await pbx.get('extension/list');
    assert.ok(Date.now() - t0 < 150);
    const bad = await control(sb, 'POST', '/sandbox/faults', { apiErrorStatus: 404 });
    assert.deepEqual([bad.status, bad.body.error.details[0].field], [400, 'apiErrorStatus']);
  });
});
