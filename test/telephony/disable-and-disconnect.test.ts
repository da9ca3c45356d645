/**
 * T9: with the integration switched off nothing is logged or synced and every
 * setting is kept; switched on again it resumes, without back-filling the
 * calls made meanwhile. T10: "Disconnect phone system" clears the connection,
 * the bindings and the settings; the phonebook and its contacts stay on the
 * PBX, editable again, and are no longer restored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PbxClient } from '../support/yeastar-client.ts';
import { cdrFrame, freshNumber, postPbxWebhook, QUICK, sleep, startTelephony, type Telephony } from './telephony-support.ts';

describe('Disabling (T9) and disconnecting (T10) the phone system', () => {
  let t: Telephony;
  let pbxAdmin: PbxClient;
  let crm: { contactId: string; number: string; pbxContactId: number };
  let phonebookId: string;

  before(async () => {
    t = await startTelephony();
    pbxAdmin = new PbxClient(t.pbx);
    await pbxAdmin.login();
    const number = freshNumber();
    const { contactId } = await t.createContact({ firstname: 'Katherine', lastname: 'Johnson', phone: number });
    const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
    await t.loggedCall(call_id);
    await t.settle();
    const copy = t.pbx.contacts().find((c) => c.remark === `hubspot:contact:${contactId}`);
    assert.ok(copy, 'the CRM contact is in the phonebook');
    crm = { contactId, number, pbxContactId: copy.id };
    phonebookId = ((await (await t.admin.request('GET', '/api/telephony')).json()) as { settings: { contactSync: { phonebookId: string } } }).settings
      .contactSync.phonebookId;
  });
  after(() => t.close());

  type Status = { connection: { enabled: boolean; streamState: string } | null; settings: unknown; bindings: number };
  const status = async () => (await (await t.admin.request('GET', '/api/telephony')).json()) as Status;
  const setEnabled = async (enabled: boolean) => {
    const res = await t.admin.request('PUT', '/api/telephony/enabled', { enabled });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Status;
  };
  const editOnPbx = async (firstName: string) => {
    const res = await pbxAdmin.post('company_contact/update', { id: crm.pbxContactId, first_name: firstName });
    assert.equal(res.errcode, 0, JSON.stringify(res));
  };
  const pbxName = () => t.pbx.contacts().find((c) => c.id === crm.pbxContactId)!.first_name;
  async function runRestore(): Promise<void> {
    const queue = t.runtime.queue;
    await queue.enqueue(queue.definition('telephony.restore-phonebook'), { at: `test-${Date.now()}` });
    await t.settle();
  }
  async function engagementsFor(callIds: string[]) {
    const ids = callIds.flatMap((id) => t.idsOf(id));
    return (await t.engagements()).filter((e) => ids.includes(e.properties.hs_call_external_id!));
  }

  describe('disable (T9)', () => {
    const whileDisabled: string[] = [];
    let unknownNumber: string;
    /** When the PBX had ended the calls made while off. */
    let endedWhileOff = 0;

    it('switches off and keeps every setting and binding', async () => {
      const before = await status();
      const users = await (await t.admin.request('GET', '/api/telephony/users')).json();
      const off = await setEnabled(false);
      assert.equal(off.connection!.enabled, false);
      assert.equal(off.connection!.streamState, 'disabled');
      assert.deepEqual(off.settings, before.settings);
      assert.equal(off.bindings, before.bindings);
      assert.deepEqual(await (await t.admin.request('GET', '/api/telephony/users')).json(), users);
    });

    it('logs nothing, creates nothing and syncs nothing while off', async () => {
      unknownNumber = freshNumber();
      whileDisabled.push(
        t.pbx.simulateCall({ direction: 'inbound', external: crm.number, extension: '1001', ...QUICK }).call_id,
        t.pbx.simulateCall({ direction: 'inbound', external: unknownNumber, extension: '1002', ...QUICK }).call_id,
      );
      // A record pushed by webhook meanwhile is accepted and dropped.
      const frame = cdrFrame(t, { call_from: freshNumber(), call_to: '1003', type: 'Inbound', status: 'NO ANSWER' });
      assert.equal((await postPbxWebhook(t, { type: frame.type, sn: frame.sn, msg: frame.msg })).status, 200);
      await editOnPbx('Edited while off');
      // Nothing to wait for but the calls' end and any job they or the webhook might have started.
      await t.callsEnded(whileDisabled);
      endedWhileOff = Date.now();
      await t.settle();
      await runRestore();

      assert.deepEqual(await engagementsFor(whileDisabled), []);
      const rows = await t.logged();
      assert.ok(
        rows.every((r) => !whileDisabled.includes(r.callId ?? '') && r.cdrId !== `uid:${frame.uid}`),
        'nothing in the call log',
      );
      const created = await t.crm('POST', '/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'EQ', value: unknownNumber }] }],
      });
      assert.equal(created.total, 0, 'no contact was auto-created');
      assert.equal(pbxName(), 'Edited while off', 'the phonebook is not restored');
    });

    it('resumes when switched on again, without back-filling the calls made while off', async () => {
      // Switched on over 2 seconds after the calls above ended: the PBX's records are precise to the second, and a call
      // that ended in the second logging resumed would count as made while on.
      await sleep(Math.max(0, endedWhileOff + 2_500 - Date.now()));
      const on = await setEnabled(true);
      assert.equal(on.connection!.enabled, true);
      const { call_id } = t.pbx.simulateCall({ direction: 'outbound', external: crm.number, extension: '1001', ...QUICK });
      const [logged] = await t.engagementsOf(call_id);
      assert.deepEqual(logged!.contacts, [crm.contactId]);
      await runRestore();
      assert.equal(pbxName(), 'Katherine', 'the phonebook is kept in line again');
      assert.deepEqual(await engagementsFor(whileDisabled), [], 'the calls made while off stay unlogged');
    });
  });

  describe('disconnect (T10)', () => {
    it('clears the connection, the bindings and the settings', async () => {
      const res = await t.admin.request('DELETE', '/api/telephony/connection');
      assert.equal(res.status, 200, await res.clone().text());
      const after = (await res.json()) as Status;
      assert.equal(after.connection, null);
      assert.equal(after.settings, null);
      assert.equal(after.bindings, 0);
      assert.deepEqual(await status(), after);
      const users = await t.admin.request('GET', '/api/telephony/users');
      assert.ok(users.status >= 400, 'nothing to bind without a PBX');
    });

    it('leaves the phonebook and its contacts on the PBX, editable again and no longer restored', async () => {
      const book = t.pbx.phonebooks().find((b) => String(b.id) === phonebookId);
      assert.ok(book, 'the phonebook is still on the PBX');
      assert.equal(book!.name, 'HubSpot_CRM_Phonebook', 'no longer marked "(CRM)"');
      assert.ok(book!.contactIds.includes(crm.pbxContactId), 'its contacts are still in it');
      await editOnPbx('Edited after disconnect');
      await runRestore();
      assert.equal(pbxName(), 'Edited after disconnect');
    });

    it('logs no more calls', async () => {
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: crm.number, extension: '1001', ...QUICK });
      await t.callsEnded([call_id]);
      await t.settle();
      assert.deepEqual(await engagementsFor([call_id]), []);
    });
  });
});
