import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ValidationError } from '../../src/errors.ts';
import type { PbxEvent } from '../../src/connectors/telephony/pbx.ts';
import { parseYeastarWebhook, verifyYeastarWebhook, type PbxClock, type YeastarAdapter } from '../../src/connectors/telephony/yeastar/index.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { startWebhookReceiver } from '../support/yeastar-client.ts';
import { adapterFor, startPbx } from './yeastar-support.ts';

const UTC: PbxClock = { utcOffsetMinutes: 0, dateOrder: 'MDY', dateSeparator: '/', twelveHour: false };
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64');

describe('Yeastar adapter: webhooks (X-Signature verification and parsing)', () => {
  let sb: YeastarSandbox;
  let adapter: YeastarAdapter;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  before(async () => {
    sb = await startPbx({ timezone: 'Europe/Paris' });
    adapter = adapterFor(sb);
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await adapter.dispose();
    await sb.close();
  });

  it("accepts the PBX's signed deliveries and parses them into the same events as the stream", async () => {
    sb.addWebhook(receiver.url, [30011, 30012]);
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+33142685300', extension: '1001', outcome: 'answered' });
    await receiver.waitFor(4);
    await sb.webhooksIdle();
    const parsed: PbxEvent[] = [];
    for (const hook of receiver.received) {
      assert.equal(verifyYeastarWebhook(hook.rawBody, hook.headers['x-signature'], sb.info().webhookSecret), true);
      assert.equal(adapter.verifyWebhook(Buffer.from(hook.rawBody), hook.headers['x-signature']), true);
      const result = await adapter.parseWebhook(hook.rawBody);
      assert.ok(result.ok && result.event);
      parsed.push(result.event);
    }
    assert.deepEqual(
      parsed.map((e) => (e.type === 'call' ? `${e.state} ${e.direction}` : e.type)),
      ['ringing inbound', 'answered inbound', 'ended inbound', 'cdr'],
    );
    const cdr = parsed[3].type === 'cdr' ? parsed[3].cdr : undefined;
    const stored = sb.cdrs().find((c) => c.call_id === call_id)!;
    assert.equal(cdr?.id, `uid:${stored.uid}`);
    assert.equal(cdr?.startedAt.getTime(), Math.floor(stored.startMs / 1000) * 1000, 'Paris local time converted to UTC');
  });

  it('rejects a wrong signature, a tampered body, a missing or garbled header', async () => {
    receiver.received.length = 0;
    sb.setFaults({ badWebhookSignature: true });
    sb.simulateCall({ direction: 'inbound', external: '+33142685301', extension: '1002', outcome: 'no_answer' });
    await receiver.waitFor(3);
    sb.setFaults({});
    const secret = sb.info().webhookSecret;
    const hook = receiver.received[0];
    assert.equal(verifyYeastarWebhook(hook.rawBody, hook.headers['x-signature'], secret), false, 'signed with another key');
    const body = '{"type":30011,"sn":"x","msg":"{}"}';
    assert.equal(verifyYeastarWebhook(body, sign(secret, body), secret), true);
    assert.equal(verifyYeastarWebhook(`${body} `, sign(secret, body), secret), false, 'one byte more');
    assert.equal(verifyYeastarWebhook(body, undefined, secret), false);
    assert.equal(verifyYeastarWebhook(body, 'not base64 at all!', secret), false);
    assert.equal(verifyYeastarWebhook(body, sign(secret, body), ''), false, 'no secret configured');
    const unsigned = adapterFor(sb, { webhookSecret: undefined });
    assert.equal(unsigned.verifyWebhook(body, sign(secret, body)), false);
    await unsigned.dispose();
  });

  it('answers malformed JSON, a malformed event and an unknown event type with a 400 ValidationError', () => {
    const cases = ['{"type":30011', '[1,2]', '{"type":30012,"sn":"x","msg":"{\\"call_id\\":\\"1\\"}"}', '{"type":39999,"sn":"x","msg":"{}"}'];
    const statuses = cases.map((raw) => {
      const result = parseYeastarWebhook(raw, UTC);
      assert.ok(!result.ok);
      assert.ok(result.error instanceof ValidationError);
      return `${result.error.status} ${result.error.message}`;
    });
    assert.deepEqual(statuses, [
      '400 The webhook body is not JSON.',
      '400 Malformed Yeastar event: not a {type, sn, msg} event frame.',
      '400 Malformed Yeastar event: msg.time_start: Invalid input: expected string, received undefined.',
      '400 Unknown Yeastar event type 39999.',
    ]);
  });

  it('accepts, and drops, documented events Spokes does not use (registration, presence)', () => {
    const result = parseYeastarWebhook('{"type":30007,"sn":"x","msg":"{\\"extension\\":\\"1001\\",\\"status\\":\\"Registered\\"}"}', UTC);
    assert.deepEqual(result, { ok: true, event: null, eventType: 30007 });
  });
});
