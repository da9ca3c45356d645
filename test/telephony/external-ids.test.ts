/**
 * One external-id scheme for every call: whichever way a call's record reached
 * Spokes (live, or listed by cdr/search after a gap), recorded or not, and for
 * the engagement the calling widget created, HubSpot ends up holding the PBX
 * record's uid as `hs_call_external_id`, so people and other tools can match a
 * call in HubSpot with the PBX's record. An upgrade from the old scheme (the
 * live call id, or `uid:<uid>` for records without one) never writes a call
 * twice: the crash recovery looks for both.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { callLogs } from '../../src/connectors/telephony/schema.ts';
import { cdrFrame, freshNumber, postPbxWebhook, QUICK, sleep, startTelephony, type Telephony } from './telephony-support.ts';

describe('hs_call_external_id: one scheme for every call', () => {
  let t: Telephony;

  before(async () => {
    t = await startTelephony();
  });
  afterEach(() => t.pbx.setFaults({}));
  after(() => t.close());

  /** The uid of the PBX's record of a call, and the external ids of the engagements HubSpot holds for it. */
  async function externalIdsOf(callId: string): Promise<{ uid: string; ids: string[] }> {
    const deadline = Date.now() + 20_000;
    let uid: string | undefined;
    // Until the PBX wrote the call's record and Spokes logged it (the widget's row of the call is logged before).
    while (!(uid = t.pbx.cdrs().find((c) => c.call_id === callId)?.uid) || !(await t.logged()).some((r) => r.cdrId === `uid:${uid}` && r.state === 'logged')) {
      assert.ok(Date.now() < deadline, `call ${callId} not logged in time`);
      await sleep(100);
    }
    await t.settle();
    const ids = (await t.engagements()).map((e) => e.properties.hs_call_external_id!).filter((id) => id === uid || id === callId || id.includes(uid));
    return { uid, ids };
  }

  it("is the PBX record's uid for live calls, with and without a recording", async () => {
    const recorded = t.pbx.simulateCall({ direction: 'inbound', outcome: 'answered', external: freshNumber(), extension: '1001', ...QUICK }).call_id;
    const missed = t.pbx.simulateCall({ direction: 'inbound', outcome: 'no_answer', external: freshNumber(), extension: '1002', ...QUICK }).call_id;
    for (const callId of [recorded, missed]) {
      const { uid, ids } = await externalIdsOf(callId);
      assert.deepEqual(ids, [uid], `call ${callId}`);
    }
  });

  it('is the same uid for calls whose records were listed after a gap, with and without a recording', async () => {
    // Both calls end while Spokes' WebSocket is down: their records come from cdr/search, which carries no call id.
    t.pbx.setFaults({ dropWebSocket: 'mid-call' });
    const missed = t.pbx.simulateCall({
      direction: 'inbound',
      outcome: 'no_answer',
      external: freshNumber(),
      extension: '1001',
      ringSeconds: 0.1,
      talkSeconds: 0,
    }).call_id;
    const recorded = t.pbx.simulateCall({
      direction: 'outbound',
      outcome: 'answered',
      external: freshNumber(),
      extension: '1002',
      ringSeconds: 0.1,
      talkSeconds: 0.5,
    }).call_id;
    for (const callId of [missed, recorded]) {
      const { uid, ids } = await externalIdsOf(callId);
      assert.deepEqual(ids, [uid], `call ${callId}`);
    }
  });

  it("replaces the call id of the calling widget's engagement once the record completes it", async () => {
    const number = freshNumber();
    const { call_id: callId } = t.pbx.simulateCall({
      direction: 'outbound',
      outcome: 'answered',
      external: number,
      extension: '1001',
      ringSeconds: 0.2,
      talkSeconds: 1.5,
    });
    // What the widget does through HubSpot's SDK (C3): an engagement whose external id is the live call id, then tells Spokes.
    const widget = await t.crm('POST', '/crm/v3/objects/calls', {
      properties: { hs_timestamp: new Date().toISOString(), hs_call_external_id: callId, hs_call_title: 'Call from the widget' },
    });
    const res = await t.admin.request('PUT', `/api/telephony/calls/${callId}/engagement`, { engagementId: widget.id });
    assert.equal(res.status, 200, await res.clone().text());
    const { uid, ids } = await externalIdsOf(callId);
    assert.deepEqual(ids, [uid]);
    const completed = await t.crm('GET', `/crm/v3/objects/calls/${widget.id}?properties=hs_call_external_id,hs_call_title`);
    assert.equal(completed.properties.hs_call_external_id, uid, "the widget's engagement, completed");
    // A widget call carries the same title as a call logged without the widget (issue 10, defect 1): the wrap-up adds
    // an outcome and notes, never a title of its own.
    assert.equal(completed.properties.hs_call_title, `Outbound call to ${number}`, 'the title of any call');
  });

  it('finds a call an older Spokes wrote (old external id) after a crash, instead of writing it again', async () => {
    const db = t.runtime.services.database.db;
    const owner = await t.ownerOf('1001');
    // Two calls an older Spokes had claimed and written when it was killed: one with a live call id (written under
    // that id), one listed after a gap (written under `uid:<uid>`). Its row stayed 'writing'.
    const cases = [
      { callId: '1795411111.501', old: (_uid: string) => '1795411111.501' },
      { callId: '', old: (uid: string) => `uid:${uid}` },
    ];
    const expected: { uid: string; engagementId: string }[] = [];
    for (const c of cases) {
      const { type, sn, msg, uid } = cdrFrame(t, { call_from: freshNumber(), call_to: '1001', type: 'Inbound', status: 'NO ANSWER', call_duration: 4 });
      const fields = JSON.parse(msg);
      const frame = { type, sn, msg: JSON.stringify({ ...fields, call_id: c.callId }) };
      const old = await t.crm('POST', '/crm/v3/objects/calls', {
        properties: { hs_timestamp: new Date().toISOString(), hs_call_external_id: c.old(uid), hubspot_owner_id: owner },
      });
      await db.insert(callLogs).values({
        cdrId: `uid:${uid}`,
        callId: c.callId || null,
        direction: 'inbound',
        status: 'no_answer',
        extension: '1001',
        externalNumber: fields.call_from,
        startedAt: new Date(`${fields.time_start.replace(' ', 'T')}Z`),
        durationMs: 0,
        ownerId: owner,
        state: 'writing',
        writingSince: new Date(Date.now() - 60_000),
      });
      expected.push({ uid, engagementId: old.id });
      // The record comes again (a replay after the restart).
      assert.equal((await postPbxWebhook(t, frame)).status, 200);
    }
    await t.settle();
    const all = await t.engagements();
    const rows = await t.logged();
    for (const { uid, engagementId } of expected) {
      const row = rows.find((r) => r.cdrId === `uid:${uid}`);
      assert.equal(row?.state, 'logged');
      assert.equal(row?.engagementId, engagementId, 'the engagement the older Spokes wrote');
      assert.equal(all.filter((e) => e.properties.hs_call_external_id === uid).length, 0, 'no second engagement');
    }
  });
});
