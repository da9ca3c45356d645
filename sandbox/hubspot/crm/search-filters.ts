/**
 * Compiles search filters (reference §3) into record predicates plus, where an index
 * can answer them, a plan (exact-value set or sorted-index range).
 * Semantics (UNCONFIRMED details in docs/sandbox/hubspot.md):
 * - text comparisons ignore case ("Values in filters are case-insensitive", search guide),
 *   with the guide's two exceptions: enumeration properties are case-sensitive for every
 *   operator, and IN/NOT_IN on `string` properties need their values in lower case;
 * - NEQ, NOT_IN and NOT_CONTAINS_TOKEN also match records without a value;
 * - CONTAINS_TOKEN matches a whole word (or the whole value), `*` is a wildcard;
 * - `associations.{objectType}` pseudo-properties are compiled in search-associations.ts.
 */
import { validationError } from '../errors.ts';
import { WORD_SEPARATOR, type DbRecord, type ObjectStore } from '../model/object-store.ts';
import type { ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import type { PropertyDefinition } from '../model/property-definitions.ts';
import type { IndexKey, SortedIndex } from '../model/sorted-index.ts';
import { GENERIC_SEARCH_ERROR, type SearchFilter } from './search-request.ts';

/** Candidate ids from an index; `superset` plans still need their filter's test. */
export type Plan =
  | { kind: 'exact'; ids: Set<number>; count: number; superset?: boolean }
  | { kind: 'range'; property: string; index: SortedIndex; from: number; to: number; count: number; superset?: boolean };

export interface CompiledFilter {
  filter: SearchFilter;
  test: (record: DbRecord) => boolean;
  plan?: () => Plan;
}

export function compileFilter(portal: Portal, type: ObjectTypeName, filter: SearchFilter): CompiledFilter {
  const store = portal.store(type);
  const { propertyName: property, operator } = filter;
  const definition = property === 'hs_object_id' ? undefined : portal.properties.get(type, property);
  const kind = portal.keyKind(type, property);
  const numeric = kind === 'number';
  const caseSensitive = kind === 'exact';
  const multi = definition?.type === 'enumeration' && definition.fieldType === 'checkbox';
  const keyOf = (record: DbRecord) => store.keyOf(record, property);
  const valuesOf = (record: DbRecord): IndexKey[] => {
    const key = keyOf(record);
    if (key === undefined) return [];
    return multi && typeof key === 'string' ? key.split(';') : [key];
  };
  const parse = (raw: string): IndexKey => (numeric ? parseNumber(raw, definition) : caseSensitive ? raw : raw.toLowerCase());
  const known = property === 'hs_object_id' || definition !== undefined;

  switch (operator) {
    case 'HAS_PROPERTY':
      return { filter, test: (r) => keyOf(r) !== undefined };
    case 'NOT_HAS_PROPERTY':
      return { filter, test: (r) => keyOf(r) === undefined };
    case 'EQ': {
      const target = parse(filter.value!);
      return {
        filter,
        test: (r) => valuesOf(r).some((v) => v === target),
        plan: known && !multi ? () => (numeric ? rangePlan(store, property, 'EQ', target) : exactPlan(store, property, [target])) : undefined,
      };
    }
    case 'NEQ': {
      const target = parse(filter.value!);
      return { filter, test: (r) => !valuesOf(r).some((v) => v === target) };
    }
    case 'IN':
    case 'NOT_IN': {
      const exactCase = caseSensitive || (!numeric && definition?.type === 'string');
      const targets = new Set<IndexKey>(filter.values!.map((v) => (exactCase ? v : parse(v))));
      const hit = (r: DbRecord) => valuesOf(r).some((v) => targets.has(v));
      if (operator === 'NOT_IN') return { filter, test: (r) => !hit(r) };
      return { filter, test: hit, plan: known && !multi ? () => exactPlan(store, property, [...targets]) : undefined };
    }
    case 'GT':
    case 'GTE':
    case 'LT':
    case 'LTE': {
      const target = parse(filter.value!);
      const compare = (v: IndexKey) => compareValues(v, target);
      const ok = { GT: (c: number) => c > 0, GTE: (c: number) => c >= 0, LT: (c: number) => c < 0, LTE: (c: number) => c <= 0 }[operator];
      return {
        filter,
        test: (r) => valuesOf(r).some((v) => ok(compare(v))),
        plan: numeric && known ? () => rangePlan(store, property, operator, target) : undefined,
      };
    }
    case 'BETWEEN': {
      const low = parse(filter.value!);
      const high = parse(filter.highValue!);
      return {
        filter,
        test: (r) => valuesOf(r).some((v) => compareValues(v, low) >= 0 && compareValues(v, high) <= 0),
        plan: numeric && known ? () => betweenPlan(store, property, low, high) : undefined,
      };
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const matches = tokenMatcher(filter.value!, caseSensitive);
      const hit = (r: DbRecord) => {
        const raw = property === 'hs_object_id' ? String(r.id) : r.properties[property];
        return raw !== undefined && matches(raw);
      };
      if (operator === 'NOT_CONTAINS_TOKEN') return { filter, test: (r) => !hit(r) };
      return {
        filter,
        test: hit,
        plan: known && !numeric && property !== 'hs_object_id' ? tokenPlan(store, property, filter.value!, caseSensitive) : undefined,
      };
    }
  }
}

export function compareValues(a: IndexKey, b: IndexKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Numbers as given; dates/datetimes as ms epoch or ISO-8601 (§2.4). */
export function parseNumber(raw: string, definition: PropertyDefinition | undefined): number {
  const text = raw.trim();
  let value = Number.NaN;
  if (/^-?\d+(\.\d+)?$/.test(text)) value = Number(text);
  else if ((definition?.type === 'datetime' || definition?.type === 'date') && /^\d{4}-\d{2}-\d{2}/.test(text)) {
    value = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  }
  if (Number.isNaN(value)) throw validationError(GENERIC_SEARCH_ERROR);
  return value;
}

function exactPlan(store: ObjectStore, property: string, keys: IndexKey[]): Plan {
  if (keys.length === 1) {
    const ids = store.exactMatches(property, keys[0]) ?? new Set<number>();
    return { kind: 'exact', ids, count: ids.size };
  }
  const ids = new Set<number>();
  for (const key of keys) for (const id of store.exactMatches(property, key) ?? []) ids.add(id);
  return { kind: 'exact', ids, count: ids.size };
}

function rangePlan(store: ObjectStore, property: string, op: 'EQ' | 'GT' | 'GTE' | 'LT' | 'LTE', key: IndexKey): Plan {
  const index = store.sortedIndex(property);
  const [from, to] = index.range(op, key);
  return { kind: 'range', property, index, from, to, count: Math.max(0, to - from) };
}

function betweenPlan(store: ObjectStore, property: string, low: IndexKey, high: IndexKey): Plan {
  const index = store.sortedIndex(property);
  const from = index.range('GTE', low)[0];
  const to = index.range('LTE', high)[1];
  return { kind: 'range', property, index, from, to: Math.max(from, to), count: Math.max(0, to - from) };
}

const SEPARATOR = WORD_SEPARATOR;

/**
 * Index candidates for the common token shapes: a whole value (exact index), `*suffix`
 * (reversed-value index) and `prefix*` (sorted index); multi-word values are always
 * candidates because a single word of theirs may match. For case-sensitive (enumeration)
 * properties the reversed index, which is lower-cased, still yields a superset.
 */
function tokenPlan(store: ObjectStore, property: string, value: string, caseSensitive: boolean): (() => Plan) | undefined {
  const token = caseSensitive ? value : value.toLowerCase();
  const parts = token.split('*');
  const shape =
    parts.length === 1
      ? 'whole'
      : parts.length === 2 && parts[0] === '' && parts[1] !== ''
        ? 'suffix'
        : parts.length === 2 && parts[1] === '' && parts[0] !== ''
          ? 'prefix'
          : undefined;
  if (!shape) return undefined;
  return () => {
    const { index: reversed, spaced } = store.suffixIndex(property);
    const ids = new Set(spaced);
    if (shape === 'whole') for (const id of store.exactMatches(property, token) ?? []) ids.add(id);
    else {
      const index = shape === 'suffix' ? reversed : store.sortedIndex(property);
      const key = shape === 'suffix' ? [...parts[1].toLowerCase()].reverse().join('') : parts[0];
      const from = index.range('GTE', key)[0];
      const to = index.range('LT', `${key}\uffff`)[1];
      for (const id of index.slice(from, Math.max(from, to))) ids.add(id);
    }
    return { kind: 'exact', ids, count: ids.size, superset: true };
  };
}

/** Whitespace-separated and punctuation-separated words of a lower-cased value. */
function wordsOf(lowered: string): string[] {
  return [...lowered.split(/\s+/), ...lowered.split(/[^\p{L}\p{N}@]+/u)].filter((t) => t.length > 0);
}

/**
 * Matches the whole value or one of its words against a token with `*` wildcards.
 * Common shapes (`*digits`, `prefix*`, `*part*`) avoid regular expressions: a phone
 * look-up scans every record of a large portal.
 */
export function tokenMatcher(value: string, caseSensitive = false): (raw: string) => boolean {
  const token = caseSensitive ? value : value.toLowerCase();
  const parts = token.split('*');
  let test: (candidate: string) => boolean;
  if (parts.length === 1) test = (c) => c === token;
  else if (parts.length === 2 && parts[0] === '') test = (c) => c.endsWith(parts[1]);
  else if (parts.length === 2 && parts[1] === '') test = (c) => c.startsWith(parts[0]);
  else if (parts.length === 3 && parts[0] === '' && parts[2] === '') test = (c) => c.includes(parts[1]);
  else {
    const pattern = new RegExp(`^${parts.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'u');
    test = (c) => pattern.test(c);
  }
  // A word is a substring of the value: when `*part*` misses the whole value, it misses every word.
  const infix = parts.length === 3 && parts[0] === '' && parts[2] === '';
  return (raw) => {
    const lowered = caseSensitive ? raw : raw.toLowerCase();
    if (test(lowered)) return true;
    return !infix && SEPARATOR.test(lowered) && wordsOf(lowered).some(test);
  };
}
