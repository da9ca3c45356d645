/**
 * T8, no call lost: two calls whose records carry the same `uid`. A Yeastar uid
 * is the call's start second and a five-character suffix; the PBX emulator draws
 * the suffix at random, so at 50 calls a second about one 10,000-call benchmark
 * run in five has two calls share one, and Spokes, which knew a record by its
 * uid alone, took the second call for a copy of the first and never logged it.
 * Here the PBX delivers such a pair by webhook: both live (with call ids, at
 * once, so that their claims race), and as listed after a gap (no call id),
 * each copy twice and in both orders. Counted in the HubSpot emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cdrFrame, freshNumber, postPbxWebhook, startTelephony, type Telephony } from './telephony-support.ts';

describe('Two calls whose records share a uid', () => {
  let t: Telephony;

  before(async () => {
    // No worker until the first pair is queued: its two jobs are then fetched in one batch and race for one ledger row.
    t = await startTelephony({ worker: false });
  });
  after(() => t.close());

  let uids = 0;
  /** The same second's uid for both calls of a pair, as the PBX writes it (start time, then a suffix). */
  const sharedUid = () => `${new Date(Date.now() - 2_000).toISOString().slice(0, 19).replace(/\D/g, '')}S${String(++uids).padStart(4, '0')}`;

  /** A 30012 frame for one call, with the given uid and call id ('' for a record listed without one). */
  function frame(uid: string, callId: string, fields: Parameters<typeof cdrFrame>[1] & { recording?: string }): object {
    const { type, sn, msg } = cdrFrame(t, fields);
    return { type, sn, msg: JSON.stringify({ ...JSON.parse(msg), uid, call_id: callId, recording: fields.recording ?? '' }) };
  }

  const post = async (body: object) => assert.equal((await postPbxWebhook(t, body)).status, 200);

  /** The engagements HubSpot holds per external id. */
  async function engagementsById(): Promise<Map<string, { id: string; recording: string | null }[]>> {
    const out = new Map<string, { id: string; recording: string | null }[]>();
    for (const e of await t.engagements()) {
      const id = e.properties.hs_call_external_id!;
      out.set(id, [...(out.get(id) ?? []), { id: e.id, recording: e.properties.hs_call_recording_url ?? null }]);
    }
    return out;
  }

  it('logs each of two live calls once, with its own recording link', async () => {
    const uid = sharedUid();
    const [a, b] = ['1795410605.716', '1795410605.721'];
    const liveA = frame(uid, a, {
      call_from: freshNumber(),
      call_to: '1001',
      type: 'Inbound',
      status: 'ANSWERED',
      talk_duration: 4,
      call_duration: 6,
      recording: `x-${a}-1.wav`,
    });
    const liveB = frame(uid, b, {
      call_from: freshNumber(),
      call_to: '1002',
      type: 'Inbound',
      status: 'ANSWERED',
      talk_duration: 3,
      call_duration: 5,
      recording: `x-${b}-2.wav`,
    });
    // Both records are in one batch of jobs, and claim the same ledger row at once.
    await Promise.all([post(liveA), post(liveB)]);
    await t.runtime.queue.work();
    await t.settle();
    // Replayed (the same event by WebSocket and webhook): nothing more.
    await Promise.all([post(liveB), post(liveA)]);
    await t.settle();

    const forUid = [...(await engagementsById())].filter(([id]) => id.startsWith(uid));
    assert.equal(forUid.length, 2, `two external ids for the two calls: ${JSON.stringify(forUid)}`);
    assert.ok(
      forUid.every(([, list]) => list.length === 1),
      'each call logged once',
    );
    assert.notEqual(forUid[0]![1][0]!.recording, forUid[1]![1][0]!.recording, 'each call links its own recording');
    const rows = (await t.logged()).filter((r) => r.callId === a || r.callId === b);
    assert.deepEqual(
      rows.map((r) => r.state),
      ['logged', 'logged'],
    );
    assert.deepEqual(new Set(rows.map((r) => r.engagementId)), new Set(forUid.map(([, list]) => list[0]!.id)));
  });

  it('logs each of two calls once when their records come without call ids (after a gap) and then live', async () => {
    const uid = sharedUid();
    const [a, b] = ['1795410700.101', '1795410700.104'];
    const fieldsA = { call_from: '1003', call_to: freshNumber(), type: 'Outbound', status: 'NO ANSWER', talk_duration: 0, call_duration: 7 } as const;
    const fieldsB = { call_from: freshNumber(), call_to: '1001', type: 'Inbound', status: 'NO ANSWER', talk_duration: 0, call_duration: 9 } as const;
    // Listed after a gap (no call id), B first, each twice.
    await Promise.all([post(frame(uid, '', fieldsB)), post(frame(uid, '', fieldsA)), post(frame(uid, '', fieldsB))]);
    await post(frame(uid, '', fieldsA));
    await t.settle();
    // The live copies arrive late (the same records, with call ids).
    await Promise.all([post(frame(uid, a, fieldsA)), post(frame(uid, b, fieldsB))]);
    await t.settle();

    const byId = await engagementsById();
    const forUid = [...byId].filter(([id]) => id.startsWith(uid));
    assert.equal(forUid.length, 2, `two external ids for the two calls: ${JSON.stringify(forUid)}`);
    assert.ok(
      forUid.every(([, list]) => list.length === 1),
      'one engagement each',
    );
    assert.equal(byId.get(a), undefined, 'the live copy of A added nothing');
    assert.equal(byId.get(b), undefined, 'the live copy of B added nothing');
    const numbers = (await t.engagements())
      .filter((e) => e.properties.hs_call_external_id!.startsWith(uid))
      .map((e) => (e.properties.hs_call_direction === 'INBOUND' ? e.properties.hs_call_from_number : e.properties.hs_call_to_number))
      .sort();
    assert.deepEqual(numbers, [fieldsA.call_to, fieldsB.call_from].sort(), 'each engagement is its own call');
  });
});
