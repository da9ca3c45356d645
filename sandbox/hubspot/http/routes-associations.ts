/**
 * Associations v4 (reference §6) and association labels (schema API). Requests carry
 * `associationCategory/associationTypeId`; responses `category/typeId/label` (§6 asymmetry).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseSpec } from '../crm/association-inputs.ts';
import type { AssociationService } from '../crm/association-service.ts';
import { validationError } from '../errors.ts';
import { defaultAssociationType, type AssociationTypeDefinition } from '../model/association-types.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import { objectScopes, type AuthInfo } from './auth.ts';
import { bodyObject, guard, objectTypeParam, queryOf, type SandboxContext } from './context.ts';
import { batchBody, inputsOf, standardError } from './routes-objects-batch.ts';
import { sourceOf } from './routes-objects.ts';

export function specWithLabel(d: AssociationTypeDefinition): Record<string, unknown> {
  return { category: d.category, typeId: d.typeId, label: d.label };
}

/** `inputs[i].from.id` and friends: a missing id is a 400, never a silent no-op. */
function idAt(input: Record<string, unknown>, side: 'from' | 'to'): number {
  const id = (input[side] as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw validationError(`Invalid input JSON: ${side}.id is required`);
  return Number(id);
}

function existing(portal: Portal, type: ObjectTypeName, id: unknown): number {
  const text = String(id ?? '');
  const record = /^\d+$/.test(text) ? portal.store(type).get(Number(text)) : undefined;
  if (!record || record.archived) throw validationError(`No ${OBJECT_TYPES[type].singular} with id ${text || 'null'} exists.`);
  return record.id;
}

function definitionFor(portal: Portal, from: ObjectTypeName, to: ObjectTypeName, spec: unknown): AssociationTypeDefinition {
  const { category, typeId } = parseSpec((spec ?? {}) as Record<string, unknown>);
  const definition = portal.associations.definition(from, to, category, typeId);
  if (!definition)
    throw validationError(`${category} association type ${typeId} is not valid between ${OBJECT_TYPES[from].singular} and ${OBJECT_TYPES[to].singular}.`);
  return definition;
}

function defaultFor(from: ObjectTypeName, to: ObjectTypeName): AssociationTypeDefinition {
  const definition = defaultAssociationType(from, to);
  if (!definition) throw validationError(`${OBJECT_TYPES[from].singular} and ${OBJECT_TYPES[to].singular} have no default association type.`);
  return definition;
}

function defaultResults(from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number): unknown[] {
  const forward = defaultFor(from, to);
  const back = defaultFor(to, from);
  return [
    { from: { id: String(fromId) }, to: { id: String(toId) }, associationSpec: { associationCategory: forward.category, associationTypeId: forward.typeId } },
    { from: { id: String(toId) }, to: { id: String(fromId) }, associationSpec: { associationCategory: back.category, associationTypeId: back.typeId } },
  ];
}

function labelsPair(portal: Portal, from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number): Record<string, unknown> {
  const edge = portal.associations.list(from, fromId, to).find((e) => e.toId === toId);
  return {
    fromObjectTypeId: OBJECT_TYPES[from].typeId,
    fromObjectId: String(fromId),
    toObjectTypeId: OBJECT_TYPES[to].typeId,
    toObjectId: String(toId),
    labels: (edge?.types ?? []).map((t) => t.label).filter((l): l is string => l !== null),
  };
}

function readScopes(type: ObjectTypeName) {
  return objectScopes(OBJECT_TYPES[type].scopeFamily, 'read');
}

export function registerAssociationRoutes(app: FastifyInstance, ctx: SandboxContext, associations: AssociationService): void {
  type Single = { Params: { fromType: string; fromId: string; toType: string; toId: string } };
  type Batch = { Params: { fromType: string; toType: string } };
  const types = (p: { fromType: string; toType: string }) => [objectTypeParam(p.fromType), objectTypeParam(p.toType)] as const;
  const write = (type: ObjectTypeName) => objectScopes(OBJECT_TYPES[type].scopeFamily, 'write');
  const now = () => ctx.state.clock.now();
  const done = () => ctx.state.touch();

  app.put<Single>('/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: write(from) });
    const startedAt = now();
    const fromId = existing(auth.portal, from, request.params.fromId);
    const toId = existing(auth.portal, to, request.params.toId);
    associations.add(auth.portal, from, fromId, to, toId, defaultFor(from, to), sourceOf(auth));
    done();
    return batchBody(startedAt, now(), defaultResults(from, fromId, to, toId), []);
  });

  app.put<Single>('/crm/v4/objects/:fromType/:fromId/associations/:toType/:toId', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: write(from) });
    if (!Array.isArray(request.body)) throw validationError('Invalid input JSON: expected an array of association specs');
    const fromId = existing(auth.portal, from, request.params.fromId);
    const toId = existing(auth.portal, to, request.params.toId);
    const definitions = request.body.map((spec) => definitionFor(auth.portal, from, to, spec));
    for (const d of definitions) associations.add(auth.portal, from, fromId, to, toId, d, sourceOf(auth));
    done();
    // The spec declares a Location header on this 201; its value here (the pair's own path) is ours.
    reply.code(201).header('location', `${ctx.baseUrl}${request.url.split('?')[0]}`);
    return labelsPair(auth.portal, from, fromId, to, toId);
  });

  app.get<Single>('/crm/v4/objects/:fromType/:fromId/associations/:toType', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: readScopes(from) });
    const query = queryOf(request);
    const limit = query.limit === undefined ? ctx.limits.associationsPageSize : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > ctx.limits.associationsPageSize)
      throw validationError(`limit must be between 1 and ${ctx.limits.associationsPageSize}.`);
    const after = query.after === undefined ? 0 : Number(query.after);
    const page = pageOfAssociations(auth, from, Number(request.params.fromId), to, after, limit);
    return {
      results: page.results,
      ...(page.next !== undefined ? { paging: { next: { after: page.next, link: `${ctx.baseUrl}${request.url.split('?')[0]}?after=${page.next}` } } } : {}),
    };
  });

  app.delete<Single>('/crm/v4/objects/:fromType/:fromId/associations/:toType/:toId', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: write(from) });
    associations.removeAll(auth.portal, from, Number(request.params.fromId), to, Number(request.params.toId), sourceOf(auth));
    done();
    reply.code(204).send();
  });

  app.post<Batch>('/crm/v4/associations/:fromType/:toType/batch/associate/default', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: write(from) });
    const startedAt = now();
    const inputs = inputsOf(bodyObject(request), 2000);
    const pairs = inputs.map(
      (i) => [existing(auth.portal, from, (i.from as { id?: unknown })?.id), existing(auth.portal, to, (i.to as { id?: unknown })?.id)] as const,
    );
    const results = pairs.flatMap(([fromId, toId]) => {
      associations.add(auth.portal, from, fromId, to, toId, defaultFor(from, to), sourceOf(auth));
      return defaultResults(from, fromId, to, toId);
    });
    done();
    return batchBody(startedAt, now(), results, []);
  });

  app.post<Batch>('/crm/v4/associations/:fromType/:toType/batch/create', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: write(from) });
    const startedAt = now();
    const inputs = inputsOf(bodyObject(request), 2000);
    const work = inputs.map((i) => ({
      fromId: existing(auth.portal, from, (i.from as { id?: unknown })?.id),
      toId: existing(auth.portal, to, (i.to as { id?: unknown })?.id),
      definitions: (Array.isArray(i.types) ? i.types : []).map((spec) => definitionFor(auth.portal, from, to, spec)),
    }));
    const results = work.map(({ fromId, toId, definitions }) => {
      for (const d of definitions) associations.add(auth.portal, from, fromId, to, toId, d, sourceOf(auth));
      return labelsPair(auth.portal, from, fromId, to, toId);
    });
    done();
    reply.code(201);
    return batchBody(startedAt, now(), results, []);
  });

  app.post<Batch>('/crm/v4/associations/:fromType/:toType/batch/read', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: readScopes(from) });
    const startedAt = now();
    const inputs = inputsOf(bodyObject(request), ctx.limits.batchInputs);
    const results: unknown[] = [];
    const errors: ReturnType<typeof standardError>[] = [];
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const page = pageOfAssociations(auth, from, Number(id), to, Number(input.after ?? 0), ctx.limits.associationsPageSize);
      if (page.results.length === 0) {
        // Observed 207 entry (docs/sandbox/hubspot.md): integrations key on this subCategory.
        errors.push(
          standardError(
            'OBJECT_NOT_FOUND',
            `No ${OBJECT_TYPES[to].singular} is associated with ${OBJECT_TYPES[from].singular} ${id}.`,
            { fromObjectId: [id], fromObjectType: [OBJECT_TYPES[from].singular], toObjectType: [OBJECT_TYPES[to].singular] },
            'crm.associations.NO_ASSOCIATIONS_FOUND',
          ),
        );
        continue;
      }
      results.push({ from: { id }, to: page.results, ...(page.next !== undefined ? { paging: { next: { after: page.next } } } : {}) });
    }
    if (errors.length > 0) reply.code(207);
    return batchBody(startedAt, now(), results, errors);
  });

  app.post<Batch>('/crm/v4/associations/:fromType/:toType/batch/archive', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: write(from) });
    for (const input of inputsOf(bodyObject(request), 2000)) {
      const fromId = idAt(input, 'from');
      if (!Array.isArray(input.to)) throw validationError('Invalid input JSON: to must be an array');
      for (const target of input.to) associations.removeAll(auth.portal, from, fromId, to, idAt({ to: target }, 'to'), sourceOf(auth));
    }
    done();
    reply.code(204).send();
  });

  app.post<Batch>('/crm/v4/associations/:fromType/:toType/batch/labels/archive', async (request, reply) => {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: write(from) });
    for (const input of inputsOf(bodyObject(request), 2000)) {
      const fromId = idAt(input, 'from');
      const toId = idAt(input, 'to');
      const typeIds = (Array.isArray(input.types) ? input.types : []).map((spec) => definitionFor(auth.portal, from, to, spec).typeId);
      associations.removeTypes(auth.portal, from, fromId, to, toId, typeIds, sourceOf(auth));
    }
    done();
    reply.code(204).send();
  });

  // The schema spec's path is /crm/associations/v4/…; HubSpot's associations v4 guide (and
  // integrations following it) read and create labels under /crm/v4/associations/… — both are served.
  for (const prefix of ['/crm/associations/v4', '/crm/v4/associations']) {
    app.get<Batch>(`${prefix}/:fromType/:toType/labels`, async (request, reply) => {
      const [from, to] = types(request.params);
      const auth = guard(ctx, request, reply, { scopes: readScopes(from) });
      return { results: auth.portal.associations.labelsBetween(from, to).map(specWithLabel) };
    });
    app.post<Batch>(`${prefix}/:fromType/:toType/labels`, createLabel);
  }

  async function createLabel(request: FastifyRequest<Batch>, reply: FastifyReply) {
    const [from, to] = types(request.params);
    const auth = guard(ctx, request, reply, { scopes: [[`crm.schemas.${OBJECT_TYPES[from].scopeFamily}.write`]] });
    const body = bodyObject(request);
    if (typeof body.label !== 'string' || body.label === '' || typeof body.name !== 'string' || body.name === '') {
      throw validationError('Invalid input JSON: label and name are required');
    }
    const created = auth.portal.associations.createLabel(from, to, body.label, typeof body.inverseLabel === 'string' ? body.inverseLabel : undefined);
    done();
    return { results: created.map(specWithLabel) };
  }
}

function pageOfAssociations(auth: AuthInfo, from: ObjectTypeName, fromId: number, to: ObjectTypeName, after: number, limit: number) {
  const edges = auth.portal.associations.list(from, fromId, to).filter((e) => {
    const target = auth.portal.store(to).get(e.toId);
    return target !== undefined && !target.archived && e.toId >= after;
  });
  // `toObjectId` is a JSON number in HubSpot's answers (a 2026 batch-read capture in amp-labs/connectors,
  // providers/hubspot/test/search/contacts/contacts-to-companies.json), though the v4 spec says string.
  const results = edges.slice(0, limit).map((e) => ({ toObjectId: e.toId, associationTypes: e.types.map(specWithLabel) }));
  return { results, next: edges.length > limit ? String(edges[limit].toId) : undefined };
}
