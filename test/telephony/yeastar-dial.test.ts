import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RemoteRejectedError } from '../../src/errors.ts';
import { PbxDialError, type PbxCallEvent, type PbxCallFailedEvent, type PbxDialFailure } from '../../src/connectors/telephony/pbx.ts';
import type { YeastarAdapter } from '../../src/connectors/telephony/yeastar/index.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { adapterFor, EventCollector, STREAM, startPbx } from './yeastar-support.ts';

describe('Yeastar adapter: click-to-call', () => {
  let sb: YeastarSandbox;
  let adapter: YeastarAdapter;
  let events: EventCollector;

  before(async () => {
    sb = await startPbx();
    adapter = adapterFor(sb);
    events = new EventCollector(adapter.events(STREAM));
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap'));
  });
  after(async () => {
    await adapter.dispose();
    await sb.close();
  });
  beforeEach(async () => {
    sb.setDialRules({ defaults: { outcome: 'answered', manual: false }, rules: [] });
    for (const n of ['1001', '1002', '1003', '1004']) await sb.setExtensionState(n, { online: true, outboundPermission: true });
  });

  const failureOf = async (callId: string): Promise<PbxCallFailedEvent> => {
    await events.waitFor((evs) => evs.some((e) => e.type === 'call_failed' && e.callId === callId), 4000, `30015 for ${callId}`);
    return events.events.find((e): e is PbxCallFailedEvent => e.type === 'call_failed' && e.callId === callId)!;
  };

  it("rings the salesperson's extension first, then the number, and logs an outbound CDR", async () => {
    const { callId } = await adapter.dial('1001', '+1 (415) 555-0142');
    assert.deepEqual(sb.dialRequests().at(-1)?.body, { caller: '1001', callee: '+14155550142' });
    const mine = await events.call(callId);
    const calls = mine.filter((e): e is PbxCallEvent => e.type === 'call');
    // First only the caller's own phone rings: the direction is not known yet.
    assert.deepEqual([calls[0].state, calls[0].direction, calls[0].ringingExtensions], ['ringing', null, ['1001']]);
    // Then the caller hears ringback while the number rings.
    assert.deepEqual([calls[1].state, calls[1].direction, calls[1].externalNumber], ['ringing', 'outbound', '+14155550142']);
    assert.deepEqual(
      calls[1].members.map((m) => `${m.kind}:${m.state}`),
      ['extension:ringback', 'external:ringing'],
    );
    assert.deepEqual(
      calls.slice(2).map((e) => e.state),
      ['answered', 'ended'],
    );
    const cdr = mine.find((e) => e.type === 'cdr');
    assert.equal(cdr?.type === 'cdr' && `${cdr.cdr.direction} ${cdr.cdr.status} ${cdr.cdr.extension}`, 'outbound answered 1001');
  });

  it("can borrow another extension's outbound permission and ask the phone to pick up by itself", async () => {
    await sb.setExtensionState('1003', { outboundPermission: false });
    const { callId } = await adapter.dial('1003', '5503301', { dialPermissionOf: '1001', autoAnswer: true });
    assert.deepEqual(sb.dialRequests().at(-1)?.body, { caller: '1003', callee: '5503301', dial_permission: '1001', auto_answer: 'yes' });
    const mine = await events.call(callId);
    assert.ok(!mine.some((e) => e.type === 'call_failed'));
  });

  const asyncFailures: { name: string; setup: () => Promise<void> | void; from: string; to: string; reason: PbxDialFailure; message: RegExp; pbx: string }[] = [
    {
      name: 'the number is busy',
      from: '1002',
      to: '5550001',
      reason: 'busy',
      pbx: '486 Busy here',
      message: /busy/,
      setup: () => sb.setDialRules({ rules: [{ number: '5550001', outcome: 'busy', ringSeconds: 1 }] }),
    },
    {
      name: 'the extension may not call out',
      from: '1003',
      to: '5503301',
      reason: 'no_permission',
      pbx: 'NO Outbound Restrictin',
      message: /extension 1003 is not allowed to call this number/,
      setup: () => sb.setExtensionState('1003', { outboundPermission: false }).then(() => undefined),
    },
    {
      name: "the salesperson's phone is offline",
      from: '1004',
      to: '5503301',
      reason: 'extension_offline',
      pbx: '480 Temporatily Unavailable',
      // The PBX names no party in this 30015 (nothing rang), so the message cannot name the extension either.
      message: /^Your phone is offline\. Make sure it is switched on and signed in/,
      setup: () => sb.setExtensionState('1004', { online: false }).then(() => undefined),
    },
    {
      name: 'the PBX cannot dial the number',
      from: '1001',
      to: '12',
      reason: 'invalid_number',
      pbx: '484 Address incomplete',
      message: /cannot be dialled/,
      setup: () => undefined,
    },
    {
      name: 'no outside line is reachable',
      from: '1001',
      to: '5550002',
      reason: 'line_unavailable',
      pbx: 'Line Unreachable',
      message: /No outside line/,
      setup: () => sb.setDialRules({ rules: [{ number: '5550002', outcome: 'failed', ringSeconds: 1 }] }),
    },
  ];

  for (const f of asyncFailures) {
    it(`reports a call_failed "${f.reason}" when ${f.name}`, async () => {
      await f.setup();
      const { callId } = await adapter.dial(f.from, f.to);
      const failed = await failureOf(callId);
      assert.ok(failed.error instanceof PbxDialError);
      assert.equal(failed.error.reason, f.reason);
      assert.equal(failed.error.pbxReason, f.pbx);
      assert.match(failed.error.message, f.message);
    });
  }

  it('refuses at once, with a clear error, a number nobody could dial and an extension the PBX does not have', async () => {
    const before = sb.dialRequests().length;
    await assert.rejects(adapter.dial('1001', '12ab'), (err: Error) => {
      assert.ok(err instanceof PbxDialError && err instanceof RemoteRejectedError);
      assert.equal(err.reason, 'invalid_number');
      assert.equal(err.retryable, false);
      assert.equal(err.message, '"12ab" cannot be dialled. Check the number and try again.');
      return true;
    });
    assert.equal(sb.dialRequests().length, before, 'never sent to the PBX');
    await assert.rejects(adapter.dial('9999', '5503301'), (err: PbxDialError) => {
      assert.equal(err.reason, 'unknown_extension');
      assert.match(err.message, /^Extension 9999 does not exist on the PBX/);
      return true;
    });
    assert.equal(sb.dialRequests().at(-1)?.errcode, 40002);
  });

  it('hangs up a live call, and says so when it was no longer live', async () => {
    sb.setDialRules({ rules: [{ number: '5508888', manual: true }] });
    const { callId } = await adapter.dial('1002', '5508888');
    await events.waitFor((evs) => evs.some((e) => e.type === 'call' && e.callId === callId && e.direction === 'outbound'));
    assert.equal(sb.answerCall(callId), true);
    await events.waitFor((evs) => evs.some((e) => e.type === 'call' && e.callId === callId && e.state === 'answered'));
    assert.equal(await adapter.hangup(callId), true);
    const mine = await events.call(callId);
    assert.equal(
      mine.filter((e) => e.type === 'call').at(-1)?.type === 'call' && (mine.filter((e) => e.type === 'call').at(-1) as PbxCallEvent).state,
      'ended',
    );
    assert.equal(await adapter.hangup(callId), false);
  });
});
