import type { FastifyInstance } from 'fastify';
import type { YeastarContext } from '../context.ts';
import { ERR, YeastarApiError, invalid, required } from '../errcodes.ts';
import type { DbExtension } from '../pbx-state.ts';
import { defineApi, pageOf, paging, requireId } from './api-kit.ts';

/** sort_by values of "Query Extension List" (public client notes [3P]; the doc lists them as "Valid value"). */
const SORTABLE = ['id', 'number', 'caller_id_name', 'email_addr', 'mobile_number', 'presence_status'];

/**
 * Ext_Basicinfo of extension/list (help.yeastar.com ".../query-extension-list.html").
 * online_status per endpoint is `{status: 0|1, ext_dev_type}`, except that "the extension
 * online status on SIP endpoint is returned in the status_list parameter", which is
 * "only returned when the extension is registered on SIP endpoints" [C]. The emulator
 * models one registered phone: `status_list: [{status: 1}]` (the other Status_List
 * fields are not emulated) and also keeps `sip_phone.status` [U: its value on a real PBX
 * is not documented; read status_list].
 */
export function extensionWire(e: DbExtension): Record<string, unknown> {
  return {
    id: e.id,
    online_status: {
      sip_phone: { status: e.online ? 1 : 0, ext_dev_type: 'sip', ...(e.online ? { status_list: [{ status: 1 }] } : {}) },
      linkus_desktop: { status: 0, ext_dev_type: 'linkusdesktop' },
      linkus_mobile: { status: 0, ext_dev_type: 'linkusmobile' },
      linkus_web: { status: 0, ext_dev_type: 'linkusweb' },
    },
    presence_status: e.presence,
    number: e.number,
    caller_id_name: e.name,
    role_name: e.role,
    email_addr: e.email,
    mobile_number: e.mobile,
  };
}

export function registerExtensionRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const rows = () => ctx.state.extensions.map(extensionWire);

  defineApi(app, ctx, {
    path: 'extension/list',
    method: 'GET',
    handler: ({ query }) => pageOf(rows(), paging(query, SORTABLE)),
  });

  defineApi(app, ctx, {
    path: 'extension/search',
    method: 'GET',
    handler: ({ query }) => {
      const needle = (query.search_value ?? '').toLowerCase();
      const hits = ctx.state.extensions.filter((e) => [e.number, e.name, e.email].some((v) => v.toLowerCase().includes(needle))).map(extensionWire);
      return pageOf(hits, paging(query, SORTABLE));
    },
  });

  defineApi(app, ctx, {
    path: 'extension/get',
    method: 'GET',
    handler: ({ query }) => {
      const id = requireId(query);
      const ext = ctx.state.extensions.find((e) => e.id === id);
      if (!ext) throw new YeastarApiError(ERR.DATA_NOT_FOUND);
      return { data: extensionWire(ext) };
    },
  });

  defineApi(app, ctx, {
    path: 'extension/query',
    method: 'GET',
    handler: ({ query }) => {
      if (!query.ids) throw required('ids');
      const ids = query.ids.split(',').map((s) => Number(s.trim()));
      if (!ids.every((n) => Number.isInteger(n) && n > 0)) throw invalid('ids', query.ids);
      return { data: ctx.state.extensions.filter((e) => ids.includes(e.id)).map(extensionWire) };
    },
  });
}
