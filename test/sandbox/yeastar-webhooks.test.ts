import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { control, PbxClient, startPbx, startWebhookReceiver, type ReceivedWebhook } from '../support/yeastar-client.ts';

/** What a receiver must do: HMAC-SHA256 over the raw body with the secret, Base64, constant-time compare. */
function signatureValid(secret: string, hook: ReceivedWebhook): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(hook.rawBody).digest('base64'));
  const given = Buffer.from(String(hook.headers['x-signature'] ?? ''));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe('Yeastar emulator: webhook event push (pbx-apis.md §1.3b)', () => {
  let sb: YeastarSandbox;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  before(async () => {
    ({ sb } = await startPbx());
  });
  after(async () => {
    await sb.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    await sb.reset();
    await receiver?.close();
    receiver = await startWebhookReceiver();
  });

  it('delivers the call events it was configured for, signed with X-Signature over the raw body', async () => {
    const { status, body: hook } = await control(sb, 'POST', '/sandbox/webhooks', { url: receiver.url, events: [30011, 30012] });
    assert.equal(status, 201);
    assert.deepEqual(hook.events, [30011, 30012]);
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1002', ringSeconds: 1, talkSeconds: 2 });
    await receiver.waitFor(4);
    const bodies = receiver.received.map((r) => JSON.parse(r.rawBody));
    assert.deepEqual(
      bodies.map((b) => b.type),
      [30011, 30011, 30011, 30012],
    );
    assert.ok(receiver.received.every((r) => signatureValid(sb.info().webhookSecret, r)));
    assert.ok(receiver.received.every((r) => r.headers['content-type'] === 'application/json'));
    const cdr = JSON.parse(bodies[3].msg);
    assert.equal(cdr.call_id, call_id);
    assert.equal(cdr.status, 'ANSWERED');
    assert.match(cdr.recording, new RegExp(`^\\d{14}-${call_id.replace('.', '\\.')}-\\+15550100-1002-Inbound\\.wav$`));
    await sb.webhooksIdle();
    assert.ok(sb.webhookDeliveries().every((d) => d.ok && d.status === 200));
  });

  it('sends every event to a webhook set to "all", including 30007 and 30009', async () => {
    sb.addWebhook(receiver.url);
    await sb.setExtensionState('1003', { online: false, presence: 'lunch' });
    await receiver.waitFor(2);
    const msgs = receiver.received.map((r) => [JSON.parse(r.rawBody).type, JSON.parse(JSON.parse(r.rawBody).msg)]);
    assert.deepEqual(msgs[0], [30007, { extension: '1003', kind: 'Sip', status: 'Unregistered', registered_ip: '' }]);
    assert.deepEqual(msgs[1], [30009, { extension: '1003', status: 'lunch' }]);
  });

  it('accepts at most 5 webhooks, like the PBX web UI', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await control(sb, 'POST', '/sandbox/webhooks', { url: `${receiver.url}?n=${i}` })).status, 201);
    const sixth = await control(sb, 'POST', '/sandbox/webhooks', { url: receiver.url });
    assert.equal(sixth.status, 409);
    const bad = await control(sb, 'POST', '/sandbox/webhooks', { url: 'not a url' });
    assert.deepEqual([bad.status, bad.body.error.details[0].field], [400, 'url']);
  });

  it('re-sends a failed delivery webhook_event_push_retry_count times (3 by default), recording each attempt', async () => {
    const failing = await startWebhookReceiver(500);
    try {
      sb.addWebhook(failing.url, [30012]);
      sb.simulateCall({ direction: 'outbound', external: '+15550100', extension: '1001', outcome: 'no_answer', ringSeconds: 1 });
      await failing.waitFor(4);
      await sb.webhooksIdle();
      assert.deepEqual(
        sb.webhookDeliveries().map((d) => [d.type, d.attempt, d.status, d.ok]),
        [
          [30012, 1, 500, false],
          [30012, 2, 500, false],
          [30012, 3, 500, false],
          [30012, 4, 500, false],
        ],
      );
      assert.equal(failing.received.length, 4);
    } finally {
      await failing.close();
    }
  });

  it('reads and replaces the settings with webhook/query and webhook/update, each webhook signing with its secret', async () => {
    const pbx = new PbxClient(sb);
    await pbx.login();
    sb.addWebhook(receiver.url, [30012]);
    const q = await pbx.get('webhook/query');
    assert.equal(q.errcode, 0);
    assert.deepEqual(q.data.webhook_event_push_list, [{ url: receiver.url, secret: sb.info().webhookSecret, request_method: 'POST', event_ids: [30012] }]);
    assert.deepEqual([q.data.enb_webhook_event_push, q.data.webhook_event_push_timeout, q.data.webhook_event_push_retry_count], [1, 5, 3]);
    assert.ok(q.data.webhook_event_ids.includes(30011));

    const secret = 'mvM5JZeCqxDCMUdpgGzCTPGGbOcOouDr';
    const entry = { url: receiver.url, secret, request_method: 'POST', event_ids: [30011] };
    const up = await pbx.post('webhook/update', { webhook_event_push_list: [entry], webhook_event_push_timeout: 3, webhook_event_push_retry_count: 1 });
    assert.equal(up.errcode, 0);
    const after = (await pbx.get('webhook/query')).data;
    assert.deepEqual([after.webhook_event_push_list, after.webhook_event_push_timeout, after.webhook_event_push_retry_count], [[entry], 3, 1]);
    sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1002', ringSeconds: 1, talkSeconds: 1 });
    await receiver.waitFor(1);
    assert.equal(JSON.parse(receiver.received[0].rawBody).type, 30011);
    assert.ok(signatureValid(secret, receiver.received[0]));

    const bad = (body: unknown) => pbx.post('webhook/update', body);
    assert.deepEqual((await bad({ webhook_event_push_list: [entry], webhook_event_push_timeout: 11 })).invalid_param_list, [
      { field: 'webhook_event_push_timeout', value: '11' },
    ]);
    assert.deepEqual((await bad({ webhook_event_push_list: [{ ...entry, event_ids: [99999] }] })).invalid_param_list, [
      { field: 'event_ids', value: '[99999]' },
    ]);
    assert.equal((await bad({ webhook_event_push_list: Array(6).fill(entry) })).errcode, 60002);
    assert.equal((await bad({})).errcode, 40002);
  });
});
