/**
 * CRM v3 batch endpoints (reference §2.1): read, create, update, upsert, archive.
 * At most `batchInputs` (100) inputs. A bad input fails the whole batch unless every
 * input carries a unique `objectWriteTraceId`, in which case HubSpot answers 207 with
 * per-input errors (§2.1 "Multi-status").
 */
import type { FastifyInstance } from 'fastify';
import type { PreparedCreate } from '../crm/object-service.ts';
import { listParam, serializeRecord } from '../crm/serialize.ts';
import { HubSpotApiError, tooManyBatchInputs, validationError } from '../errors.ts';
import { problemsOf, propertyValuesError, type PropertyValidationResult } from '../model/property-values.ts';
import type { DbRecord } from '../model/object-store.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import { formatTimestamp } from '../time-format.ts';
import { objectScopes } from './auth.ts';
import { bodyObject, booleanParam, guard, objectTypeParam, queryOf, type SandboxContext } from './context.ts';
import { fullRecord, sourceOf } from './routes-objects.ts';

type Params = { objectType: string };
type Input = Record<string, unknown>;

export interface StandardErrorBody {
  status: 'error';
  category: string;
  subCategory?: string;
  message: string;
  context: Record<string, string[]>;
  errors: unknown[];
  links: Record<string, string>;
}

export function standardError(category: string, message: string, context: Record<string, string[]>, subCategory?: string): StandardErrorBody {
  return { status: 'error', category, ...(subCategory ? { subCategory } : {}), message, context, errors: [], links: {} };
}

export function inputsOf(body: Record<string, unknown>, max: number): Input[] {
  if (!Array.isArray(body.inputs)) throw validationError('Invalid input JSON: inputs must be an array');
  if (body.inputs.length > max) throw tooManyBatchInputs(max);
  return body.inputs.map((input) => (input && typeof input === 'object' ? (input as Input) : {}));
}

/** The batch envelope; `errors` switches it to the 207 shape. */
export function batchBody(startedAt: number, completedAt: number, results: unknown[], errors: StandardErrorBody[]): Record<string, unknown> {
  return {
    status: 'COMPLETE',
    results,
    ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
    startedAt: formatTimestamp(startedAt),
    completedAt: formatTimestamp(completedAt),
  };
}

function uniqueTraceIds(inputs: Input[]): boolean {
  const ids = inputs.map((i) => i.objectWriteTraceId);
  return ids.every((id) => typeof id === 'string' && id.length > 0) && new Set(ids).size === ids.length;
}

function asStandard(error: HubSpotApiError, traceId: string): StandardErrorBody {
  const body = error.body('');
  return standardError(String(body.category ?? 'VALIDATION_ERROR'), error.message, { objectWriteTraceId: [traceId], ...error.batchContext });
}

/** Observed 400 (amp-labs/connectors capture err-duplicate-ids.json): the message and `context.ids`. */
function assertUniqueIds(inputs: Input[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const input of inputs) {
    const id = String(input.id ?? '');
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  if (duplicates.size > 0) {
    throw validationError(`Duplicate IDs found in batch input: [${[...duplicates].join(', ')}]. IDs must be unique`, { context: { ids: [...duplicates] } });
  }
}

/** HubSpot's 207 entry for ids that match nothing, worded as in its captured batch read/update answers. */
function objectsNotFound(type: ObjectTypeName, ids: string[]): StandardErrorBody {
  return standardError(
    'OBJECT_NOT_FOUND',
    `Could not get some ${OBJECT_TYPES[type].singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    { ids },
  );
}

/**
 * Runs `prepare` on every input; bad property values of all inputs end in one 400 listing
 * every problem, as HubSpot's captured batch create/update answers do (amp-labs/connectors,
 * err-many-invalid-properties.json). Any other error stops the batch at once.
 */
function prepareAll<I, T>(items: I[], prepare: (item: I) => T): T[] {
  const problems: PropertyValidationResult[] = [];
  const prepared: T[] = [];
  for (const item of items) {
    try {
      prepared.push(prepare(item));
    } catch (error) {
      const found = problemsOf(error);
      if (!found) throw error;
      problems.push(...found);
    }
  }
  if (problems.length > 0) throw propertyValuesError(problems);
  return prepared;
}

export function registerBatchRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const prefix = '/crm/v3/objects/:objectType/batch';
  const setup = (type: ObjectTypeName, access: 'read' | 'write') => objectScopes(OBJECT_TYPES[type].scopeFamily, access);

  app.post<{ Params: Params }>(`${prefix}/read`, async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: setup(type, 'read') });
    const startedAt = ctx.state.clock.now();
    const body = bodyObject(request);
    const inputs = inputsOf(body, ctx.limits.batchInputs);
    const withHistory = listParam(body.propertiesWithHistory);
    if (withHistory && inputs.length > 50) {
      throw validationError(
        'The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again',
      );
    }
    const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
    const archived = booleanParam(queryOf(request).archived);
    const found = new Map<number, DbRecord>();
    const missing: string[] = [];
    for (const input of inputs) {
      const record = ctx.objects.find(auth.portal, type, String(input.id ?? ''), idProperty, archived);
      if (record) found.set(record.id, record);
      else missing.push(String(input.id ?? ''));
    }
    const options = { properties: listParam(body.properties), propertiesWithHistory: withHistory, baseUrl: ctx.baseUrl };
    const results = [...found.values()].map((r) => serializeRecord(auth.portal, type, r, options));
    const errors = missing.length > 0 ? [objectsNotFound(type, missing)] : [];
    if (errors.length > 0) reply.code(207);
    return batchBody(startedAt, ctx.state.clock.now(), results, errors);
  });

  app.post<{ Params: Params }>(`${prefix}/create`, async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: setup(type, 'write') });
    const startedAt = ctx.state.clock.now();
    const inputs = inputsOf(bodyObject(request), ctx.limits.batchInputs);
    const partial = uniqueTraceIds(inputs);
    const errors: ReturnType<typeof standardError>[] = [];
    const emails = new Set<string>();
    const prepareOne = (input: Input): PreparedCreate => {
      const ready = ctx.objects.prepareCreate(auth.portal, type, {
        properties: (input.properties ?? {}) as Record<string, unknown>,
        associations: (input.associations ?? []) as never,
      });
      if (type === 'contacts' && ready.values.email) {
        if (emails.has(ready.values.email)) throw validationError(`Duplicate values found for unique property email in batch input: ${ready.values.email}`);
        emails.add(ready.values.email);
      }
      return ready;
    };
    const prepared: Array<{ input: Input; ready: PreparedCreate }> = partial ? [] : prepareAll(inputs, (input) => ({ input, ready: prepareOne(input) }));
    if (partial) {
      for (const input of inputs) {
        try {
          prepared.push({ input, ready: prepareOne(input) });
        } catch (error) {
          if (!(error instanceof HubSpotApiError)) throw error;
          errors.push(asStandard(error, String(input.objectWriteTraceId)));
        }
      }
    }
    const results = prepared.map(({ input, ready }) => {
      const record = ctx.objects.commitCreate(auth.portal, type, ready, sourceOf(auth));
      const body = fullRecord(auth.portal, type, record, ctx.baseUrl);
      return input.objectWriteTraceId ? { ...body, objectWriteTraceId: input.objectWriteTraceId } : body;
    });
    ctx.state.touch();
    reply.code(errors.length > 0 ? 207 : 201);
    return batchBody(startedAt, ctx.state.clock.now(), results, errors);
  });

  app.post<{ Params: Params }>(`${prefix}/update`, async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: setup(type, 'write') });
    const startedAt = ctx.state.clock.now();
    const inputs = inputsOf(bodyObject(request), ctx.limits.batchInputs);
    assertUniqueIds(inputs);
    const missing: string[] = [];
    const found: Array<{ record: DbRecord; input: Input }> = [];
    for (const input of inputs) {
      const idProperty = typeof input.idProperty === 'string' ? input.idProperty : undefined;
      const id = String(input.id ?? '');
      const record = ctx.objects.find(auth.portal, type, id, idProperty);
      // A record id that is not a number is listed as "" (captured answer, err-partial-success.json).
      if (!record) missing.push(!idProperty && !/^\d+$/.test(id) ? '' : id);
      else found.push({ record, input });
    }
    const work = prepareAll(found, ({ record, input }) => ({
      record,
      values: ctx.objects.prepareUpdate(auth.portal, type, record, (input.properties ?? {}) as Record<string, unknown>),
    }));
    const results = work.map(({ record, values }) =>
      fullRecord(auth.portal, type, ctx.objects.commitUpdate(auth.portal, type, record, values, sourceOf(auth)), ctx.baseUrl),
    );
    const errors = missing.length > 0 ? [objectsNotFound(type, missing)] : [];
    ctx.state.touch();
    if (errors.length > 0) reply.code(207);
    return batchBody(startedAt, ctx.state.clock.now(), results, errors);
  });

  app.post<{ Params: Params }>(`${prefix}/upsert`, async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: setup(type, 'write') });
    const startedAt = ctx.state.clock.now();
    const inputs = inputsOf(bodyObject(request), ctx.limits.batchInputs);
    assertUniqueIds(inputs);
    const plan = inputs.map((input) => {
      const idProperty = typeof input.idProperty === 'string' ? input.idProperty : undefined;
      const properties = (input.properties ?? {}) as Record<string, unknown>;
      const existing = ctx.objects.find(auth.portal, type, String(input.id ?? ''), idProperty);
      if (existing) return { existing, values: ctx.objects.prepareUpdate(auth.portal, type, existing, properties) };
      if (!idProperty || idProperty === 'hs_object_id')
        throw validationError(`Upsert requires idProperty to be a unique property to create ${OBJECT_TYPES[type].singular} ${String(input.id ?? '')}.`);
      return { create: ctx.objects.prepareCreate(auth.portal, type, { properties: { ...properties, [idProperty]: input.id } }) };
    });
    const results = plan.map((step) => {
      if (step.existing)
        return {
          ...fullRecord(auth.portal, type, ctx.objects.commitUpdate(auth.portal, type, step.existing, step.values, sourceOf(auth)), ctx.baseUrl),
          new: false,
        };
      return { ...fullRecord(auth.portal, type, ctx.objects.commitCreate(auth.portal, type, step.create!, sourceOf(auth)), ctx.baseUrl), new: true };
    });
    ctx.state.touch();
    return batchBody(startedAt, ctx.state.clock.now(), results, []);
  });

  app.post<{ Params: Params }>(`${prefix}/archive`, async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: setup(type, 'write') });
    const inputs = inputsOf(bodyObject(request), ctx.limits.batchInputs);
    for (const input of inputs) {
      const record = ctx.objects.find(auth.portal, type, String(input.id ?? ''));
      if (record) ctx.objects.archive(auth.portal, type, record, sourceOf(auth));
    }
    ctx.state.touch();
    reply.code(204).send();
  });
}
