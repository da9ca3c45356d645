/**
 * Fidelity fixes found by comparing the emulator with Yeastar's published P-Series
 * developer guide (help.yeastar.com/en/p-series-*-edition/developer-guide/…).
 * Each test names the vendor page it follows.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { EventStream, type PbxClient, startPbx } from '../support/yeastar-client.ts';

describe('Yeastar emulator: fidelity to the published OpenAPI contract', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;

  before(async () => {
    ({ sb, pbx } = await startPbx());
  });
  after(() => sb.close());
  beforeEach(async () => {
    await sb.reset();
    await pbx.login();
  });

  // "Search Specific Company Contacts" / "Query Company Contact List": sort_by valid values.
  it('sorts company contacts by every documented sort_by field, including the number columns', async () => {
    const add = (first_name: string, business: string, mobile: string) =>
      pbx.post('company_contact/create', {
        first_name,
        number_list: [
          { num_type: 'business_number', number: business },
          { num_type: 'mobile_number', number: mobile },
        ],
      });
    await add('Zoe', '100', '+4917000000002');
    await add('Adam', '300', '+4917000000001');
    for (const sortBy of ['id', 'contact_name', 'company', 'email', 'business', 'mobile', 'home', 'business_fax']) {
      assert.equal((await pbx.get('company_contact/list', { sort_by: sortBy })).errcode, 0, sortBy);
    }
    const byBusiness = await pbx.get('company_contact/list', { sort_by: 'business', order_by: 'desc' });
    assert.deepEqual(
      byBusiness.data.map((c: any) => c.contact_name),
      ['Adam', 'Zoe'],
    );
    const byMobile = await pbx.get('company_contact/search', { search_value: '+49', sort_by: 'mobile' });
    assert.deepEqual(
      byMobile.data.map((c: any) => c.contact_name),
      ['Adam', 'Zoe'],
    );
    assert.equal((await pbx.get('company_contact/list', { sort_by: 'shoe_size' })).errcode, 40002);
  });

  // "Search Specific CDR": "The time can be specified as either an ISO 8601 date-time string or a Unix timestamp (in seconds)".
  it('accepts cdr/search start_time / end_time as Unix timestamps in seconds', async () => {
    const events = await EventStream.open(sb, pbx.token, [30012]);
    try {
      const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1001', ringSeconds: 1, talkSeconds: 1 });
      await events.callEvents(call_id);
    } finally {
      events.close();
    }
    const row = (await pbx.get('cdr/list')).data[0];
    const hit = await pbx.get('cdr/search', { start_time: row.timestamp - 5, end_time: row.timestamp + 5 });
    assert.deepEqual([hit.errcode, hit.total_number], [0, 1]);
    assert.equal((await pbx.get('cdr/search', { start_time: row.timestamp + 60 })).total_number, 0);
    assert.equal((await pbx.get('cdr/search', { end_time: row.timestamp - 60 })).total_number, 0);
  });

  // "Query Extension List": "The extension online status on SIP endpoint is returned in the status_list parameter".
  it('reports SIP registration in online_status.sip_phone.status_list, present only while registered', async () => {
    const row = async (n: string) => (await pbx.get('extension/list')).data.find((e: any) => e.number === n);
    assert.deepEqual((await row('1001')).online_status.sip_phone.status_list, [{ status: 1 }]);
    await sb.setExtensionState('1001', { online: false });
    const offline = (await row('1001')).online_status.sip_phone;
    assert.equal(offline.status_list, undefined);
    assert.equal(offline.ext_dev_type, 'sip');
  });
});
