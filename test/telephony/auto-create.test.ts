/**
 * T5: a number that matches no HubSpot contact or company becomes a contact
 * named `Automatic New Contact - <number>` before the call is logged, per call
 * direction as the settings say; one contact per number however many calls
 * arrive at once; never for a withheld number.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { eventually } from '../support/world.ts';
import { cdrFrame, freshNumber, postPbxWebhook, QUICK, startTelephony, type Telephony } from './telephony-support.ts';

describe('Auto-created contacts (T5)', () => {
  let t: Telephony;

  before(async () => {
    t = await startTelephony();
  });
  after(() => t.close());

  /** The contacts HubSpot holds with this phone number. */
  async function contactsWith(phone: string): Promise<{ id: string; properties: Record<string, string | null> }[]> {
    const found = await t.crm('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'EQ', value: phone }] }],
      properties: ['firstname', 'lastname', 'phone'],
      limit: 100,
    });
    return found.results;
  }

  /** Changes one direction, as the page's call-type checkboxes do; returns both. */
  async function setAutoCreate(autoCreate: { inbound?: boolean; outbound?: boolean }): Promise<{ inbound: boolean; outbound: boolean }> {
    const res = await t.admin.request('PATCH', '/api/telephony/settings', { autoCreate });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { settings: { autoCreate: { inbound: boolean; outbound: boolean } } }).settings.autoCreate;
  }

  describe('for unknown numbers, both directions on', { concurrency: true }, () => {
    it('creates "Automatic New Contact - <number>" for an unknown caller and associates the call with it', async () => {
      const number = freshNumber();
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
      const [e, ...more] = await t.engagementsOf(call_id);
      assert.equal(more.length, 0);
      const contacts = await contactsWith(number);
      assert.equal(contacts.length, 1);
      assert.equal(contacts[0]!.properties.firstname, `Automatic New Contact - ${number}`);
      assert.deepEqual(e!.contacts, [contacts[0]!.id]);
      // The title shows the number, not the placeholder name.
      assert.equal(e!.properties.hs_call_title, `Inbound call from ${number}`);
    });

    it('creates one contact when two calls from the same unknown number arrive at once, and both calls are associated with it', async () => {
      const number = freshNumber();
      const a = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
      const b = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1002', ...QUICK });
      const [ea] = await t.engagementsOf(a.call_id);
      const [eb] = await t.engagementsOf(b.call_id);
      const contacts = await contactsWith(number);
      assert.equal(contacts.length, 1, JSON.stringify(contacts));
      assert.deepEqual(ea!.contacts, [contacts[0]!.id]);
      assert.deepEqual(eb!.contacts, [contacts[0]!.id]);

      // The next call from that number matches the contact: nothing new is created.
      const c = t.pbx.simulateCall({ direction: 'outbound', external: number, extension: '1003', ...QUICK });
      const [ec] = await t.engagementsOf(c.call_id);
      assert.deepEqual(ec!.contacts, [contacts[0]!.id]);
      assert.equal((await contactsWith(number)).length, 1);
    });

    it('copies the new contact into the CRM phonebook on the PBX when contact sync is on', async () => {
      const number = freshNumber();
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
      const [e] = await t.engagementsOf(call_id);
      const contactId = e!.contacts[0]!;
      await t.settle();
      const onPbx = t.pbx.contacts().filter((c) => c.remark === `hubspot:contact:${contactId}`);
      assert.equal(onPbx.length, 1);
      assert.equal(onPbx[0]!.first_name, `Automatic New Contact - ${number}`);
      assert.ok(
        onPbx[0]!.number_list.some((n) => n.number === number),
        JSON.stringify(onPbx[0]!.number_list),
      );
    });
  });

  describe('never for withheld numbers, and per direction', () => {
    it('never creates a contact for a withheld number', async () => {
      const total = async () => (await t.crm('POST', '/crm/v3/objects/contacts/search', { limit: 1 })).total as number;
      const before = await total();
      // Records of calls whose caller withheld the number, as the PBX pushes them.
      const frames = ['anonymous', 'Unknown', 'private', ''].map((from) =>
        cdrFrame(t, { call_from: from, call_to: '1001', type: 'Inbound', status: 'NO ANSWER' }),
      );
      for (const frame of frames) assert.equal((await postPbxWebhook(t, { type: frame.type, sn: frame.sn, msg: frame.msg })).status, 200);
      await t.settle();
      const rows = await t.logged();
      for (const frame of frames) {
        const row = rows.find((r) => r.cdrId === `uid:${frame.uid}`);
        assert.equal(row?.state, 'logged', `the call is logged all the same: ${JSON.stringify(row)}`);
        assert.equal(row!.contactId, null);
      }
      assert.equal(await total(), before);
    });

    it('follows the per-direction setting', async () => {
      assert.deepEqual(await setAutoCreate({ inbound: false }), { inbound: false, outbound: true }, 'the other direction is kept');
      const inboundNumber = freshNumber();
      const outboundNumber = freshNumber();
      const inbound = t.pbx.simulateCall({ direction: 'inbound', external: inboundNumber, extension: '1001', ...QUICK });
      const outbound = t.pbx.simulateCall({ direction: 'outbound', external: outboundNumber, extension: '1002', ...QUICK });
      const [ei] = await t.engagementsOf(inbound.call_id);
      const [eo] = await t.engagementsOf(outbound.call_id);
      assert.deepEqual(ei!.contacts, []);
      assert.equal((await contactsWith(inboundNumber)).length, 0);
      const [created] = await contactsWith(outboundNumber);
      assert.equal(created!.properties.firstname, `Automatic New Contact - ${outboundNumber}`);
      assert.deepEqual(eo!.contacts, [created!.id]);

      assert.deepEqual(await setAutoCreate({ inbound: true }), { inbound: true, outbound: true });
      assert.deepEqual(await setAutoCreate({ outbound: false }), { inbound: true, outbound: false });
      const quiet = freshNumber();
      const next = t.pbx.simulateCall({ direction: 'outbound', external: quiet, extension: '1002', ...QUICK });
      const [en] = await t.engagementsOf(next.call_id);
      assert.deepEqual(en!.contacts, []);
      assert.equal((await contactsWith(quiet)).length, 0);
    });
  });

  describe('when the database connection is lost mid-creation', () => {
    /**
     * What a lost connection does to Spokes' writes (a restart, a failover): updates of the number's claim fail (when
     * `claims`), and so does the enqueue of HubSpot's webhook about a new contact, which HubSpot then delivers again a
     * minute later. Returns how many writes were refused so far (a sequence outlives the rollback), and the way back.
     */
    async function refuseWrites({ claims }: { claims: boolean }) {
      const { database } = t.runtime.services;
      await database.query(sql`create sequence spokes_test_refused`);
      await database.query(sql`create function spokes_test_refuse() returns trigger language plpgsql as $$
        begin
          perform nextval('spokes_test_refused');
          raise exception 'terminating connection due to administrator command' using errcode = '57P01';
        end $$`);
      if (claims)
        await database.query(sql`create trigger spokes_test_refuse before update on auto_created_contacts for each row execute function spokes_test_refuse()`);
      await database.query(
        sql`create trigger spokes_test_refuse before insert on pgboss.job for each row when (new.name = 'hubspot.webhook-events') execute function spokes_test_refuse()`,
      );
      return {
        refused: async () =>
          (await database.query<{ n: number }>(sql`select (case when is_called then last_value else 0 end)::int as n from spokes_test_refused`))[0]!.n,
        async restore() {
          await database.query(sql`drop trigger if exists spokes_test_refuse on auto_created_contacts`);
          await database.query(sql`drop trigger spokes_test_refuse on pgboss.job`);
          await database.query(sql`drop function spokes_test_refuse`);
          await database.query(sql`drop sequence spokes_test_refused`);
        },
      };
    }

    const claimOf = async (number: string) =>
      (
        await t.runtime.services.database.query<{ contact_id: string | null; claimed_by: string | null }>(
          sql`select contact_id, claimed_by from auto_created_contacts where e164 = ${number}`,
        )
      )[0];

    it("uses the contact HubSpot created on the call's next attempt, in seconds, not a second contact a minute later", async () => {
      // The update storing the new contact's id fails, the one releasing the claim too, and the webhook is refused.
      const outage = await refuseWrites({ claims: true });
      const number = freshNumber();
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
      try {
        await eventually(
          'the contact in HubSpot, its id and its webhook refused by the database',
          async () => (await outage.refused()) >= 3 && (await contactsWith(number)).length === 1,
        );
      } finally {
        await outage.restore();
      }
      // A claim of another process's is waited for a minute; this one is the process's own, and taken over at once.
      const [e, ...more] = await t.engagementsOf(call_id, 30_000);
      assert.equal(more.length, 0);
      const contacts = await contactsWith(number);
      assert.equal(contacts.length, 1, JSON.stringify(contacts));
      assert.deepEqual(e!.contacts, [contacts[0]!.id]);
      assert.equal((await claimOf(number))?.contact_id, contacts[0]!.id);
    });

    it('takes over the minute-old claim of a process that died after creating the contact, and finds that contact in HubSpot', async () => {
      const number = freshNumber();
      // The dead process claimed the number, and HubSpot created its contact; the webhook about it was refused.
      await t.runtime.services.database.query(
        sql`insert into auto_created_contacts (e164, claimed_at, claimed_by) values (${number}, now() - interval '2 minutes', 'a-process-that-died')`,
      );
      const outage = await refuseWrites({ claims: false });
      let created: { id: string };
      try {
        created = await t.crm('POST', '/crm/v3/objects/contacts', { properties: { firstname: `Automatic New Contact - ${number}`, phone: number } });
        await eventually('the webhook about the contact refused', async () => (await outage.refused()) >= 1);
      } finally {
        await outage.restore();
      }
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
      const [e] = await t.engagementsOf(call_id);
      assert.deepEqual(e!.contacts, [created.id]);
      assert.equal((await contactsWith(number)).length, 1, 'no second contact');
      const claim = await claimOf(number);
      assert.equal(claim?.contact_id, created.id);
      assert.notEqual(claim?.claimed_by, 'a-process-that-died', 'the claim is the running process now');
    });
  });
});
