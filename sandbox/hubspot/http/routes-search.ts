/**
 * `POST /crm/v3/objects/{objectType}/search` (reference §3). Counted in the portal's
 * per-second search bucket; responses carry no rate-limit headers.
 */
import type { FastifyInstance } from 'fastify';
import { runSearch } from '../crm/search-engine.ts';
import { parseSearchRequest } from '../crm/search-request.ts';
import { serializeRecord } from '../crm/serialize.ts';
import { OBJECT_TYPES } from '../model/object-types.ts';
import { objectScopes } from './auth.ts';
import { guard, objectTypeParam, type SandboxContext } from './context.ts';

export function registerSearchRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{ Params: { objectType: string } }>('/crm/v3/objects/:objectType/search', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: objectScopes(OBJECT_TYPES[type].scopeFamily, 'read'), search: true });
    const search = parseSearchRequest(request.body, ctx.limits);
    const result = runSearch(auth.portal, type, search);
    const body: Record<string, unknown> = {
      total: result.total,
      results: result.records.map((record) => serializeRecord(auth.portal, type, record, { properties: search.properties, baseUrl: ctx.baseUrl })),
    };
    const next = search.after + search.limit;
    // Paging continues while results remain, even onto the 10,000th: the next call then
    // gets the documented 400, as integrators paging blindly observe (§3).
    if (search.limit > 0 && next < result.total) body.paging = { next: { after: String(next) } };
    return body;
  });
}
