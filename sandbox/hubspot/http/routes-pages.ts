/**
 * App pages on HubSpot's URL shapes: record pages `/contacts/{portalId}/record/{typeId}/{id}` (contacts,
 * companies, deals and calls)
 * and a small home page listing the sandbox's portals.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OBJECT_TYPES, resolveObjectType, type ObjectTypeName } from '../model/object-types.ts';
import { html, page } from '../pages/layout.ts';
import { recordUrl } from '../pages/page-helpers.ts';
import { recordTitle, renderRecordPage, type RecordPageExtensions } from '../pages/record-page.ts';
import { callingHostExtensions } from '../pages/calling-host.ts';
import type { SandboxContext } from './context.ts';
import { currentUser } from './routes-oauth-authorize.ts';
import { recordingSource } from './routes-call-recordings.ts';

// Calls have record pages too (object type 0-48): where a call's link in HubSpot leads.
const PAGE_TYPES: ObjectTypeName[] = ['contacts', 'companies', 'deals', 'calls'];

function problemPage(reply: FastifyReply, status: number, title: string, message: string, user: { email: string; name: string }): string {
  reply.code(status).type('text/html; charset=utf-8');
  return page({ title, body: html`<section class="card narrow error"><h1>${title}</h1><p>${message}</p></section>`, signedInAs: user });
}

export function registerPageRoutes(app: FastifyInstance, ctx: SandboxContext, extensions: () => RecordPageExtensions | undefined): void {
  app.get<{ Params: { portalId: string; typeId: string; id: string } }>('/contacts/:portalId/record/:typeId/:id', async (request, reply) => {
    const user = currentUser(ctx, request);
    const signedIn = { email: user.email, name: `${user.firstName} ${user.lastName}` };
    const portal = ctx.state.portal(Number(request.params.portalId));
    const type = resolveObjectType(request.params.typeId);
    if (!portal || !type || !PAGE_TYPES.includes(type)) return problemPage(reply, 404, 'Page not found', "This page doesn't exist.", signedIn);
    if (!user.portalIds.includes(portal.portalId)) {
      return problemPage(reply, 403, 'No access', `${user.email} is not a user in ${portal.settings.name}.`, signedIn);
    }
    const record = /^\d+$/.test(request.params.id) ? portal.store(type).get(Number(request.params.id)) : undefined;
    if (!record || record.archived)
      return problemPage(reply, 404, 'Record not found', `This ${OBJECT_TYPES[type].singular} doesn't exist or was deleted.`, signedIn);
    const owner = portal.ownerByUserId(user.userId);
    // Extensions set by a test or embedder come first, then the built-in calling widget host (calling-host.ts).
    const calling = callingHostExtensions({ state: ctx.state, portal, user, ownerId: owner?.id, type, record });
    const extra = extensions();
    const merged = { head: html`${extra?.head}${calling.head}`, widgetPanel: html`${extra?.widgetPanel}${calling.widgetPanel}` };
    reply.type('text/html; charset=utf-8');
    return renderRecordPage({
      portal,
      type,
      record,
      signedInAs: { ...signedIn, ownerId: owner?.id },
      url: request.url,
      extensions: merged,
      recordingSource: (call) => recordingSource(ctx.state, portal, call),
    });
  });

  app.get('/', async (request, reply) => {
    const user = currentUser(ctx, request);
    const portals = [...ctx.state.portals.values()].filter((p) => user.portalIds.includes(p.portalId));
    const body = html`<section class="card"><h1>HubSpot sandbox</h1><p class="muted">API base URL <code>${ctx.baseUrl}</code> · controls under <code>/sandbox/*</code></p></section>
      ${portals.map((p) => {
        const contacts = [...p.store('contacts').activeRecords()].slice(0, 10);
        const companies = [...p.store('companies').activeRecords()].slice(0, 10);
        return html`<section class="card" data-portal-id="${p.portalId}"><h2>${p.settings.name} <span class="muted small">Hub ID ${p.portalId} · ${p.settings.type}</span></h2>
          <p class="muted small">${p.store('contacts').activeCount} contacts · ${p.store('companies').activeCount} companies · ${p.store('deals').activeCount} deals</p>
          <ul>${contacts.map((r) => html`<li><a href="${recordUrl(p.portalId, '0-1', r.id)}">${recordTitle('contacts', r)}</a></li>`)}</ul>
          <ul>${companies.map((r) => html`<li><a href="${recordUrl(p.portalId, '0-2', r.id)}">${recordTitle('companies', r)}</a></li>`)}</ul></section>`;
      })}`;
    reply.type('text/html; charset=utf-8');
    return page({ title: 'Sandbox', body, signedInAs: { email: user.email, name: `${user.firstName} ${user.lastName}` }, returnTo: '/' });
  });
}
