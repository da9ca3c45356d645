import type { FastifyInstance } from 'fastify';
import type { YeastarContext } from '../context.ts';
import { ERR, YeastarApiError, invalid, required } from '../errcodes.ts';
import type { DbPhonebook } from '../pbx-state.ts';
import { defineApi, idList, optionalString, pageOf, paging, requireId, requireString } from './api-kit.ts';
import { contactRow } from './contact-routes.ts';

/** Phonebook capacity (pbx-apis.md §1.7: 200, or 500 on large systems). */
const MAX_PHONEBOOKS = 200;

/**
 * phonebook/* (help.yeastar.com ".../query-information-of-a-phonebook.html",
 * pbx-apis.md §1.7). create takes `{name, member_select, add_contacts_id_list}` [C];
 * update takes `id` plus `add_contacts_id_list` / `del_contacts_id_list` [U: names by
 * analogy with create]; list rows are `{id, name, member_select, total}` [U].
 */
export function registerPhonebookRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const { state } = ctx;
  const summary = (p: DbPhonebook) => ({ id: p.id, name: p.name, member_select: p.member_select, total: state.contactsIn(p).length });
  const detail = (p: DbPhonebook) => {
    const contacts = state.contactsIn(p);
    return { id: p.id, name: p.name, member_select: p.member_select, contacts_list: contacts.map(contactRow), total: contacts.length };
  };
  const find = (id: number) => {
    const p = state.phonebooks.find((x) => x.id === id);
    if (!p) throw new YeastarApiError(ERR.PHONEBOOK_NOT_EXISTED);
    return p;
  };
  const memberSelect = (body: Record<string, unknown>): DbPhonebook['member_select'] | undefined => {
    const v = optionalString(body, 'member_select');
    if (v !== undefined && v !== 'sel_all' && v !== 'sel_specific') throw invalid('member_select', v);
    return v;
  };
  const existingContacts = (ids: number[] | undefined) => {
    for (const id of ids ?? []) if (!state.contacts.some((c) => c.id === id)) throw new YeastarApiError(ERR.CONTACTS_NOT_EXISTED);
    return ids ?? [];
  };
  const assertUniqueName = (name: string, exceptId?: number) => {
    if (state.phonebooks.some((p) => p.name === name && p.id !== exceptId)) {
      throw new YeastarApiError(ERR.DUPLICATE_KEY_VALUE, { duplicate_field_list: [{ field: 'name', value: name }] });
    }
  };

  defineApi(app, ctx, {
    path: 'phonebook/list',
    method: 'GET',
    handler: ({ query }) => pageOf(state.phonebooks.map(summary), paging(query, ['id', 'name'])),
  });

  defineApi(app, ctx, {
    path: 'phonebook/search',
    method: 'GET',
    handler: ({ query }) => {
      const needle = (query.search_value ?? '').toLowerCase();
      const hits = state.phonebooks.filter((p) => p.name.toLowerCase().includes(needle)).map(summary);
      return pageOf(hits, paging(query, ['id', 'name']));
    },
  });

  defineApi(app, ctx, {
    path: 'phonebook/get',
    method: 'GET',
    handler: ({ query }) => ({ data: detail(find(requireId(query))) }),
  });

  defineApi(app, ctx, {
    path: 'phonebook/query',
    method: 'GET',
    handler: ({ query }) => {
      if (!query.ids) throw required('ids');
      const ids = query.ids.split(',').map((s) => Number(s.trim()));
      if (!ids.every((n) => Number.isInteger(n) && n > 0)) throw invalid('ids', query.ids);
      return { data: state.phonebooks.filter((p) => ids.includes(p.id)).map(detail) };
    },
  });

  defineApi(app, ctx, {
    path: 'phonebook/create',
    method: 'POST',
    handler: ({ body }) => {
      const name = requireString(body, 'name');
      const select = memberSelect(body) ?? 'sel_specific';
      const contacts = existingContacts(idList(body, 'add_contacts_id_list'));
      assertUniqueName(name);
      if (state.phonebooks.length >= MAX_PHONEBOOKS) throw new YeastarApiError(ERR.MAX_LIMITATION_EXCEEDED);
      const book: DbPhonebook = { id: state.nextId('phonebook'), name, member_select: select, contactIds: select === 'sel_all' ? [] : contacts };
      state.phonebooks.push(book);
      return { id: book.id };
    },
  });

  defineApi(app, ctx, {
    path: 'phonebook/update',
    method: 'POST',
    handler: ({ body }) => {
      const book = find(requireId(body));
      const name = optionalString(body, 'name');
      if (name !== undefined) {
        if (name.trim() === '') throw required('name');
        assertUniqueName(name, book.id);
      }
      const select = memberSelect(body);
      const add = existingContacts(idList(body, 'add_contacts_id_list'));
      const del = idList(body, 'del_contacts_id_list') ?? [];
      if (name !== undefined) book.name = name;
      if (select !== undefined) book.member_select = select;
      if (book.member_select === 'sel_all') book.contactIds = [];
      else book.contactIds = [...new Set([...book.contactIds, ...add])].filter((id) => !del.includes(id));
      return {};
    },
  });

  defineApi(app, ctx, {
    path: 'phonebook/delete',
    method: 'GET',
    handler: ({ query }) => {
      const book = find(requireId(query));
      state.phonebooks = state.phonebooks.filter((p) => p.id !== book.id);
      return {};
    },
  });
}
