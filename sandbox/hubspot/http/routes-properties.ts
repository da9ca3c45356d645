/**
 * Properties API (reference §4): definitions and groups per object type.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiError, notFound, validationError } from '../errors.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { PropertyDefinition, PropertyGroupDefinition } from '../model/property-definitions.ts';
import { formatTimestamp } from '../time-format.ts';
import { schemaScopes } from './auth.ts';
import { bodyObject, booleanParam, guard, objectTypeParam, queryOf, type SandboxContext } from './context.ts';
import { batchBody, inputsOf, standardError } from './routes-objects-batch.ts';

const optionSchema = z.object({
  label: z.string(),
  value: z.string(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().default(false),
  description: z.string().optional(),
});

const createSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'must start with a lower-case letter and contain only lower-case letters, digits and underscores')
      .max(100),
    label: z.string().min(1),
    type: z.enum(['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string']),
    fieldType: z.enum([
      'booleancheckbox',
      'calculation_equation',
      'checkbox',
      'date',
      'file',
      'html',
      'number',
      'phonenumber',
      'radio',
      'select',
      'text',
      'textarea',
    ]),
    groupName: z.string().min(1),
    description: z.string().optional(),
    options: z.array(optionSchema).optional(),
    displayOrder: z.number().int().optional(),
    hasUniqueValue: z.boolean().optional(),
    hidden: z.boolean().optional(),
    formField: z.boolean().optional(),
    externalOptions: z.boolean().optional(),
    referencedObjectType: z.string().optional(),
    textDisplayHint: z.string().optional(),
    numberDisplayHint: z.string().optional(),
  })
  .passthrough();

const updateSchema = createSchema.omit({ name: true }).partial();

/**
 * Which `fieldType`s go with each `type`: the table in HubSpot's properties guide
 * (developers.hubspot.com/docs/api/crm/properties, "Property type and fieldType values"),
 * enforced by the v3 endpoints since 2021-02-01 (developers.hubspot.com/changelog/crm-object-property-validattion).
 * `phone_number` is in the spec's enum but not in the guide's table; it takes `phonenumber` or `text` (ours).
 */
export const FIELD_TYPES_BY_TYPE: Record<string, readonly string[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['booleancheckbox', 'checkbox', 'radio', 'select', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  string: ['file', 'text', 'textarea', 'calculation_equation', 'html', 'phonenumber'],
  number: ['number', 'calculation_equation'],
  phone_number: ['phonenumber', 'text'],
};

function assertFieldType(type: string, fieldType: string): void {
  const allowed = FIELD_TYPES_BY_TYPE[type] ?? [];
  if (!allowed.includes(fieldType)) {
    throw validationError(`fieldType ${fieldType} is not valid for a property of type ${type}. Valid field types: [${allowed.join(', ')}]`);
  }
}

const groupSchema = z.object({ name: z.string().regex(/^[a-z][a-z0-9_]*$/), label: z.string().min(1), displayOrder: z.number().int().optional() });

export function propertyBody(definition: PropertyDefinition): Record<string, unknown> {
  return {
    name: definition.name,
    label: definition.label,
    type: definition.type,
    fieldType: definition.fieldType,
    description: definition.description,
    groupName: definition.groupName,
    options: definition.options,
    displayOrder: definition.displayOrder,
    calculated: definition.calculated,
    externalOptions: definition.externalOptions,
    hasUniqueValue: definition.hasUniqueValue,
    hidden: definition.hidden,
    hubspotDefined: definition.hubspotDefined,
    formField: definition.formField,
    dataSensitivity: 'non_sensitive',
    modificationMetadata: {
      archivable: definition.archivable,
      readOnlyDefinition: definition.readOnlyDefinition,
      readOnlyValue: definition.readOnlyValue,
      readOnlyOptions: definition.hubspotDefined,
    },
    ...(definition.referencedObjectType ? { referencedObjectType: definition.referencedObjectType } : {}),
    ...(definition.textDisplayHint ? { textDisplayHint: definition.textDisplayHint } : {}),
    ...(definition.numberDisplayHint ? { numberDisplayHint: definition.numberDisplayHint } : {}),
    ...(definition.createdAt !== undefined ? { createdAt: formatTimestamp(definition.createdAt) } : {}),
    ...(definition.updatedAt !== undefined ? { updatedAt: formatTimestamp(definition.updatedAt) } : {}),
    archived: definition.archived,
    ...(definition.archivedAt !== undefined ? { archivedAt: formatTimestamp(definition.archivedAt) } : {}),
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw validationError(`Invalid input JSON: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

function groupBody(group: PropertyGroupDefinition): Record<string, unknown> {
  return { name: group.name, label: group.label, displayOrder: group.displayOrder, archived: group.archived };
}

export function registerPropertyRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  type P = { Params: { objectType: string; propertyName: string; groupName: string } };
  const scopes = (type: ObjectTypeName, access: 'read' | 'write') => schemaScopes(OBJECT_TYPES[type].scopeFamily, access);
  const now = () => ctx.state.clock.now();

  app.get<P>('/crm/v3/properties/:objectType', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'read') });
    return { results: auth.portal.properties.list(type, booleanParam(queryOf(request).archived)).map(propertyBody) };
  });

  app.post<P>('/crm/v3/properties/:objectType', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'write') });
    const input = parse(createSchema, request.body);
    const registry = auth.portal.properties;
    assertFieldType(input.type, input.fieldType);
    if (registry.get(type, input.name)) throw apiError(409, 'OBJECT_ALREADY_EXISTS', `Property named '${input.name}' already exists.`);
    if (!registry.group(type, input.groupName)) throw validationError(`Property group '${input.groupName}' does not exist.`);
    if (input.type === 'enumeration' && !input.externalOptions && (input.options ?? []).length === 0 && input.fieldType !== 'booleancheckbox') {
      throw validationError(`Enumeration property '${input.name}' needs at least one option.`);
    }
    const definition: PropertyDefinition = {
      name: input.name,
      label: input.label,
      type: input.type,
      fieldType: input.fieldType,
      groupName: input.groupName,
      description: input.description ?? '',
      displayOrder: input.displayOrder ?? -1,
      hasUniqueValue: input.hasUniqueValue ?? false,
      hidden: input.hidden ?? false,
      formField: input.formField ?? false,
      hubspotDefined: false,
      calculated: false,
      externalOptions: input.externalOptions ?? false,
      readOnlyValue: false,
      readOnlyDefinition: false,
      archivable: true,
      options: (input.options ?? []).map((o, i) => ({
        label: o.label,
        value: o.value,
        displayOrder: o.displayOrder ?? i,
        hidden: o.hidden,
        ...(o.description ? { description: o.description } : {}),
      })),
      referencedObjectType: input.referencedObjectType,
      textDisplayHint: input.textDisplayHint,
      numberDisplayHint: input.numberDisplayHint,
      createdAt: now(),
      updatedAt: now(),
      archived: false,
    };
    registry.add(type, definition);
    auth.portal.store(type).dropIndexes(definition.name);
    ctx.state.touch();
    reply.code(201).header('location', `${ctx.baseUrl}/crm/v3/properties/${request.params.objectType}/${definition.name}`);
    return propertyBody(definition);
  });

  app.post<P>('/crm/v3/properties/:objectType/batch/read', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'read') });
    const startedAt = now();
    const body = bodyObject(request);
    const inputs = inputsOf(body, 1000);
    const archived = body.archived === true;
    const found: PropertyDefinition[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const definition = auth.portal.properties.get(type, String(input.name ?? ''));
      if (definition && definition.archived === archived) found.push(definition);
      else missing.push(String(input.name ?? ''));
    }
    const errors = missing.length > 0 ? [standardError('OBJECT_NOT_FOUND', 'Could not find some properties.', { names: missing })] : [];
    if (errors.length > 0) reply.code(207);
    return batchBody(startedAt, now(), found.map(propertyBody), errors);
  });

  app.get<P>('/crm/v3/properties/:objectType/groups', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'read') });
    return { results: auth.portal.properties.listGroups(type).map(groupBody) };
  });

  app.post<P>('/crm/v3/properties/:objectType/groups', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'write') });
    const input = parse(groupSchema, request.body);
    if (auth.portal.properties.group(type, input.name)) throw apiError(409, 'OBJECT_ALREADY_EXISTS', `Property group '${input.name}' already exists.`);
    const group: PropertyGroupDefinition = { name: input.name, label: input.label, displayOrder: input.displayOrder ?? -1, archived: false };
    auth.portal.properties.putGroup(type, group);
    ctx.state.touch();
    // The spec declares Location on this 201, as on property creation.
    reply.code(201).header('location', `${ctx.baseUrl}/crm/v3/properties/${request.params.objectType}/groups/${group.name}`);
    return groupBody(group);
  });

  app.get<P>('/crm/v3/properties/:objectType/groups/:groupName', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'read') });
    const group = auth.portal.properties.group(type, request.params.groupName);
    if (!group || group.archived) throw notFound(`Property group '${request.params.groupName}' does not exist.`);
    return groupBody(group);
  });

  app.get<P>('/crm/v3/properties/:objectType/:propertyName', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'read') });
    const definition = auth.portal.properties.get(type, request.params.propertyName);
    if (!definition || definition.archived !== booleanParam(queryOf(request).archived))
      throw notFound(`Property ${request.params.propertyName} does not exist`);
    return propertyBody(definition);
  });

  app.patch<P>('/crm/v3/properties/:objectType/:propertyName', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'write') });
    const definition = auth.portal.properties.get(type, request.params.propertyName);
    if (!definition || definition.archived) throw notFound(`Property ${request.params.propertyName} does not exist`);
    if (definition.readOnlyDefinition) throw validationError(`Property ${definition.name} is a HubSpot-defined property and its definition cannot be changed.`);
    const input = parse(updateSchema, request.body);
    if (input.type !== undefined || input.fieldType !== undefined) assertFieldType(input.type ?? definition.type, input.fieldType ?? definition.fieldType);
    // Search indexes key values by type (numbers, text ignoring case, enumerations as stored).
    if (input.type !== undefined && input.type !== definition.type) auth.portal.store(type).dropIndexes(definition.name);
    Object.assign(definition, {
      ...Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k !== 'options')),
      ...(input.options
        ? { options: input.options.map((o, i) => ({ label: o.label, value: o.value, displayOrder: o.displayOrder ?? i, hidden: o.hidden })) }
        : {}),
      updatedAt: now(),
    });
    ctx.state.touch();
    return propertyBody(definition);
  });

  app.delete<P>('/crm/v3/properties/:objectType/:propertyName', async (request, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const auth = guard(ctx, request, reply, { scopes: scopes(type, 'write') });
    const definition = auth.portal.properties.get(type, request.params.propertyName);
    if (!definition || definition.archived) throw notFound(`Property ${request.params.propertyName} does not exist`);
    if (!definition.archivable) throw validationError(`Property ${definition.name} is a HubSpot-defined property and cannot be archived.`);
    definition.archived = true;
    definition.archivedAt = now();
    ctx.state.touch();
    reply.code(204).send();
  });
}
