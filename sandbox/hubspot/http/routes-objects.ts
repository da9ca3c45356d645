/**
 * CRM v3 basic object endpoints (reference §2.1): list, create, read, update, archive.
 */
import type { FastifyInstance } from 'fastify';
import { API_SOURCE, type WriteSource } from '../crm/events.ts';
import { listParam, serializeRecord } from '../crm/serialize.ts';
import { notFound, validationError } from '../errors.ts';
import type { DbRecord } from '../model/object-store.ts';
import { OBJECT_TYPES, resolveObjectType, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import type { AuthInfo } from './auth.ts';
import { objectScopes } from './auth.ts';
import { bodyObject, booleanParam, guard, objectTypeParam, queryOf, type SandboxContext } from './context.ts';

type Params = { objectType: string; objectId?: string };

export function sourceOf(auth: AuthInfo): WriteSource {
  return { ...API_SOURCE, appId: auth.appId, userId: auth.userId };
}

/** `associations=companies,deals` → object types; unknown names are ignored like HubSpot does. */
export function associationTypesParam(value: unknown): ObjectTypeName[] {
  return (listParam(value) ?? []).map((name) => resolveObjectType(name)).filter((t): t is ObjectTypeName => t !== undefined);
}

/** Every stored property: what create/update responses carry. */
export function fullRecord(portal: Portal, type: ObjectTypeName, record: DbRecord, baseUrl: string): Record<string, unknown> {
  return serializeRecord(portal, type, record, { properties: Object.keys(record.properties), baseUrl });
}

export function registerObjectRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Params: Params }>('/crm/v3/objects/:objectType', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: objectScopes(OBJECT_TYPES[type].scopeFamily, 'read') });
    const query = queryOf(request);
    const limit = query.limit === undefined ? 10 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > ctx.limits.listPageSize) {
      throw validationError(`limit must be an integer between 1 and ${ctx.limits.listPageSize}, got ${String(query.limit)}.`);
    }
    const after = query.after === undefined || query.after === '' ? 0 : Number(query.after);
    if (!Number.isInteger(after) || after < 0) throw validationError(`Invalid after cursor: ${String(query.after)}`);
    const archived = booleanParam(query.archived);
    const store = auth.portal.store(type);
    const page: DbRecord[] = [];
    let nextId: number | undefined;
    for (const id of store.idsFrom(after)) {
      const record = store.get(id)!;
      if (record.archived !== archived) continue;
      if (page.length === limit) {
        nextId = id;
        break;
      }
      page.push(record);
    }
    const options = {
      properties: listParam(query.properties),
      propertiesWithHistory: listParam(query.propertiesWithHistory),
      associations: associationTypesParam(query.associations),
      baseUrl: ctx.baseUrl,
    };
    const body: Record<string, unknown> = { results: page.map((r) => serializeRecord(auth.portal, type, r, options)) };
    if (nextId !== undefined) {
      const link = new URL(`${ctx.baseUrl}${request.url}`);
      link.searchParams.set('after', String(nextId));
      body.paging = { next: { after: String(nextId), link: link.toString() } };
    }
    return body;
  });

  app.post<{ Params: Params }>('/crm/v3/objects/:objectType', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: objectScopes(OBJECT_TYPES[type].scopeFamily, 'write') });
    const body = bodyObject(request);
    if (body.properties !== undefined && (typeof body.properties !== 'object' || body.properties === null || Array.isArray(body.properties))) {
      throw validationError('Invalid input JSON: properties must be an object');
    }
    const record = ctx.objects.create(
      auth.portal,
      type,
      {
        properties: (body.properties ?? {}) as Record<string, unknown>,
        associations: (body.associations ?? []) as never,
      },
      sourceOf(auth),
    );
    ctx.state.touch();
    reply.code(201);
    return fullRecord(auth.portal, type, record, ctx.baseUrl);
  });

  app.get<{ Params: Params }>('/crm/v3/objects/:objectType/:objectId', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: objectScopes(OBJECT_TYPES[type].scopeFamily, 'read') });
    const query = queryOf(request);
    const idProperty = typeof query.idProperty === 'string' ? query.idProperty : undefined;
    const record = ctx.objects.findOrThrow(auth.portal, type, request.params.objectId!, idProperty, booleanParam(query.archived));
    return serializeRecord(auth.portal, type, record, {
      properties: listParam(query.properties),
      propertiesWithHistory: listParam(query.propertiesWithHistory),
      associations: associationTypesParam(query.associations),
      baseUrl: ctx.baseUrl,
    });
  });

  app.patch<{ Params: Params }>('/crm/v3/objects/:objectType/:objectId', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: objectScopes(OBJECT_TYPES[type].scopeFamily, 'write') });
    const query = queryOf(request);
    const idProperty = typeof query.idProperty === 'string' ? query.idProperty : undefined;
    const record = ctx.objects.findOrThrow(auth.portal, type, request.params.objectId!, idProperty);
    const body = bodyObject(request);
    const updated = ctx.objects.update(auth.portal, type, record, (body.properties ?? {}) as Record<string, unknown>, sourceOf(auth));
    ctx.state.touch();
    return fullRecord(auth.portal, type, updated, ctx.baseUrl);
  });

  // §2.1: GDPR delete removes the contact for good (no restore), with its associations.
  app.post('/crm/v3/objects/contacts/gdpr-delete', async (request, reply) => {
    const auth = guard(ctx, request, reply, { scopes: objectScopes('contacts', 'write') });
    const body = bodyObject(request);
    const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
    const record =
      ctx.objects.find(auth.portal, 'contacts', String(body.objectId ?? ''), idProperty) ??
      ctx.objects.find(auth.portal, 'contacts', String(body.objectId ?? ''), idProperty, true);
    if (!record) throw notFound();
    ctx.objects.archive(auth.portal, 'contacts', record, sourceOf(auth));
    auth.portal.associations.removeRecord('contacts', record.id);
    auth.portal.store('contacts').purge(record);
    ctx.state.touch();
    reply.code(204).send();
  });

  // §2.1: archive answers 204 whether or not the record exists.
  app.delete<{ Params: Params }>('/crm/v3/objects/:objectType/:objectId', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: objectScopes(OBJECT_TYPES[type].scopeFamily, 'write') });
    const record = ctx.objects.find(auth.portal, type, request.params.objectId!);
    if (record) ctx.objects.archive(auth.portal, type, record, sourceOf(auth));
    ctx.state.touch();
    reply.code(204).send();
  });
}
