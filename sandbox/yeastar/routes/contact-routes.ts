import type { FastifyInstance } from 'fastify';
import type { YeastarContext } from '../context.ts';
import { ERR, YeastarApiError, invalid, required } from '../errcodes.ts';
import { NUM_TYPES, type DbContact, type NumType, type PbxState } from '../pbx-state.ts';
import { defineApi, idList, optionalString, pageOf, paging, requireId, requireString } from './api-kit.ts';

/** num_type → the flattened field of list rows (help.yeastar.com ".../search-specific-company-contacts.html"). */
const FLAT_FIELD: Record<NumType, string> = {
  business_number: 'business',
  business_number2: 'business2',
  business_fax: 'business_fax',
  mobile_number: 'mobile',
  mobile_number2: 'mobile2',
  home_number: 'home',
  home_number2: 'home2',
  home_fax: 'home_fax',
  other_number: 'other',
};
const TEXT_FIELDS = ['last_name', 'company', 'email', 'remark', 'zip_code', 'street', 'city', 'state', 'country'] as const;
/** Company contact capacity (pbx-apis.md §1.7: 200,000; 500,000 with ≥1000 extensions). */
const MAX_CONTACTS = 200_000;

/** Contacts_List row: the flattened view used by list/search and phonebook/get. */
export function contactRow(c: DbContact): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: c.id,
    contact_name: `${c.first_name} ${c.last_name}`.trim(),
    company: c.company,
    email: c.email,
  };
  for (const field of Object.values(FLAT_FIELD)) row[field] = '';
  for (const n of c.number_list) row[FLAT_FIELD[n.num_type]] = n.number;
  row.remark = c.remark;
  return row;
}

function phonebookList(state: PbxState, contactId: number): { id: number; name: string }[] {
  return state.phonebooksOf(contactId).map((p) => ({ id: p.id, name: p.name }));
}

function parseNumberList(raw: unknown): DbContact['number_list'] {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) throw required('number_list');
  if (!Array.isArray(raw)) throw invalid('number_list', JSON.stringify(raw));
  const seen = new Set<string>();
  return raw.map((item) => {
    const numType = (item as { num_type?: unknown })?.num_type;
    const number = (item as { number?: unknown })?.number;
    if (typeof numType !== 'string' || !(NUM_TYPES as readonly string[]).includes(numType)) throw invalid('num_type', String(numType));
    if (typeof number !== 'string' || number.trim() === '') throw invalid('number', String(number));
    // Each type is one field of the contact, so a type can appear once.
    if (seen.has(numType)) throw invalid('num_type', numType);
    seen.add(numType);
    return { num_type: numType as NumType, number: number.trim() };
  });
}

/** Sets the contact's phonebook membership; every id must name an existing phonebook (70093). */
function setMembership(state: PbxState, contactId: number, ids: number[]): void {
  for (const id of ids) if (!state.phonebooks.some((p) => p.id === id)) throw new YeastarApiError(ERR.PHONEBOOK_NOT_EXISTED);
  for (const book of state.phonebooks) {
    if (book.member_select !== 'sel_specific') continue;
    const member = book.contactIds.includes(contactId);
    if (ids.includes(book.id) && !member) book.contactIds.push(contactId);
    if (!ids.includes(book.id) && member) book.contactIds = book.contactIds.filter((c) => c !== contactId);
  }
}

export function registerContactRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const { state } = ctx;
  // sort_by valid values of "Query Company Contact List" / "Search Specific Company Contacts"
  // (help.yeastar.com/en/p-series-software-edition/developer-guide/search-specific-company-contacts.html).
  const sortable = ['id', 'contact_name', 'company', 'email', 'business', 'mobile', 'home', 'business_fax'];
  const listRow = (c: DbContact) => ({ ...contactRow(c), phonebook_list: phonebookList(state, c.id) });
  const find = (id: number) => {
    const c = state.contacts.find((x) => x.id === id);
    if (!c) throw new YeastarApiError(ERR.CONTACTS_NOT_EXISTED);
    return c;
  };

  defineApi(app, ctx, {
    path: 'company_contact/list',
    method: 'GET',
    handler: ({ query }) => pageOf(state.contacts.map(listRow), paging(query, sortable)),
  });

  defineApi(app, ctx, {
    path: 'company_contact/search',
    method: 'GET',
    handler: ({ query }) => {
      const needle = (query.search_value ?? '').toLowerCase();
      const hits = state.contacts.filter((c) =>
        [`${c.first_name} ${c.last_name}`, c.company, c.email, ...c.number_list.map((n) => n.number)].some((v) => v.toLowerCase().includes(needle)),
      );
      return pageOf(hits.map(listRow), paging(query, sortable));
    },
  });

  defineApi(app, ctx, {
    path: 'company_contact/get',
    method: 'GET',
    handler: ({ query }) => {
      const c = find(requireId(query));
      return {
        data: {
          id: c.id,
          first_name: c.first_name,
          last_name: c.last_name,
          company: c.company,
          email: c.email,
          phonebook_list: phonebookList(state, c.id),
          remark: c.remark,
          number_list: c.number_list,
          zip_code: c.zip_code,
          street: c.street,
          city: c.city,
          state: c.state,
          country: c.country,
        },
      };
    },
  });

  // Required: first_name and number_list (help.yeastar.com ".../add-a-company-contact.html").
  defineApi(app, ctx, {
    path: 'company_contact/create',
    method: 'POST',
    handler: ({ body }) => {
      const firstName = requireString(body, 'first_name');
      const numberList = parseNumberList(body.number_list);
      const books = idList(body, 'phonebook_id_list') ?? [];
      if (state.contacts.length >= MAX_CONTACTS) throw new YeastarApiError(ERR.MAX_LIMITATION_EXCEEDED);
      const contact: DbContact = {
        id: 0,
        first_name: firstName,
        last_name: '',
        company: '',
        email: '',
        remark: '',
        number_list: numberList,
        zip_code: '',
        street: '',
        city: '',
        state: '',
        country: '',
      };
      for (const f of TEXT_FIELDS) contact[f] = optionalString(body, f) ?? '';
      for (const id of books) if (!state.phonebooks.some((p) => p.id === id)) throw new YeastarApiError(ERR.PHONEBOOK_NOT_EXISTED);
      contact.id = state.nextId('contact');
      state.contacts.push(contact);
      setMembership(state, contact.id, books);
      return { id: contact.id };
    },
  });

  // Fields present in the body replace the stored ones; number_list and phonebook_id_list replace whole.
  defineApi(app, ctx, {
    path: 'company_contact/update',
    method: 'POST',
    handler: ({ body }) => {
      const c = find(requireId(body));
      const firstName = optionalString(body, 'first_name');
      if (firstName !== undefined && firstName.trim() === '') throw required('first_name');
      const numberList = body.number_list === undefined ? undefined : parseNumberList(body.number_list);
      const books = idList(body, 'phonebook_id_list');
      if (books) for (const id of books) if (!state.phonebooks.some((p) => p.id === id)) throw new YeastarApiError(ERR.PHONEBOOK_NOT_EXISTED);
      if (firstName !== undefined) c.first_name = firstName;
      if (numberList) c.number_list = numberList;
      for (const f of TEXT_FIELDS) {
        const v = optionalString(body, f);
        if (v !== undefined) c[f] = v;
      }
      if (books) setMembership(state, c.id, books);
      return {};
    },
  });

  // A contact still selected by a phonebook cannot be deleted: 70091, the vendor's own example of that code.
  defineApi(app, ctx, {
    path: 'company_contact/delete',
    method: 'GET',
    handler: ({ query }) => {
      const c = find(requireId(query));
      if (state.phonebooksOf(c.id).length > 0) throw new YeastarApiError(ERR.CONNECTION_RELATION_EXISTED);
      state.contacts = state.contacts.filter((x) => x.id !== c.id);
      return {};
    },
  });
}
