/**
 * Search through associations (reference §3): the pseudo-property `associations.{objectType}`
 * filters records by the ids of the records they are associated with, e.g.
 * `{"propertyName": "associations.company", "operator": "EQ", "value": "<company id>"}` finds
 * the contacts of that company. HubSpot's search guide ("Search through associations")
 * documents `EQ` with the singular object name (`associations.contact`); public integration
 * code also uses `IN` with `values`. The emulator treats the pseudo-property as a
 * multi-valued number property holding the associated ids, so every operator works as on
 * such a property (UNCONFIRMED beyond EQ and IN, docs/sandbox/hubspot.md).
 *
 * EQ and IN are answered from the association store (the other record's edges), never by
 * scanning the searched type: "contacts of company X" costs the company's degree.
 */
import { validationError } from '../errors.ts';
import type { DbRecord } from '../model/object-store.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import type { IndexKey } from '../model/sorted-index.ts';
import { compareValues, tokenMatcher, type CompiledFilter, type Plan } from './search-filters.ts';
import { GENERIC_SEARCH_ERROR, type SearchFilter } from './search-request.ts';

export const ASSOCIATIONS_PREFIX = 'associations.';

/** The object types the guide's singular names stand for (`associations.contact` → contacts). */
const BY_SINGULAR = new Map(Object.values(OBJECT_TYPES).map((info) => [info.singular, info.name]));

export function isAssociationFilter(filter: SearchFilter): boolean {
  return filter.propertyName.startsWith(ASSOCIATIONS_PREFIX);
}

export function associationFilter(portal: Portal, type: ObjectTypeName, filter: SearchFilter): CompiledFilter {
  // Only the documented singular form names a type; anything else (`associations.contacts`,
  // custom objects, which the guide says are not supported) behaves as a property no record has.
  const target = BY_SINGULAR.get(filter.propertyName.slice(ASSOCIATIONS_PREFIX.length));
  const active = (t: ObjectTypeName, id: number) => portal.store(t).get(id)?.archived === false;
  const linked = (record: DbRecord): number[] => {
    if (!target) return [];
    return portal.associations
      .list(type, record.id, target)
      .filter((edge) => active(target, edge.toId))
      .map((edge) => edge.toId);
  };
  const id = (raw: string): number => {
    const text = raw.trim();
    if (!/^\d+$/.test(text)) throw validationError(GENERIC_SEARCH_ERROR);
    return Number(text);
  };
  /** Records of the searched type associated with the given records: the inverse edges. */
  const reversePlan = (ids: number[]): Plan => {
    const found = new Set<number>();
    if (target) {
      for (const other of ids) {
        if (!active(target, other)) continue;
        for (const edge of portal.associations.list(target, other, type)) if (active(type, edge.toId)) found.add(edge.toId);
      }
    }
    return { kind: 'exact', ids: found, count: found.size };
  };

  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return { filter, test: (r) => linked(r).length > 0 };
    case 'NOT_HAS_PROPERTY':
      return { filter, test: (r) => linked(r).length === 0 };
    case 'EQ': {
      const wanted = id(filter.value!);
      return { filter, test: (r) => linked(r).includes(wanted), plan: () => reversePlan([wanted]) };
    }
    case 'NEQ': {
      const unwanted = id(filter.value!);
      return { filter, test: (r) => !linked(r).includes(unwanted) };
    }
    case 'IN':
    case 'NOT_IN': {
      const wanted = filter.values!.map(id);
      const set = new Set(wanted);
      const hit = (r: DbRecord) => linked(r).some((other) => set.has(other));
      if (filter.operator === 'NOT_IN') return { filter, test: (r) => !hit(r) };
      return { filter, test: hit, plan: () => reversePlan(wanted) };
    }
    case 'GT':
    case 'GTE':
    case 'LT':
    case 'LTE': {
      const bound: IndexKey = id(filter.value!);
      const ok = { GT: (c: number) => c > 0, GTE: (c: number) => c >= 0, LT: (c: number) => c < 0, LTE: (c: number) => c <= 0 }[filter.operator];
      return { filter, test: (r) => linked(r).some((other) => ok(compareValues(other, bound))) };
    }
    case 'BETWEEN': {
      const low = id(filter.value!);
      const high = id(filter.highValue!);
      return { filter, test: (r) => linked(r).some((other) => other >= low && other <= high) };
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const matches = tokenMatcher(filter.value!);
      const hit = (r: DbRecord) => linked(r).some((other) => matches(String(other)));
      return { filter, test: filter.operator === 'CONTAINS_TOKEN' ? hit : (r) => !hit(r) };
    }
  }
}
