/**
 * Inline associations on create (reference §2.3) and v4 `AssociationSpec`s (§6):
 * a type id is only meaningful together with the source object type, so the
 * target type is found from the pair definition.
 */
import { validationError } from '../errors.ts';
import type { AssociationCategory, AssociationTypeDefinition } from '../model/association-types.ts';
import { OBJECT_TYPE_NAMES, OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';

export interface AssociationInput {
  to?: { id?: unknown };
  types?: Array<{ associationCategory?: unknown; associationTypeId?: unknown }>;
}

export interface ResolvedAssociation {
  toType: ObjectTypeName;
  toId: number;
  definition: AssociationTypeDefinition;
}

const CATEGORIES = new Set(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED', 'WORK']);

/** Finds the definition of `typeId` leaving `from`, whatever the target type is. */
export function definitionFromSource(
  portal: Portal,
  from: ObjectTypeName,
  category: AssociationCategory,
  typeId: number,
): AssociationTypeDefinition | undefined {
  for (const to of OBJECT_TYPE_NAMES) {
    const definition = portal.associations.definition(from, to, category, typeId);
    if (definition) return definition;
  }
  return undefined;
}

export function parseSpec(spec: { associationCategory?: unknown; associationTypeId?: unknown }): { category: AssociationCategory; typeId: number } {
  const category = String(spec.associationCategory ?? '');
  const typeId = Number(spec.associationTypeId);
  if (!CATEGORIES.has(category)) throw validationError(`Invalid association category: ${category || 'null'}`);
  if (!Number.isInteger(typeId)) throw validationError(`Invalid association type id: ${String(spec.associationTypeId)}`);
  return { category: category as AssociationCategory, typeId };
}

export function resolveAssociationInputs(portal: Portal, from: ObjectTypeName, inputs: AssociationInput[]): ResolvedAssociation[] {
  if (!Array.isArray(inputs)) throw validationError('associations must be an array');
  const resolved: ResolvedAssociation[] = [];
  for (const input of inputs) {
    const toId = String(input?.to?.id ?? '');
    for (const spec of input?.types ?? []) {
      const { category, typeId } = parseSpec(spec);
      const definition = definitionFromSource(portal, from, category, typeId);
      if (!definition) {
        throw validationError(`${typeId} is not a valid association type id for ${OBJECT_TYPES[from].singular} objects.`);
      }
      const target = /^\d+$/.test(toId) ? portal.store(definition.to).get(Number(toId)) : undefined;
      if (!target || target.archived) {
        throw validationError(`Could not create associations: no ${OBJECT_TYPES[definition.to].singular} with id ${toId || 'null'} exists.`);
      }
      resolved.push({ toType: definition.to, toId: target.id, definition });
    }
  }
  return resolved;
}
