/**
 * T4: CRM contacts (and companies) that call a bound user are copied into the
 * CRM-owned phonebook on the PBX, tagged with their HubSpot id; edits made on
 * the PBX are put back on the next sync and by the periodic pass; records that
 * cannot be synced are listed with the reason; the phonebook chooser takes only
 * an empty phonebook, or creates one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { syncRecord } from '../../src/connectors/telephony/contact-sync.ts';
import { telephonyContext } from '../../src/connectors/telephony/context.ts';
import type { PbxAdapter } from '../../src/connectors/telephony/pbx.ts';
import { PbxClient } from '../support/yeastar-client.ts';
import { freshNumber, QUICK, startTelephony, type Telephony } from './telephony-support.ts';

describe('Contact sync to the PBX phonebook (T4)', () => {
  let t: Telephony;
  /** Someone working on the PBX itself, with its own API access. */
  let pbxAdmin: PbxClient;
  let phonebookId: string;

  before(async () => {
    t = await startTelephony();
    pbxAdmin = new PbxClient(t.pbx);
    await pbxAdmin.login();
    const status = (await (await t.admin.request('GET', '/api/telephony')).json()) as {
      settings: { contactSync: { phonebookId: string; modules: string[]; enabled: boolean } };
    };
    assert.equal(status.settings.contactSync.enabled, true);
    phonebookId = status.settings.contactSync.phonebookId;
  });
  after(() => t.close());

  const tagged = (type: 'contact' | 'company', id: string) => t.pbx.contacts().filter((c) => c.remark === `hubspot:${type}:${id}`);
  const inPhonebook = (contactId: number, bookId = phonebookId) => {
    const book = t.pbx.phonebooks().find((b) => String(b.id) === bookId)!;
    return book.member_select === 'sel_all' || book.contactIds.includes(contactId);
  };
  async function callFrom(number: string): Promise<void> {
    const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
    await t.loggedCall(call_id);
    await t.settle();
  }
  async function runRestore(): Promise<void> {
    const queue = t.runtime.queue;
    await queue.enqueue(queue.definition('telephony.restore-phonebook'), { at: `test-${Date.now()}` });
    await t.settle();
  }
  const syncErrors = async () =>
    ((await (await t.admin.request('GET', '/api/telephony/sync-errors')).json()) as { errors: { objectType: string; objectId: string; reason: string }[] })
      .errors;

  describe('syncing the callers', { concurrency: true }, () => {
    it('copies a CRM contact who calls a bound user into the phonebook, tagged with its HubSpot id', async () => {
      const number = freshNumber();
      const { contactId } = await t.createContact({ firstname: 'Grace', lastname: 'Hopper', phone: number, email: 'grace@navy.example', company: 'US Navy' });
      await callFrom(number);
      const [copy, ...more] = tagged('contact', contactId);
      assert.equal(more.length, 0);
      assert.equal(copy!.first_name, 'Grace');
      assert.equal(copy!.last_name, 'Hopper');
      assert.equal(copy!.email, 'grace@navy.example');
      assert.equal(copy!.company, 'US Navy');
      assert.deepEqual(
        copy!.number_list.map((n) => n.number),
        [number],
      );
      assert.ok(inPhonebook(copy!.id), 'in the CRM phonebook');

      // A second call does not copy it again.
      await callFrom(number);
      assert.equal(tagged('contact', contactId).length, 1);
    });

    it('copies a contact who calls several lines at once only once', async () => {
      const number = freshNumber();
      const { contactId } = await t.createContact({ firstname: 'Hedy', lastname: 'Lamarr', phone: number });
      const calls = ['1001', '1001', '1002', '1001'].map(
        (extension) => t.pbx.simulateCall({ direction: 'inbound', external: number, extension, ...QUICK }).call_id,
      );
      for (const id of calls) await t.loggedCall(id);
      await t.settle();
      assert.equal(tagged('contact', contactId).length, 1, JSON.stringify(tagged('contact', contactId)));
    });

    it('keeps one PBX contact when two processes sync the same record at the same moment', async () => {
      const number = freshNumber();
      const { contactId } = await t.createContact({ firstname: 'Katherine', lastname: 'Johnson', phone: number });
      const telephony = telephonyContext(t.runtime.services.platform.context('telephony'));
      const settings = (await telephony.store.get())!.settings;
      // Two processes: no shared in-process queue of syncs, and both create before either links its contact.
      const real = await telephony.jobDeps.sync.adapter();
      let arrived = 0;
      let release!: () => void;
      const bothCreating = new Promise<void>((resolve) => (release = resolve));
      const racing: PbxAdapter = {
        ...real,
        contacts: {
          ...real.contacts,
          async create(phonebook, input) {
            if (++arrived === 2) release();
            await bothCreating;
            return real.contacts.create(phonebook, input);
          },
        },
      };
      const process = () => ({ ...telephony.jobDeps.sync, inflight: undefined, adapter: async () => racing });
      const results = await Promise.all([syncRecord(process(), settings, 'contact', contactId), syncRecord(process(), settings, 'contact', contactId)]);
      assert.equal(arrived, 2, 'both syncs created a PBX contact');
      assert.deepEqual(results.sort(), ['created', 'unchanged']);
      const copies = tagged('contact', contactId);
      assert.equal(copies.length, 1, JSON.stringify(copies));
      const link = await telephony.connector.links.byHubSpotId(await telephony.jobDeps.sync.connectionId(), 'contact', contactId);
      assert.equal(link?.remoteId, String(copies[0]!.id));

      // A process that died between creating its copy and deleting it leaves a second tagged contact: the periodic pass deletes it.
      const orphan = await real.contacts.create(phonebookId, {
        firstName: 'Katherine',
        lastName: 'Johnson',
        numbers: [{ type: 'work', number }],
        remark: `hubspot:contact:${contactId}`,
      });
      assert.equal(tagged('contact', contactId).length, 2);
      await runRestore();
      assert.deepEqual(
        tagged('contact', contactId).map((c) => String(c.id)),
        [link!.remoteId],
        `the copy ${orphan.id} is gone, the linked one kept`,
      );
    });

    it('copies a company that calls, when companies are among the modules', async () => {
      const number = freshNumber();
      const { companyId } = await t.createCompany({ name: 'Babbage & Co', phone: number });
      await callFrom(number);
      const [copy] = tagged('company', companyId);
      assert.ok(copy, 'the company is on the PBX');
      assert.equal(copy!.first_name, 'Babbage & Co');
      assert.equal(copy!.company, 'Babbage & Co');
      assert.deepEqual(
        copy!.number_list.map((n) => n.number),
        [number],
      );
    });

    it('puts the CRM values back over an edit made on the PBX, on the next call and by the periodic pass', async () => {
      const number = freshNumber();
      const { contactId } = await t.createContact({ firstname: 'Alan', lastname: 'Turing', phone: number });
      await callFrom(number);
      const [copy] = tagged('contact', contactId);

      const edit = async (first: string) => {
        const res = await pbxAdmin.post('company_contact/update', {
          id: copy!.id,
          first_name: first,
          number_list: [{ num_type: 'business_number', number: '+15550000000' }],
        });
        assert.equal(res.errcode, 0, JSON.stringify(res));
        assert.equal(t.pbx.contacts().find((c) => c.id === copy!.id)!.first_name, first);
      };

      await edit('Edited on the PBX');
      await callFrom(number);
      let now = t.pbx.contacts().find((c) => c.id === copy!.id)!;
      assert.equal(now.first_name, 'Alan');
      assert.deepEqual(
        now.number_list.map((n) => n.number),
        [number],
      );

      await edit('Edited again');
      await runRestore();
      now = t.pbx.contacts().find((c) => c.id === copy!.id)!;
      assert.equal(now.first_name, 'Alan');
      assert.deepEqual(
        now.number_list.map((n) => n.number),
        [number],
      );
      assert.equal(tagged('contact', contactId).length, 1, 'restored in place, not copied again');
    });

    it('lists a contact it cannot sync with the reason, and does not copy it', async () => {
      const nameless = freshNumber();
      const { contactId: namelessId } = await t.createContact({ phone: nameless, email: 'no-name@example.com' });
      await callFrom(nameless);
      assert.equal(tagged('contact', namelessId).length, 0);

      // A synced contact whose number is later removed in HubSpot: the periodic pass reports it.
      const number = freshNumber();
      const { contactId: phonelessId } = await t.createContact({ firstname: 'Charles', lastname: 'Babbage', phone: number });
      await callFrom(number);
      assert.equal(tagged('contact', phonelessId).length, 1);
      await t.crm('PATCH', `/crm/v3/objects/contacts/${phonelessId}`, { properties: { phone: '' } });
      await runRestore();

      const errors = await syncErrors();
      const nameError = errors.find((e) => e.objectType === 'contact' && e.objectId === namelessId);
      assert.match(nameError?.reason ?? '', /neither a first name nor a last name/);
      const phoneError = errors.find((e) => e.objectType === 'contact' && e.objectId === phonelessId);
      assert.match(phoneError?.reason ?? '', /no phone number/);
    });
  });

  describe('choosing the phonebook', () => {
    type Phonebooks = { phonebooks: { id: string; name: string; crmOwned: boolean }[] };
    const listed = async () => ((await (await t.admin.request('GET', '/api/telephony/phonebooks')).json()) as Phonebooks).phonebooks;
    const chosen = async () =>
      ((await (await t.admin.request('GET', '/api/telephony')).json()) as { settings: { contactSync: { phonebookId: string } } }).settings.contactSync
        .phonebookId;
    /** The phonebook taken over in place of the first one. */
    let emptyOne: number;

    it('lists the PBX phonebooks, the chosen one marked as CRM-owned', async () => {
      const { phonebooks } = (await (await t.admin.request('GET', '/api/telephony/phonebooks')).json()) as {
        phonebooks: { id: string; name: string; crmOwned: boolean }[];
      };
      const chosen = phonebooks.find((b) => b.id === phonebookId);
      assert.equal(chosen?.crmOwned, true);
      assert.match(chosen!.name, /^HubSpot_CRM_Phonebook/);
    });

    it('refuses a phonebook that already has contacts, and an unknown one', async () => {
      const contact = await pbxAdmin.post('company_contact/create', { first_name: 'Desk', number_list: [{ num_type: 'business_number', number: '100' }] });
      const book = await pbxAdmin.post('phonebook/create', { name: 'Reception list', member_select: 'sel_specific', add_contacts_id_list: [contact.id] });
      assert.equal(book.errcode, 0, JSON.stringify(book));
      const res = await t.admin.request('PATCH', '/api/telephony/settings', { contactSync: { phonebookId: String(book.id) } });
      assert.equal(res.status, 400);
      const { error } = (await res.json()) as { error: { message: string; details: { field: string }[] } };
      assert.deepEqual(
        error.details.map((d) => d.field),
        ['body.contactSync.phonebookId'],
      );
      assert.match(error.message, /"Reception list" is not empty/);

      const unknown = await t.admin.request('PATCH', '/api/telephony/settings', { contactSync: { phonebookId: '987654' } });
      assert.equal(unknown.status, 400);
      const status = (await (await t.admin.request('GET', '/api/telephony')).json()) as { settings: { contactSync: { phonebookId: string } } };
      assert.equal(status.settings.contactSync.phonebookId, phonebookId, 'the choice did not change');
    });

    it('takes an empty phonebook and marks it as CRM-owned', async () => {
      const book = await pbxAdmin.post('phonebook/create', { name: 'Empty one', member_select: 'sel_specific', add_contacts_id_list: [] });
      emptyOne = book.id;
      const res = await t.admin.request('PATCH', '/api/telephony/settings', { contactSync: { phonebookId: String(book.id) } });
      assert.equal(res.status, 200, await res.clone().text());
      const { settings } = (await res.json()) as {
        settings: { contactSync: { enabled: boolean; modules: string[]; phonebookId: string; phonebookName: string } };
      };
      assert.equal(settings.contactSync.phonebookId, String(book.id));
      // Only the phonebook changed: sync stays on, with the same modules.
      assert.equal(settings.contactSync.enabled, true);
      assert.deepEqual(settings.contactSync.modules, ['contacts', 'companies']);
      assert.equal(t.pbx.phonebooks().find((b) => b.id === book.id)!.name, settings.contactSync.phonebookName);
      assert.match(settings.contactSync.phonebookName, /^Empty one.*CRM/);
    });

    it('releases the phonebook it gave up: no longer marked CRM nor restored, its contacts kept on the PBX', async () => {
      assert.notEqual(await chosen(), phonebookId, 'another phonebook was chosen');
      const before = t.pbx.phonebooks().find((b) => String(b.id) === phonebookId)!;
      assert.equal(before.name, 'HubSpot_CRM_Phonebook', 'no longer marked "(CRM)" on the PBX');
      const books = await listed();
      assert.equal(books.find((b) => b.id === phonebookId)?.crmOwned, false, 'no longer listed as CRM-owned');
      assert.deepEqual(
        books.filter((b) => b.crmOwned).map((b) => b.id),
        [String(emptyOne)],
        'one CRM-owned phonebook: the chosen one',
      );

      // Grace Hopper (synced above) is still in it, and edits made there now stay.
      const copy = t.pbx.contacts().find((c) => c.first_name === 'Grace' && c.remark.startsWith('hubspot:contact:'))!;
      assert.ok(copy && inPhonebook(copy.id), 'its contacts stay in it');
      const res = await pbxAdmin.post('company_contact/update', { id: copy.id, first_name: 'Edited after the switch' });
      assert.equal(res.errcode, 0, JSON.stringify(res));
      await runRestore();
      await callFrom(copy.number_list[0]!.number);
      assert.equal(t.pbx.contacts().find((c) => c.id === copy.id)!.first_name, 'Edited after the switch', 'not restored');
      assert.ok(inPhonebook(copy.id), 'still in the released phonebook');
      // Her call copies her into the phonebook now chosen instead.
      const copies = t.pbx.contacts().filter((c) => c.remark === copy.remark);
      assert.equal(copies.length, 2);
      const fresh = copies.find((c) => c.id !== copy.id)!;
      assert.equal(fresh.first_name, 'Grace');
      assert.ok(inPhonebook(fresh.id, String(emptyOne)) && !inPhonebook(fresh.id), 'copied into the chosen phonebook only');
    });

    it('creates a new phonebook on request and syncs into it', async () => {
      const res = await t.admin.request('PATCH', '/api/telephony/settings', { createPhonebook: 'Sales from HubSpot' });
      assert.equal(res.status, 200, await res.clone().text());
      const { settings } = (await res.json()) as { settings: { contactSync: { phonebookId: string; phonebookName: string } } };
      const created = t.pbx.phonebooks().find((b) => String(b.id) === settings.contactSync.phonebookId);
      assert.ok(created, 'the phonebook exists on the PBX');
      assert.equal(created!.name, settings.contactSync.phonebookName);
      // The phonebook chosen before is released too.
      assert.equal(t.pbx.phonebooks().find((b) => b.id === emptyOne)!.name, 'Empty one');
      assert.deepEqual(
        (await listed()).filter((b) => b.crmOwned).map((b) => b.id),
        [settings.contactSync.phonebookId],
      );

      const number = freshNumber();
      const { contactId } = await t.createContact({ firstname: 'Edsger', lastname: 'Dijkstra', phone: number });
      await callFrom(number);
      const [copy] = tagged('contact', contactId);
      assert.ok(
        copy && inPhonebook(copy.id, settings.contactSync.phonebookId),
        `copied into the new phonebook: ${JSON.stringify({ copy, books: t.pbx.phonebooks(), errors: await syncErrors() })}`,
      );
    });
  });
});
