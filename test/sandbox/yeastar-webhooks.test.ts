import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { control, startPbx, startWebhookReceiver, type ReceivedWebhook } from '../support/yeastar-client.ts';

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
    assert.deepEqual(bodies.map((b) => b.type), [30011, 30011, 30011, 30012]);
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

  it('records failed deliveries with the status the receiver answered, without retrying', async () => {
    const failing = await startWebhookReceiver(500);
    try {
      sb.addWebhook(failing.url, [30012]);
      sb.simulateCall({ direction: 'outbound', external: '+15550100', extension: '1001', outcome: 'no_answer', ringSeconds: 1 });
      await failing.waitFor(1);
      await sb.webhooksIdle();
      assert.deepEqual(sb.webhookDeliveries().map((d) => [d.type, d.status, d.ok]), [[30012, 500, false]]);
      assert.equal(failing.received.length, 1);
    } finally {
      await failing.close();
    }
  });
});
