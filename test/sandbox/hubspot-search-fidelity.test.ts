/**
 * CRM search as HubSpot's search guide describes it
 * (developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm, "Filter search results",
 * "Search default searchable properties", "Paging through results", "Limits"), plus what
 * integrators observed. Each case names its source; every response is checked against
 * HubSpot's OpenAPI files by the contract harness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

type Filter = { propertyName: string; operator: string; value?: string; values?: string[]; highValue?: string };
const ids = (body: { results: Array<{ id: string }> }) => body.results.map((r) => r.id).sort();

describe('HubSpot sandbox search, by the search guide', () => {
  let env: ContractSandbox;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(env.sandbox.url, method, path, { token, body });
  const search = (type: string, body: Record<string, unknown>) => api('POST', `/crm/v3/objects/${type}/search`, body);
  const create = async (type: string, properties: Record<string, string>) => {
    const res = await api('POST', `/crm/v3/objects/${type}`, { properties });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  let inbound = '';
  let outbound = '';
  /** Calls created by this suite only, whatever else the portal holds. */
  const calls = async (filters: Filter[]) => {
    const res = await search('calls', { filterGroups: [{ filters: [...filters, { propertyName: 'hs_call_title', operator: 'EQ', value: 'guide case' }] }] });
    assert.equal(res.status, 200, res.text);
    return ids(res.body);
  };

  before(async () => {
    env = await startContractSandbox({ limits: { searchPerSecond: 10_000 } });
    token = env.sandbox.info().portals[0].privateAppToken;
    inbound = await create('calls', { hs_timestamp: '2025-03-01T10:00:00Z', hs_call_direction: 'INBOUND', hs_call_title: 'guide case' });
    outbound = await create('calls', { hs_timestamp: '2025-03-01T11:00:00Z', hs_call_direction: 'OUTBOUND', hs_call_title: 'guide case' });
  });
  after(() => env.stop());

  describe('"When filtering for an enumeration property, search is case-sensitive for all filter operators"', () => {
    it('EQ, IN and CONTAINS_TOKEN find the stored case only', async () => {
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' }]), [inbound]);
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'EQ', value: 'inbound' }]), []);
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'IN', values: ['inbound', 'outbound'] }]), []);
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'IN', values: ['INBOUND', 'OUTBOUND'] }]), [inbound, outbound].sort());
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'CONTAINS_TOKEN', value: 'inb*' }]), []);
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'CONTAINS_TOKEN', value: 'INB*' }]), [inbound]);
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'CONTAINS_TOKEN', value: '*BOUND' }]), [inbound, outbound].sort());
    });

    it('NEQ, NOT_IN and NOT_CONTAINS_TOKEN do not treat another case as the same value', async () => {
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'NEQ', value: 'inbound' }]), [inbound, outbound].sort());
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'NEQ', value: 'INBOUND' }]), [outbound]);
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'NOT_IN', values: ['inbound'] }]), [inbound, outbound].sort());
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'NOT_CONTAINS_TOKEN', value: 'inbound' }]), [inbound, outbound].sort());
    });

    it('a contact\'s lifecyclestage "Lead" finds nothing: the stored value is "lead"', async () => {
      const lead = await create('contacts', { email: 'lead-case@guide.example', lifecyclestage: 'lead' });
      const byStage = (value: string) =>
        search('contacts', {
          filterGroups: [
            {
              filters: [
                { propertyName: 'lifecyclestage', operator: 'EQ', value },
                { propertyName: 'email', operator: 'EQ', value: 'lead-case@guide.example' },
              ],
            },
          ],
        });
      assert.deepEqual(ids((await byStage('Lead')).body), []);
      assert.deepEqual(ids((await byStage('lead')).body), [lead]);
    });

    it('while string properties keep ignoring case ("Values in filters are case-insensitive")', async () => {
      assert.deepEqual(await calls([{ propertyName: 'hs_call_title', operator: 'EQ', value: 'GUIDE CASE' }]), [inbound, outbound].sort());
      assert.deepEqual(await calls([{ propertyName: 'hs_call_title', operator: 'CONTAINS_TOKEN', value: 'GUIDE' }]), [inbound, outbound].sort());
    });
  });

  describe('a top-level "filters" array (the guide\'s associations example; @hubspot/api-client #491)', () => {
    it('is applied, its filters ANDed, instead of being ignored', async () => {
      const res = await search('calls', {
        filters: [
          { propertyName: 'hs_call_direction', operator: 'EQ', value: 'OUTBOUND' },
          { propertyName: 'hs_call_title', operator: 'EQ', value: 'guide case' },
        ],
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(ids(res.body), [outbound]);
      assert.equal(res.body.total, 1);
    });

    it('holds more filters than one group may (#491: "we can do more than 3 filters"), within the 18 in total', async () => {
      const many = Array.from({ length: 7 }, () => ({ propertyName: 'hs_call_title', operator: 'HAS_PROPERTY' }));
      const seven = await search('calls', { filters: [...many, { propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' }] });
      assert.equal(seven.status, 200, seven.text);
      assert.deepEqual(ids(seven.body), [inbound]);
      const nineteen = await search('calls', { filters: Array.from({ length: 19 }, () => many[0]) });
      assert.equal(nineteen.status, 400);
      assert.equal(nineteen.body.category, 'VALIDATION_ERROR');
    });

    it('with filterGroups as well, narrows every group (our choice, UNCONFIRMED)', async () => {
      const res = await search('calls', {
        filterGroups: [
          { filters: [{ propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' }] },
          { filters: [{ propertyName: 'hs_call_direction', operator: 'EQ', value: 'OUTBOUND' }] },
        ],
        filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: outbound }],
      });
      assert.deepEqual(ids(res.body), [outbound]);
    });
  });

  describe('request shapes integrators send', () => {
    it('ignores an unknown top-level key such as "filterGroup" and returns every record (@hubspot/api-client #344)', async () => {
      const all = await search('calls', {});
      const misspelt = await search('calls', { filterGroup: { filters: [{ propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' }] } });
      assert.equal(misspelt.status, 200);
      assert.equal(misspelt.body.total, all.body.total);
    });

    it('takes limit as a string ("limit": "200", a captured request in amp-labs/connectors)', async () => {
      const res = await search('calls', { limit: '200', filters: [{ propertyName: 'hs_call_title', operator: 'EQ', value: 'guide case' }] });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.results.length, 2);
    });

    it('answers 400 to an after that is not an integer ("You must format the value in the after parameter as an integer")', async () => {
      const res = await search('calls', { after: 'NTI1Cg%3D%3D' });
      assert.equal(res.status, 400);
      assert.equal(res.body.category, 'VALIDATION_ERROR');
    });
  });

  describe('results', () => {
    it('engagements return hs_createdate, hs_lastmodifieddate and hs_object_id by default (guide, "Engagements" table)', async () => {
      const res = await search('calls', { filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: inbound }] });
      assert.deepEqual(Object.keys(res.body.results[0].properties).sort(), ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);
    });

    it('leave archived records out ("Archived CRM objects won\'t appear in any search results")', async () => {
      const gone = await create('calls', { hs_timestamp: '2025-03-02T10:00:00Z', hs_call_direction: 'INBOUND', hs_call_title: 'guide case' });
      assert.equal((await calls([{ propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' }])).length, 2);
      assert.equal((await api('DELETE', `/crm/v3/objects/calls/${gone}`)).status, 204);
      assert.deepEqual(await calls([{ propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' }]), [inbound]);
    });

    it("free-text query looks in a deal's default searchable properties: dealname, pipeline, dealstage, description, dealtype", async () => {
      const deal = await create('deals', {
        dealname: 'Quarterly renewal',
        dealstage: 'contractsent',
        pipeline: 'default',
        dealtype: 'existingbusiness',
        description: 'Renewal for the Zephyr account',
      });
      for (const query of ['Quarterly', 'contractsent', 'existingbusiness', 'Zephyr']) {
        const res = await search('deals', { query });
        assert.deepEqual(ids(res.body), [deal], query);
      }
    });

    it("free-text query looks in a call's title, not in properties outside the list (hs_call_title, hs_body_preview)", async () => {
      const titled = await create('calls', { hs_timestamp: '2025-03-03T10:00:00Z', hs_call_title: 'Xylophone follow-up', hs_call_to_number: '+15550001111' });
      assert.deepEqual(ids((await search('calls', { query: 'xylophone' })).body), [titled]);
      assert.deepEqual(ids((await search('calls', { query: '+15550001111' })).body), []);
    });
  });

  describe('malformed requests, answered with the errors integrators quote', () => {
    it('BETWEEN without highValue: "operator BETWEEN requires a highValue" (@hubspot/api-client #128)', async () => {
      const res = await search('calls', { filterGroups: [{ filters: [{ propertyName: 'hs_timestamp', operator: 'BETWEEN', value: '1' }] }] });
      assert.equal(res.status, 400);
      assert.equal(res.body.category, 'VALIDATION_ERROR');
      assert.match(
        res.body.message,
        /^Invalid input JSON.*Cannot construct instance of `com\.hubspot\.inbounddb\.publicobject\.core\.v3\.search\.Filter`, problem: operator BETWEEN requires a highValue$/,
      );
    });

    it('a filter without operator: "Cannot build Filter, some of required attributes are not set" (@hubspot/api-client #226)', async () => {
      const res = await search('calls', { filterGroups: [{ filters: [{ propertyName: 'hs_call_title', value: 'x' }] }] });
      assert.equal(res.status, 400);
      assert.match(res.body.message, /^Invalid input JSON.*Cannot build Filter, some of required attributes are not set \[operator\]$/);
    });

    it('a value given as an array, and filterGroups given as an object, are bad JSON input (@hubspot/api-client #127, hubspot-api-python #71)', async () => {
      const array = await search('calls', { filterGroups: [{ filters: [{ propertyName: 'hs_call_title', operator: 'IN', value: ['a', 'b'] }] }] });
      assert.equal(array.status, 400);
      assert.match(array.body.message, /^Invalid input JSON/);
      const object = await search('calls', { filterGroups: { filters: [{ propertyName: 'hs_call_title', operator: 'EQ', value: 'a' }] } });
      assert.equal(object.status, 400);
      assert.match(object.body.message, /^Invalid input JSON/);
    });

    it('an unknown object type: 400 "Unable to infer object type from: butterflies" (amp-labs/connectors search/error-invalid-object.json)', async () => {
      const res = await search('butterflies', {});
      assert.equal(res.status, 400);
      assert.equal(res.body.message, 'Unable to infer object type from: butterflies');
    });
  });
});
