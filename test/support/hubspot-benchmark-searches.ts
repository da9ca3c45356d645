/**
 * The searches of the HubSpot emulator's benchmark shape, as Spokes makes them: what
 * test/sandbox/hubspot-search-benchmark-shape.test.ts checks the answers of and bench/hubspot-search.bench.ts times.
 */

/** One page of contacts modified after `cursor` (epoch ms), oldest first. */
export const pageByModified = (cursor: string) => ({
  filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: cursor }] }],
  sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
  properties: ['email', 'lastmodifieddate'],
  limit: 200,
});

/** A caller look-up by the digits of a number: exact, or the last seven digits of a phone or mobile number. */
export const phoneLookup = (digits: string) => ({
  filterGroups: [
    { filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: digits }] },
    { filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'CONTAINS_TOKEN', value: `*${digits.slice(-7)}` }] },
    { filters: [{ propertyName: 'hs_searchable_calculated_mobile_number', operator: 'CONTAINS_TOKEN', value: `*${digits.slice(-7)}` }] },
  ],
  properties: ['phone'],
});

/** The contacts of one company, most recently modified first. */
export const contactsOfCompany = (companyId: string) => ({
  filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: companyId }] }],
  sorts: [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }],
  properties: ['email'],
  limit: 100,
});

/** The 100 contacts of one batch-create of the benchmark. */
export const bulkContacts = (batch: number) =>
  Array.from({ length: 100 }, (_, i) => ({
    properties: { email: `bulk-${batch}-${i}@bulk.example`, phone: `+1 212 555 01${String(i).padStart(2, '0')}` },
    associations: [],
  }));
