/**
 * Runs a CRM search (reference §3) against a portal's indexes.
 * Filter groups are ORed, filters inside a group ANDed. Only the first sort counts
 * (§3: "only one sort honored"); without one, results come in record-id order.
 * Records lacking the sort property come last in both directions.
 * The hot path — a range filter on the property the results are sorted by — is a
 * binary search plus a slice, whatever the portal's size.
 */
import type { DbRecord, ObjectStore } from '../model/object-store.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import { compareKeys } from '../model/sorted-index.ts';
import { associationFilter, isAssociationFilter } from './search-associations.ts';
import { compileFilter, type CompiledFilter, type Plan } from './search-filters.ts';
import type { SearchRequest } from './search-request.ts';

export interface SearchResult {
  total: number;
  records: DbRecord[];
}

/** Candidate sets up to this size are sorted in memory rather than walked through an index. */
const SMALL = 5000;

export function runSearch(portal: Portal, type: ObjectTypeName, request: SearchRequest): SearchResult {
  const store = portal.store(type);
  const groups = request.filterGroups.map((filters) =>
    filters.map((f) => (isAssociationFilter(f) ? associationFilter(portal, type, f) : compileFilter(portal, type, f))),
  );
  const query = request.query ? compileQuery(portal, type, request.query) : undefined;
  const sort = request.sort ? { property: request.sort.propertyName, descending: request.sort.direction === 'DESCENDING' } : undefined;
  const page = new Paginator(request.after, request.limit);

  if (groups.length > 1) {
    const matched = new Set<number>();
    for (const group of groups) for (const id of matchGroup(store, group, query)) matched.add(id);
    emitOrdered(store, matched, sort, page);
    return page.result(store);
  }

  const filters = groups[0] ?? [];
  const chosen = choosePlan(filters);
  const residual = filters.filter((f) => f.filter !== chosen?.filter || chosen.plan.superset).map((f) => f.test);
  if (query) residual.push(query);
  const plan = chosen?.plan;

  // Ordered sources where the plan already yields the final order.
  let source: Iterable<number> | undefined;
  let knownCount: number | undefined;
  if (plan?.kind === 'range' && ((sort && plan.property === sort.property) || (!sort && plan.property === 'hs_object_id'))) {
    source = plan.index.slice(plan.from, plan.to, sort?.descending ?? false);
    knownCount = plan.count;
  } else if (!plan && !sort) {
    source = activeIds(store);
    knownCount = store.activeCount;
  } else if (plan && (plan.count <= SMALL || !sort)) {
    const ids = [...planIds(plan)].filter((id) => residual.every((test) => test(store.get(id)!)));
    emitOrdered(store, ids, sort, page);
    return page.result(store);
  } else if (sort) {
    source = sortedWithMissing(store, sort.property, sort.descending);
    if (plan) residual.unshift(chosen!.test);
    knownCount = residual.length === 0 ? store.activeCount : undefined;
  }

  if (residual.length === 0 && knownCount !== undefined) page.skipCounted(source!, knownCount);
  else for (const id of source!) if (residual.every((test) => test(store.get(id)!))) page.offer(id);
  return page.result(store);
}

class Paginator {
  total = 0;
  readonly ids: number[] = [];
  private readonly after: number;
  private readonly limit: number;

  constructor(after: number, limit: number) {
    this.after = after;
    this.limit = limit;
  }

  offer(id: number): void {
    if (this.total >= this.after && this.ids.length < this.limit) this.ids.push(id);
    this.total++;
  }

  /** The source holds exactly `count` matches: take the page and stop early. */
  skipCounted(source: Iterable<number>, count: number): void {
    let position = 0;
    for (const id of source) {
      if (position >= this.after + this.limit) break;
      if (position >= this.after) this.ids.push(id);
      position++;
    }
    this.total = count;
  }

  result(store: ObjectStore): SearchResult {
    return { total: this.total, records: this.ids.map((id) => store.get(id)!) };
  }
}

function choosePlan(filters: CompiledFilter[]): { filter: SearchFilter; plan: Plan; test: (r: DbRecord) => boolean } | undefined {
  let best: { filter: SearchFilter; plan: Plan; test: (r: DbRecord) => boolean } | undefined;
  for (const compiled of filters) {
    if (!compiled.plan) continue;
    const plan = compiled.plan();
    if (!best || plan.count < best.plan.count) best = { filter: compiled.filter, plan, test: compiled.test };
  }
  return best;
}

type SearchFilter = CompiledFilter['filter'];

function* planIds(plan: Plan): Generator<number> {
  if (plan.kind === 'exact') yield* plan.ids;
  else yield* plan.index.slice(plan.from, plan.to);
}

function* activeIds(store: ObjectStore): Generator<number> {
  for (const record of store.activeRecords()) yield record.id;
}

function matchGroup(store: ObjectStore, group: CompiledFilter[], query?: (r: DbRecord) => boolean): number[] {
  const chosen = choosePlan(group);
  const tests = group.filter((f) => f.filter !== chosen?.filter || chosen.plan.superset).map((f) => f.test);
  if (query) tests.push(query);
  const ids: number[] = [];
  if (!chosen) {
    store.forEachActive((record) => {
      if (tests.every((test) => test(record))) ids.push(record.id);
    });
    return ids;
  }
  for (const id of planIds(chosen.plan)) if (tests.every((test) => test(store.get(id)!))) ids.push(id);
  return ids;
}

/** Emits a known set of matches in the requested order. */
function emitOrdered(store: ObjectStore, ids: Iterable<number>, sort: { property: string; descending: boolean } | undefined, page: Paginator): void {
  const list = Array.isArray(ids) ? ids : [...ids];
  if (sort && list.length > SMALL) {
    const wanted = new Set(list);
    for (const id of sortedWithMissing(store, sort.property, sort.descending)) if (wanted.has(id)) page.offer(id);
    return;
  }
  if (!sort) list.sort((a, b) => a - b);
  else {
    const keys = new Map(list.map((id) => [id, store.keyOf(store.get(id)!, sort.property)]));
    list.sort((a, b) => {
      const ka = keys.get(a);
      const kb = keys.get(b);
      if (ka === undefined || kb === undefined) return ka === kb ? a - b : ka === undefined ? 1 : -1;
      const c = compareKeys(ka, kb) || a - b;
      return sort.descending ? -c : c;
    });
  }
  for (const id of list) page.offer(id);
}

/** Index order for the sort property, then records without a value in id order. */
function* sortedWithMissing(store: ObjectStore, property: string, descending: boolean): Generator<number> {
  const index = store.sortedIndex(property);
  yield* index.slice(0, index.size, descending);
  for (const record of store.activeRecords()) if (store.keyOf(record, property) === undefined) yield record.id;
}

/**
 * §3 `query`: every word must prefix-match a word of one of the type's default
 * searchable properties (UNCONFIRMED property lists, docs/sandbox/hubspot.md).
 */
function compileQuery(portal: Portal, type: ObjectTypeName, query: string): (record: DbRecord) => boolean {
  // Case-insensitive, word-start matches; a plain (non-`u`) regex keeps the full scan cheap.
  const terms = query
    .split(/\s+/)
    .filter(Boolean)
    .map((term) => new RegExp(`(?:^|[\\s.,;:@_()/+\\-])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i'));
  const properties = OBJECT_TYPES[type].queryProperties.filter((p) => portal.properties.get(type, p));
  return (record) =>
    terms.every((term) =>
      properties.some((p) => {
        const value = record.properties[p];
        return value !== undefined && term.test(value);
      }),
    );
}
