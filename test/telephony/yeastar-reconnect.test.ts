import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PbxCdr, PbxGapEvent } from '../../src/connectors/telephony/pbx.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { recordKey } from '../../src/connectors/telephony/call-record.ts';
import { adapterFor, control, EventCollector, sleep, STREAM, startPbx } from './yeastar-support.ts';

async function collect(iterable: AsyncIterable<PbxCdr>): Promise<PbxCdr[]> {
  const out: PbxCdr[] = [];
  for await (const cdr of iterable) out.push(cdr);
  return out;
}

const subscribers = async (sb: YeastarSandbox): Promise<number> => (await control(sb, 'GET', '/sandbox/requests')).webSocketSubscribers;

describe('Yeastar adapter: the event stream survives drops and token changes, and reports every gap', () => {
  let sb: YeastarSandbox;
  before(async () => {
    sb = await startPbx({ timezone: 'America/Los_Angeles', dateFormat: 'YYYY/MM/DD' });
  });
  after(() => sb.close());

  it('reconnects after a drop mid-call, reports the gap, and listCdrs over the gap returns the CDR it missed', async () => {
    const adapter = adapterFor(sb);
    // A slow first reconnect, so that the call ends (and its CDR is published) while the stream is away.
    const events = new EventCollector(adapter.events({ ...STREAM, reconnect: { initialDelayMs: 400, maxDelayMs: 400 } }));
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap' && e.reason === 'start'));

    sb.setFaults({ dropWebSocket: 'mid-call' });
    const { call_id } = sb.simulateCall({
      direction: 'inbound',
      external: '+14155550199',
      extension: '1001',
      outcome: 'answered',
      ringSeconds: 5,
      talkSeconds: 30,
    });
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap' && e.reason === 'reconnect'), 4_000, 'the reconnect gap');
    const gap = events.gaps().find((g) => g.reason === 'reconnect') as PbxGapEvent;
    assert.ok(adapter && events.stream.connected, 'subscribed again');
    assert.equal(await subscribers(sb), 1, 're-subscribed exactly once');

    // The stream saw the call ring, then lost it: no CDR arrived live.
    assert.ok(events.events.some((e) => e.type === 'call' && e.callId === call_id));
    assert.ok(!events.events.some((e) => e.type === 'cdr' && e.cdr.callId === call_id));
    assert.ok(gap.from <= gap.to);

    const backfilled = await collect(adapter.listCdrs(gap.backfill));
    const missed = backfilled.find((c) => c.callId === call_id);
    const stored = sb.cdrs().find((c) => c.call_id === call_id)!;
    assert.ok(missed, 'the missed CDR is back-filled');
    assert.equal(missed.id, `uid:${stored.uid}`, 'the same stable id a live event would have carried');
    assert.equal(missed.startedAt.getTime(), Math.floor(stored.startMs / 1000) * 1000);
    assert.deepEqual(
      [missed.direction, missed.status, missed.extension, missed.externalNumber, missed.talkSeconds],
      ['inbound', 'answered', '1001', '+14155550199', 30],
    );

    // Calls after the reconnect arrive live again.
    const next = sb.simulateCall({ direction: 'outbound', external: '+14155550100', extension: '1002', outcome: 'no_answer' });
    const live = (await events.call(next.call_id)).flatMap((e) => (e.type === 'cdr' ? [e.cdr] : []))[0]!;
    // Its live record and its listed copy (no call id: not recorded) are one record to the call logger.
    const listed = (await collect(adapter.listCdrs({ from: new Date(Date.now() - 60_000), to: new Date() }))).find((c) => c.id === live.id)!;
    assert.equal(listed.callId, null);
    assert.equal(recordKey(listed), recordKey(live));
    await adapter.dispose();
  });

  it('moves to each renewed token before the old one expires: reconnects, re-subscribes, reports a token_refresh gap', async () => {
    const short = await startPbx({ limits: { accessTokenTtlSec: 1.2 } });
    const adapter = adapterFor(short);
    const events = new EventCollector(adapter.events(STREAM));
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap'));
    // Renewal is due 1 s after the token was issued (5/6 of its life).
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap' && e.reason === 'token_refresh'), 3_000, 'the token_refresh gap');
    assert.equal(short.counters().counters.get_token, 1);
    assert.ok((short.counters().counters.refresh_token ?? 0) >= 1);
    assert.equal(await subscribers(short), 1);
    assert.equal(short.counters().validAccessTokens, 1);
    const { call_id } = short.simulateCall({ direction: 'inbound', external: '+14155550123', extension: '1003', outcome: 'answered' });
    await events.call(call_id);
    await adapter.dispose();
    assert.equal(short.counters().validAccessTokens, 0);
    await short.close();
  });

  it('recovers when the PBX expires the token early: the socket is closed, the stream renews and comes back', async () => {
    const adapter = adapterFor(sb);
    const events = new EventCollector(adapter.events(STREAM));
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap'));
    const gapsBefore = events.gaps().length;
    sb.expireTokens();
    await events.waitFor((evs) => evs.filter((e) => e.type === 'gap').length > gapsBefore, 3_000, 'a second gap');
    assert.ok(['reconnect', 'token_refresh'].includes(events.gaps().at(-1)!.reason));
    const { call_id } = sb.simulateCall({ direction: 'internal', external: '1004', extension: '1005', outcome: 'answered' });
    await events.call(call_id);
    await adapter.dispose();
  });

  it('keeps the connection alive with heartbeats past the PBX idle timeout', async () => {
    const adapter = adapterFor(sb);
    const events = new EventCollector(adapter.events(STREAM));
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap'));
    await sleep(500); // four times the emulator's idle timeout (60 s × timeScale)
    assert.equal(events.gaps().length, 1, 'no reconnect was needed');
    await adapter.dispose();
  });

  it('ends the iteration on close(), and dispose() closes every open stream', async () => {
    const adapter = adapterFor(sb);
    const first = new EventCollector(adapter.events(STREAM));
    const second = new EventCollector(adapter.events(STREAM));
    await first.waitFor((evs) => evs.length > 0);
    await second.waitFor((evs) => evs.length > 0);
    await first.stream.close();
    assert.equal(await first.done, undefined);
    await adapter.dispose();
    assert.equal(await second.done, undefined);
    await sleep(50);
    assert.equal(await subscribers(sb), 0);
  });

  it('lists CDRs of a time range across pages, oldest first, excluding calls outside it', async () => {
    const adapter = adapterFor(sb, { pageSize: 2 });
    // The PBX records start times to the second: begin on a fresh second, after the previous tests' calls.
    await sleep(1_000 - (Date.now() % 1_000));
    const from = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { call_id } = sb.simulateCall({
        direction: 'outbound',
        external: `+1415555020${i}`,
        extension: '1001',
        outcome: 'answered',
        ringSeconds: 0,
        talkSeconds: 1,
      });
      ids.push(call_id);
      await sleep(1_000 / 5);
    }
    await sleep(50);
    const to = new Date();
    const listed = await collect(adapter.listCdrs({ from, to }));
    assert.deepEqual(
      listed.map((c) => c.callId),
      ids,
    );
    assert.ok(listed.every((c) => c.startedAt >= from && c.startedAt <= to));
    assert.deepEqual(await collect(adapter.listCdrs({ from: new Date(to.getTime() + 5_000), to: new Date(to.getTime() + 60_000) })), []);
    await adapter.dispose();
  });
});
