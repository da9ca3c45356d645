import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { PbxContactInput } from '../../src/connectors/telephony/pbx.ts';
import type { YeastarAdapter } from '../../src/connectors/telephony/yeastar/index.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { adapterFor, startPbx } from './yeastar-support.ts';

const ada: PbxContactInput = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical Engines',
  email: 'ada@example.com',
  numbers: [
    { type: 'work', number: '+442071234567' },
    { type: 'mobile', number: '+447700900123' },
  ],
  remark: 'hubspot:101',
};

describe('Yeastar adapter: the CRM phonebook and its contacts (T4)', () => {
  let sb: YeastarSandbox;
  let adapter: YeastarAdapter;
  before(async () => {
    sb = await startPbx();
    adapter = adapterFor(sb);
  });
  after(async () => {
    await adapter.dispose();
    await sb.close();
  });

  it('creates a phonebook marked as CRM-owned, lists it, and sees that it is empty', async () => {
    const book = await adapter.phonebooks.create('HubSpot');
    assert.deepEqual(book, { id: book.id, name: 'HubSpot (CRM)', contactCount: 0, crmOwned: true });
    assert.deepEqual(
      sb.phonebooks().map((p) => [p.name, p.member_select]),
      [['HubSpot (CRM)', 'sel_specific']],
    );
    assert.deepEqual(
      (await adapter.phonebooks.list()).map((p) => [p.name, p.crmOwned]),
      [['HubSpot (CRM)', true]],
    );
    assert.equal(await adapter.phonebooks.isEmpty(book.id), true);
    await assert.rejects(adapter.phonebooks.create('HubSpot (CRM)'), (err: Error) => err instanceof ConflictError && /already exists/.test(err.message));
    await assert.rejects(adapter.phonebooks.isEmpty('999'), NotFoundError);
  });

  it("marks an admin's existing phonebook as CRM-owned, and unmarks it on disconnect (T10)", async () => {
    const plain = await adapter.phonebooks.create('Temp');
    const released = await adapter.phonebooks.setCrmOwned(plain.id, false);
    assert.deepEqual([released.name, released.crmOwned], ['Temp', false]);
    const claimed = await adapter.phonebooks.setCrmOwned(plain.id, true);
    assert.deepEqual([claimed.name, claimed.crmOwned], ['Temp (CRM)', true]);
    assert.ok(sb.phonebooks().some((p) => p.name === 'Temp (CRM)'));
  });

  it('creates, reads, updates, finds by tag and deletes a contact in the phonebook', async () => {
    const book = (await adapter.phonebooks.list()).find((p) => p.name === 'HubSpot (CRM)')!;
    const created = await adapter.contacts.create(book.id, ada);
    assert.deepEqual(
      { ...created, id: 'x' },
      {
        id: 'x',
        firstName: 'Ada',
        lastName: 'Lovelace',
        displayName: 'Ada Lovelace',
        company: 'Analytical Engines',
        email: 'ada@example.com',
        remark: 'hubspot:101',
        numbers: ada.numbers,
        phonebookIds: [book.id],
      },
    );
    assert.deepEqual(
      sb.contacts().map((c) => c.number_list),
      [
        [
          { num_type: 'business_number', number: '+442071234567' },
          { num_type: 'mobile_number', number: '+447700900123' },
        ],
      ],
    );
    assert.equal(await adapter.phonebooks.isEmpty(book.id), false);
    assert.deepEqual(
      (await adapter.contacts.list(book.id)).map((c) => [c.displayName, c.remark, c.numbers.length]),
      [['Ada Lovelace', 'hubspot:101', 2]],
    );

    const other = await adapter.contacts.create(book.id, { firstName: 'Grace', numbers: [{ type: 'home', number: '+12025550100' }], remark: 'hubspot:102' });
    const updated = await adapter.contacts.update(created.id, { lastName: 'King', numbers: [{ type: 'mobile', number: '+447700900999' }] });
    assert.deepEqual(
      [updated.displayName, updated.numbers, updated.company],
      ['Ada King', [{ type: 'mobile', number: '+447700900999' }], 'Analytical Engines'],
    );

    const found = await adapter.contacts.findByTag('hubspot:101');
    assert.deepEqual(
      found.map((c) => [c.id, c.displayName, c.phonebookIds]),
      [[created.id, 'Ada King', [book.id]]],
    );
    assert.deepEqual(await adapter.contacts.findByTag('hubspot:1'), [], 'a tag matches exactly, not as a prefix');

    // The PBX refuses to delete a contact a phonebook still selects (70091): the adapter leaves the phonebook first.
    await adapter.contacts.delete(created.id);
    assert.deepEqual(
      sb.contacts().map((c) => c.first_name),
      ['Grace'],
    );
    await adapter.contacts.delete(created.id); // already gone: nothing to do
    await assert.rejects(adapter.contacts.get(created.id), NotFoundError);
    await adapter.contacts.delete(other.id);
    assert.equal(await adapter.phonebooks.isEmpty(book.id), true);
  });

  it('refuses, with the reasons, a contact without a first name or a phone number — before the PBX sees it', async () => {
    const book = (await adapter.phonebooks.list())[0];
    const countBefore = sb.contacts().length;
    await assert.rejects(adapter.contacts.create(book.id, { firstName: ' ', numbers: [] }), (err: Error) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.details, [
        { field: 'firstName', message: 'a PBX contact needs a first name' },
        { field: 'numbers', message: 'a PBX contact needs at least one phone number' },
      ]);
      return true;
    });
    await assert.rejects(
      adapter.contacts.create(book.id, {
        firstName: 'Twice',
        numbers: [
          { type: 'work', number: '1' },
          { type: 'work', number: '2' },
        ],
      }),
      /each number type can appear once/,
    );
    await assert.rejects(adapter.contacts.create('not-an-id', ada), ValidationError);
    assert.equal(sb.contacts().length, countBefore);
  });
});
