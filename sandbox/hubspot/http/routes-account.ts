/**
 * `GET /account-info/v3/details` (HubSpot Account Info API): lets an integration tell a
 * developer test account (`accountType: DEVELOPER_TEST`) from a standard one, which is
 * how Spokes refuses test accounts after install (SPEC T2). Not in the reference's
 * OpenAPI set; shape from HubSpot's account-info spec (docs/sandbox/hubspot.md).
 */
import type { FastifyInstance } from 'fastify';
import { guard, type SandboxContext } from './context.ts';

export function registerAccountRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/account-info/v3/details', async (request, reply) => {
    const auth = guard(ctx, request, reply, { scopes: auth0() });
    const s = auth.portal.settings;
    return {
      portalId: s.portalId,
      accountType: s.type,
      timeZone: s.timeZone,
      companyCurrency: 'USD',
      additionalCurrencies: [],
      utcOffset: '-05:00',
      utcOffsetMilliseconds: -18_000_000,
      uiDomain: new URL(ctx.baseUrl).host,
      dataHostingLocation: 'na1',
    };
  });
}

/** Private apps have no `oauth` scope but may read account details. */
function auth0(): string[][] {
  return [['oauth'], ['crm.objects.contacts.read']];
}
