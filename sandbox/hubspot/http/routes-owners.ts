/**
 * Owners API (reference §5). Owners are the portal's HubSpot users: `id` (the value of
 * `hubspot_owner_id`) differs from `userId` (the user id calling APIs and OAuth use).
 */
import type { FastifyInstance } from 'fastify';
import { notFound, validationError } from '../errors.ts';
import type { Owner } from '../model/portal.ts';
import { formatTimestamp } from '../time-format.ts';
import { booleanParam, guard, queryOf, type SandboxContext } from './context.ts';

const OWNER_SCOPES = [['crm.objects.owners.read'], ['automation']];

export function ownerBody(owner: Owner): Record<string, unknown> {
  return {
    id: String(owner.id),
    email: owner.email,
    firstName: owner.firstName,
    lastName: owner.lastName,
    ...(owner.userId !== null ? { userId: owner.userId, userIdIncludingInactive: owner.userId } : {}),
    type: owner.type,
    createdAt: formatTimestamp(owner.createdAt),
    updatedAt: formatTimestamp(owner.updatedAt),
    archived: owner.archived,
    teams: owner.teams,
  };
}

export function registerOwnerRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/crm/v3/owners', async (request, reply) => {
    const auth = guard(ctx, request, reply, { scopes: OWNER_SCOPES });
    const query = queryOf(request);
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw validationError(`limit must be an integer between 1 and 500, got ${String(query.limit)}.`);
    const after = query.after === undefined || query.after === '' ? 0 : Number(query.after);
    if (!Number.isInteger(after) || after < 0) throw validationError(`Invalid after cursor: ${String(query.after)}`);
    const archived = booleanParam(query.archived);
    const email = typeof query.email === 'string' && query.email !== '' ? query.email.toLowerCase() : undefined;
    const owners = [...auth.portal.owners.values()]
      .filter((o) => o.archived === archived && (!email || o.email.toLowerCase() === email) && o.id >= after)
      .sort((a, b) => a.id - b.id);
    const page = owners.slice(0, limit);
    const body: Record<string, unknown> = { results: page.map(ownerBody) };
    if (owners.length > limit) {
      const next = String(owners[limit].id);
      const link = new URL(`${ctx.baseUrl}${request.url}`);
      link.searchParams.set('after', next);
      body.paging = { next: { after: next, link: link.toString() } };
    }
    return body;
  });

  app.get<{ Params: { ownerId: string } }>('/crm/v3/owners/:ownerId', async (request, reply) => {
    const auth = guard(ctx, request, reply, { scopes: OWNER_SCOPES });
    const query = queryOf(request);
    const idProperty = query.idProperty ?? 'id';
    if (idProperty !== 'id' && idProperty !== 'userId') throw validationError(`idProperty must be one of [id, userId], got ${String(idProperty)}.`);
    const archived = booleanParam(query.archived);
    const wanted = Number(request.params.ownerId);
    const owner =
      idProperty === 'userId' ? [...auth.portal.owners.values()].find((o) => o.userId === wanted && o.archived === archived) : auth.portal.owners.get(wanted);
    if (!owner || owner.archived !== archived) throw notFound();
    return ownerBody(owner);
  });
}
