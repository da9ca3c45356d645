/**
 * T8: every inbound, outbound and missed call of a bound user becomes one
 * HubSpot call engagement — direction, status, duration, numbers, owner,
 * recording link — associated with the matched contact and its primary
 * company. Internal calls and calls of unbound extensions are not logged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshNumber, QUICK, startTelephony, type Engagement, type Telephony } from './telephony-support.ts';

describe('Call logging (T8)', () => {
  let t: Telephony;
  let owner: string;
  let contact: { contactId: string; companyId?: string; number: string };

  before(async () => {
    t = await startTelephony();
    owner = await t.ownerOf('1001');
    const number = freshNumber();
    contact = {
      ...(await t.createContact({ firstname: 'Ada', lastname: 'Lovelace', phone: number }, { name: 'Analytical Engines Ltd', domain: 'engines.example' })),
      number,
    };
    call('inbound', 'answered');
    call('inbound', 'answered', 1);
    call('outbound', 'answered');
    for (const outcome of ['no_answer', 'busy', 'voicemail'] as const) call('inbound', outcome);
    for (const outcome of ['no_answer', 'busy', 'failed'] as const) call('outbound', outcome);
  });
  after(() => t.close());

  /**
   * Places a call from or to the CRM contact and returns what HubSpot holds for it once Spokes is done.
   * Every test's call is placed up front, so that they ring at the same time like in an office.
   */
  const placed = new Map<string, Promise<Engagement[]>>();
  function call(direction: 'inbound' | 'outbound', outcome: 'answered' | 'no_answer' | 'busy' | 'voicemail' | 'failed', n = 0): Promise<Engagement[]> {
    const key = `${direction}/${outcome}/${n}`;
    if (!placed.has(key)) {
      const { call_id } = t.pbx.simulateCall({ direction, external: contact.number, extension: '1001', outcome, ...QUICK });
      const found = t.engagementsOf(call_id);
      found.catch(() => {});
      placed.set(key, found);
    }
    return placed.get(key)!;
  }

  it('logs an answered inbound call once, with the contact, its primary company, the owner and a working recording link', async () => {
    const found = await call('inbound', 'answered');
    assert.equal(found.length, 1);
    const [e] = found;
    const p = e!.properties;
    assert.equal(p.hs_call_direction, 'INBOUND');
    assert.equal(p.hs_call_status, 'COMPLETED');
    assert.equal(p.hs_call_duration, '1000');
    assert.equal(p.hs_call_from_number, contact.number);
    assert.equal(p.hubspot_owner_id, owner);
    assert.equal(p.hs_call_title, `Inbound call from Ada Lovelace (${contact.number})`);
    assert.match(p.hs_call_body!, /talked 1 s/);
    assert.match(p.hs_call_body!, /Extension 1001/);
    assert.ok(p.hs_timestamp, 'the call is placed on the timeline');
    assert.deepEqual(e!.contacts, [contact.contactId]);
    assert.deepEqual(e!.companies, [contact.companyId]);

    // The recording link streams the WAV through Spokes; it holds no PBX token.
    const link = p.hs_call_recording_url!;
    assert.ok(link.startsWith(`${t.url}/recordings/`), link);
    assert.doesNotMatch(link, /access_token/);
    const res = await fetch(link);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /audio\/(x-)?wav/);
    const wav = Buffer.from(await res.arrayBuffer());
    assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF');
  });

  it('refuses recording links Spokes did not sign', async () => {
    const [e] = await call('inbound', 'answered', 1);
    const link = new URL(e!.properties.hs_call_recording_url!);
    const forged = new URL(link);
    forged.searchParams.set('sig', `${link.searchParams.get('sig')!.slice(0, -2)}AA`);
    assert.equal((await fetch(forged)).status, 404);
    const unsigned = new URL(link);
    unsigned.search = '';
    assert.equal((await fetch(unsigned)).status, 404);
    // A valid signature of one recording does not open another.
    const other = new URL(link);
    other.pathname = '/recordings/uid%3A20260101000000ABCDE';
    assert.equal((await fetch(other)).status, 404);
  });

  it('logs an answered outbound call with our side as the caller', async () => {
    const [e, ...more] = await call('outbound', 'answered');
    assert.equal(more.length, 0);
    const p = e!.properties;
    assert.equal(p.hs_call_direction, 'OUTBOUND');
    assert.equal(p.hs_call_status, 'COMPLETED');
    assert.equal(p.hs_call_to_number, contact.number);
    assert.equal(p.hs_call_title, `Outbound call to Ada Lovelace (${contact.number})`);
    assert.equal(p.hubspot_owner_id, owner);
    assert.deepEqual(e!.contacts, [contact.contactId]);
    assert.deepEqual(e!.companies, [contact.companyId]);
  });

  for (const outcome of ['no_answer', 'busy', 'voicemail'] as const) {
    it(`logs an inbound call that was not answered (${outcome}) as MISSED`, async () => {
      const found = await call('inbound', outcome);
      assert.equal(found.length, 1);
      const p = found[0]!.properties;
      assert.equal(p.hs_call_direction, 'INBOUND');
      assert.equal(p.hs_call_status, 'MISSED');
      assert.equal(p.hs_call_title, `Missed call from Ada Lovelace (${contact.number})`);
      assert.equal(p.hs_call_recording_url ?? null, null);
      assert.deepEqual(found[0]!.contacts, [contact.contactId]);
    });
  }

  for (const [outcome, status] of [
    ['no_answer', 'NO_ANSWER'],
    ['busy', 'BUSY'],
    ['failed', 'FAILED'],
  ] as const) {
    it(`logs an outbound call that did not connect (${outcome}) as ${status}`, async () => {
      const found = await call('outbound', outcome);
      assert.equal(found.length, 1);
      const p = found[0]!.properties;
      assert.equal(p.hs_call_direction, 'OUTBOUND');
      assert.equal(p.hs_call_status, status);
      assert.equal(p.hs_call_duration, '0');
      assert.equal(p.hs_call_to_number, contact.number);
    });
  }

  it('does not log internal calls, nor calls of extensions no HubSpot user is bound to', async () => {
    const internal = t.pbx.simulateCall({ direction: 'internal', external: '1002', extension: '1001', ...QUICK });
    const unbound = t.pbx.simulateCall({ direction: 'inbound', external: freshNumber(), extension: '1090', ...QUICK });
    const rowInternal = await t.loggedCall(internal.call_id);
    const rowUnbound = await t.loggedCall(unbound.call_id);
    assert.equal(rowInternal.state, 'skipped');
    assert.match(rowInternal.detail ?? '', /internal/);
    assert.equal(rowUnbound.state, 'skipped');
    assert.match(rowUnbound.detail ?? '', /1090 is not bound/);
    await t.settle();
    const all = await t.engagements();
    const ids = [...t.idsOf(internal.call_id), ...t.idsOf(unbound.call_id)];
    assert.equal(all.filter((e) => ids.includes(e.properties.hs_call_external_id!)).length, 0);
  });

  it('lists the logged calls on the admin API with their HubSpot ids and record links', async () => {
    const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: contact.number, extension: '1001', ...QUICK });
    const row = await t.loggedCall(call_id);
    assert.equal(row.state, 'logged');
    assert.equal(row.direction, 'inbound');
    assert.equal(row.status, 'answered');
    assert.equal(row.extension, '1001');
    assert.equal(row.externalNumber, contact.number);
    assert.equal(row.ownerId, owner);
    assert.equal(row.contactId, contact.contactId);
    assert.equal(row.companyId, contact.companyId);
    assert.match(row.contactUrl ?? '', new RegExp(`/contacts/${t.portalId}/record/0-1/${contact.contactId}$`));
    const [e] = (await t.engagements()).filter((x) => t.idsOf(call_id).includes(x.properties.hs_call_external_id!));
    assert.equal(row.engagementId, e!.id);
  });

  it('names the contact (or company) and the user of each listed call, from what Spokes holds, without asking HubSpot', async () => {
    // A company calling from its switchboard number: the call is logged on the company.
    const switchboard = freshNumber();
    const { companyId } = await t.createCompany({ name: 'Difference Engines plc', phone: switchboard });
    const fromContact = t.pbx.simulateCall({ direction: 'inbound', external: contact.number, extension: '1001', ...QUICK }).call_id;
    const fromCompany = t.pbx.simulateCall({ direction: 'outbound', external: switchboard, extension: '1001', ...QUICK }).call_id;
    await t.loggedCall(fromContact);
    await t.loggedCall(fromCompany);
    await t.settle();
    const users = (await (await t.admin.request('GET', '/api/telephony/users')).json()) as { users: { ownerId: string; name: string }[] };
    const ownerName = users.users.find((u) => u.ownerId === owner)!.name;

    const requestsBefore = t.hubspot.stats().requests;
    const rows = await t.logged();
    assert.equal(t.hubspot.stats().requests, requestsBefore, 'listing the calls sends no HubSpot request');
    const named = (callId: string) => {
      const row = rows.find((r) => r.callId === callId)!;
      return { contactName: row.contactName, companyName: row.companyName, ownerName: row.ownerName, companyId: row.companyId };
    };
    // Ada's company has no phone number, so Spokes' phone index does not know its name: its id (and link) stay.
    assert.deepEqual(named(fromContact), { contactName: 'Ada Lovelace', companyName: null, ownerName, companyId: contact.companyId });
    assert.deepEqual(named(fromCompany), { contactName: null, companyName: 'Difference Engines plc', ownerName, companyId });
    assert.ok(
      rows.every((r) => r.ownerId === null || r.ownerName),
      'every bound user has a name',
    );
  });

  it('keeps /metrics free of personal data: no number, name or e-mail address of the calls it counted', async () => {
    await call('inbound', 'answered');
    await t.settle();
    const res = await fetch(`${t.url}/metrics`);
    assert.equal(res.status, 200, 'open without SPOKES_METRICS_TOKEN');
    const text = await res.text();
    assert.match(text, /spokes_jobs_total\{job="telephony.log-call",outcome="completed"\} \d+/, 'the calls were counted');
    const digits = contact.number.replace(/\D/g, '');
    for (const personal of [digits, digits.slice(-7), 'Lovelace', 'Analytical Engines', '@', contact.contactId]) {
      assert.ok(!text.includes(personal), `/metrics mentions ${personal}`);
    }
  });
});
