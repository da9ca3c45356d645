import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { control, type PbxClient, startPbx } from '../support/yeastar-client.ts';

describe('Yeastar emulator: extensions, company contacts and phonebooks (pbx-apis.md §1.7)', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;

  before(async () => {
    ({ sb, pbx } = await startPbx({
      extensions: [
        { number: '2001', name: 'Ana Ruiz', email: 'ana@example.com' },
        { number: '2002', name: 'Ben Okafor', email: 'ben@example.com', mobile: '+447700900123' },
        { number: '2003', name: 'Chen Wei', email: '' },
      ],
    }));
  });
  after(() => sb.close());
  beforeEach(async () => {
    await sb.reset();
    await pbx.login();
  });

  const contact = (over: Record<string, unknown> = {}) => ({
    first_name: 'Example',
    last_name: 'Li',
    company: 'Yeastar',
    email: 'liexample@icloud.com',
    remark: 'hubspot:12345',
    number_list: [
      { num_type: 'business_number', number: '+861233333' },
      { num_type: 'mobile_number', number: '+8613800000000' },
    ],
    ...over,
  });

  it('lists extensions with email_addr and paging fields', async () => {
    const page = await pbx.get('extension/list', { page: 1, page_size: 2, sort_by: 'number', order_by: 'desc' });
    assert.equal(page.errcode, 0);
    assert.equal(page.total_number, 3);
    assert.deepEqual(
      page.data.map((e: any) => e.number),
      ['2003', '2002'],
    );
    const ben = page.data[1];
    assert.equal(ben.caller_id_name, 'Ben Okafor');
    assert.equal(ben.email_addr, 'ben@example.com');
    assert.equal(ben.mobile_number, '+447700900123');
    assert.deepEqual(ben.online_status.sip_phone, { status: 1, ext_dev_type: 'sip', status_list: [{ status: 1 }] });
    assert.equal(ben.presence_status, 'available');
    const search = await pbx.get('extension/search', { search_value: 'ana@' });
    assert.deepEqual(
      search.data.map((e: any) => e.number),
      ['2001'],
    );
    assert.equal((await pbx.get('extension/get', { id: ben.id })).data.number, '2002');
    assert.equal((await pbx.get('extension/get', { id: 99 })).errcode, 60001);
    assert.equal((await pbx.get('extension/list', { sort_by: 'shoe_size' })).errcode, 40002);
  });

  it('replaces and adds extensions through the sandbox controls', async () => {
    const replaced = await control(sb, 'PUT', '/sandbox/extensions', [{ number: '3001', name: 'Dana Kim', email: 'dana@example.com' }]);
    assert.equal(replaced.status, 200);
    const added = await control(sb, 'POST', '/sandbox/extensions', { number: '3002', name: 'Eli Moss', email: 'eli@example.com', online: false });
    assert.equal(added.status, 201);
    assert.equal((await control(sb, 'POST', '/sandbox/extensions', { number: '3002', name: 'Again', email: '' })).status, 409);
    const bad = await control(sb, 'POST', '/sandbox/extensions', { number: 'abc', name: 'X', email: '' });
    assert.deepEqual([bad.status, bad.body.error.details[0].field], [400, 'number']);
    const list = await pbx.get('extension/list');
    assert.deepEqual(
      list.data.map((e: any) => [e.number, e.online_status.sip_phone.status]),
      [
        ['3001', 1],
        ['3002', 0],
      ],
    );
    assert.deepEqual(
      (await control(sb, 'GET', '/sandbox/info')).body.extensions.map((e: any) => e.number),
      ['3001', '3002'],
    );
  });

  it('creates a company contact and returns it flattened in list rows and in full from get', async () => {
    const book = await pbx.post('phonebook/create', { name: 'HubSpot', member_select: 'sel_specific' });
    const created = await pbx.post('company_contact/create', contact({ phonebook_id_list: [book.id] }));
    assert.equal(created.errcode, 0);
    assert.equal(typeof created.id, 'number');
    const list = await pbx.get('company_contact/list');
    assert.equal(list.total_number, 1);
    const row = list.data[0];
    assert.equal(row.contact_name, 'Example Li');
    assert.equal(row.business, '+861233333');
    assert.equal(row.mobile, '+8613800000000');
    assert.equal(row.home, '');
    assert.equal(row.remark, 'hubspot:12345');
    assert.deepEqual(row.phonebook_list, [{ id: book.id, name: 'HubSpot' }]);
    const full = await pbx.get('company_contact/get', { id: created.id });
    assert.equal(full.data.first_name, 'Example');
    assert.deepEqual(full.data.number_list, contact().number_list);
    const found = await pbx.get('company_contact/search', { search_value: '3800000' });
    assert.equal(found.total_number, 1);
  });

  it('requires first_name and number_list, and validates num_type', async () => {
    const noName = await pbx.post('company_contact/create', contact({ first_name: '' }));
    assert.deepEqual(noName.invalid_param_list, [{ field: 'first_name', validation_type: 'required' }]);
    const noNumbers = await pbx.post('company_contact/create', contact({ number_list: [] }));
    assert.deepEqual([noNumbers.errcode, noNumbers.invalid_param_list[0].field], [40002, 'number_list']);
    const badType = await pbx.post('company_contact/create', contact({ number_list: [{ num_type: 'pager', number: '1' }] }));
    assert.deepEqual(badType.invalid_param_list, [{ field: 'num_type', value: 'pager' }]);
    const noBook = await pbx.post('company_contact/create', contact({ phonebook_id_list: [42] }));
    assert.deepEqual([noBook.errcode, noBook.errmsg], [70093, 'PHONEBOOK_NOT_EXISTED']);
    assert.equal((await pbx.get('company_contact/list')).total_number, 0);
  });

  it('updates only the fields given, and number_list as a whole', async () => {
    const { id } = await pbx.post('company_contact/create', contact());
    const res = await pbx.post('company_contact/update', { id, company: 'Acme', number_list: [{ num_type: 'home_number', number: '0301234' }] });
    assert.equal(res.errcode, 0);
    const full = (await pbx.get('company_contact/get', { id })).data;
    assert.equal(full.company, 'Acme');
    assert.equal(full.last_name, 'Li');
    assert.deepEqual(full.number_list, [{ num_type: 'home_number', number: '0301234' }]);
    const missing = await pbx.post('company_contact/update', { id: 999, company: 'X' });
    assert.deepEqual([missing.errcode, missing.errmsg], [70128, 'CONTACTS_NOT_EXISTED']);
  });

  it('refuses to delete a contact a phonebook still selects (70091), then deletes it once removed', async () => {
    const book = await pbx.post('phonebook/create', { name: 'HubSpot', member_select: 'sel_specific' });
    const { id } = await pbx.post('company_contact/create', contact({ phonebook_id_list: [book.id] }));
    const refused = await pbx.get('company_contact/delete', { id });
    assert.deepEqual([refused.errcode, refused.errmsg], [70091, 'CONNECTION_RELATION_EXISTED']);
    await pbx.post('company_contact/update', { id, phonebook_id_list: [] });
    assert.equal((await pbx.get('company_contact/delete', { id })).errcode, 0);
    assert.equal((await pbx.get('company_contact/get', { id })).errcode, 70128);
    assert.equal((await pbx.post('company_contact/delete', {})).errcode, 10001, 'delete is a GET');
  });

  it('manages phonebooks and their membership', async () => {
    const a = await pbx.post('company_contact/create', contact());
    const b = await pbx.post('company_contact/create', contact({ first_name: 'Jay', last_name: 'Prichett' }));
    const created = await pbx.post('phonebook/create', { name: 'Vendor', member_select: 'sel_specific', add_contacts_id_list: [a.id] });
    assert.equal(created.errcode, 0);
    const dup = await pbx.post('phonebook/create', { name: 'Vendor', member_select: 'sel_specific' });
    assert.deepEqual([dup.errcode, dup.errmsg, dup.duplicate_field_list], [40003, 'DUPLICATE KEY VALUE', [{ field: 'name', value: 'Vendor' }]]);
    assert.equal((await pbx.post('phonebook/create', { member_select: 'sel_all' })).invalid_param_list[0].field, 'name');
    await pbx.post('phonebook/update', { id: created.id, name: 'Vendors', add_contacts_id_list: [b.id], del_contacts_id_list: [a.id] });
    const book = (await pbx.get('phonebook/get', { id: created.id })).data;
    assert.equal(book.name, 'Vendors');
    assert.equal(book.total, 1);
    assert.equal(book.contacts_list[0].contact_name, 'Jay Prichett');
    const list = await pbx.get('phonebook/list');
    assert.deepEqual(list.data, [{ id: created.id, name: 'Vendors', member_select: 'sel_specific', total: 1 }]);
    assert.equal((await pbx.get('phonebook/delete', { id: created.id })).errcode, 0);
    assert.equal((await pbx.get('phonebook/get', { id: created.id })).errcode, 70093);
    assert.equal(sb.phonebooks().length, 0);
  });
});
