/**
 * The records of one object type in one portal, with the indexes search needs:
 * - an exact-value index per property (EQ / IN, e-mail uniqueness, phone look-ups),
 * - a sorted index per property (ranges and sorts).
 * Indexes are built on first use and maintained on every write afterwards, so a
 * portal of 200,000 contacts pays the build once (docs/sandbox/hubspot.md "Performance").
 * Archived records stay in `records` but leave every index.
 */
import { SortedIndex, type IndexKey } from './sorted-index.ts';

export interface HistoryEntry {
  value: string;
  timestamp: number;
  sourceType: string;
}

export interface DbRecord {
  id: number;
  /** Only non-empty values are stored; every value is a string (§2.2). */
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  /** Previous values of properties changed after creation, newest last. */
  history?: Record<string, HistoryEntry[]>;
}

/**
 * How a property's values compare: numerically (numbers, dates), as lower-cased text, or as
 * text in its own case (`exact`: enumerations, which HubSpot's search guide says are
 * case-sensitive for every filter operator).
 */
export type KeyKind = 'number' | 'string' | 'exact';

/** Characters that split a value into words (CONTAINS_TOKEN, §3). */
export const WORD_SEPARATOR = /[^\p{L}\p{N}@]/u;

/** Reversed values, so `*suffix` tokens become a prefix range; `spaced` holds multi-word values. */
export interface SuffixIndex {
  index: SortedIndex;
  spaced: Set<number>;
}

export class ObjectStore {
  readonly records = new Map<number, DbRecord>();
  /** All ids ascending; ids are handed out in increasing order so pushes keep it sorted. */
  private readonly ids: number[] = [];
  private readonly sorted = new Map<string, SortedIndex>();
  private readonly exact = new Map<string, Map<string, Set<number>>>();
  private readonly suffix = new Map<string, SuffixIndex>();
  private nextId: number;
  private active = 0;

  private readonly keyKind: (property: string) => KeyKind;

  constructor(firstId: number, keyKind: (property: string) => KeyKind) {
    this.nextId = firstId;
    this.keyKind = keyKind;
  }

  get activeCount(): number {
    return this.active;
  }

  allocateId(): number {
    return this.nextId++;
  }

  /** The id the next create gets (snapshots keep it so archived ids are never reused). */
  get peekNextId(): number {
    return this.nextId;
  }

  set peekNextId(value: number) {
    this.nextId = Math.max(this.nextId, value);
  }

  get(id: number): DbRecord | undefined {
    return this.records.get(id);
  }

  /** The key a record contributes to an index for `property`, or undefined if it has no value. */
  keyOf(record: DbRecord, property: string): IndexKey | undefined {
    if (property === 'hs_object_id') return record.id;
    const value = record.properties[property];
    if (value === undefined || value === '') return undefined;
    const kind = this.keyKind(property);
    if (kind === 'number') {
      const n = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number(value);
      return Number.isNaN(n) ? undefined : n;
    }
    return kind === 'exact' ? value : value.toLowerCase();
  }

  insert(record: DbRecord): void {
    this.records.set(record.id, record);
    if (this.ids.length === 0 || this.ids[this.ids.length - 1] < record.id) this.ids.push(record.id);
    else this.ids.splice(lowerBound(this.ids, record.id), 0, record.id);
    if (record.id >= this.nextId) this.nextId = record.id + 1;
    if (!record.archived) {
      this.active++;
      this.addToIndexes(record);
    }
  }

  /**
   * Applies a patch (`''` removes a value) to an active record, keeping indexes in step.
   * Returns the previous values of the properties that really changed.
   */
  applyPatch(record: DbRecord, patch: Record<string, string>): Map<string, string | undefined> {
    const changed = new Map<string, string | undefined>();
    for (const [name, value] of Object.entries(patch)) {
      const before = record.properties[name];
      if ((before ?? '') === value) continue;
      changed.set(name, before);
      this.unindexProperty(record, name);
      if (value === '') delete record.properties[name];
      else record.properties[name] = value;
      this.indexProperty(record, name);
    }
    return changed;
  }

  archive(record: DbRecord, at: number): void {
    if (record.archived) return;
    this.removeFromIndexes(record);
    record.archived = true;
    record.archivedAt = at;
    this.active--;
  }

  /** Removes a record for good (GDPR delete, merge). */
  purge(record: DbRecord): void {
    if (!record.archived) {
      this.removeFromIndexes(record);
      this.active--;
    }
    this.records.delete(record.id);
    const at = lowerBound(this.ids, record.id);
    if (this.ids[at] === record.id) this.ids.splice(at, 1);
  }

  /** Ids in ascending order starting at the first id >= `fromId`. */
  *idsFrom(fromId: number): Generator<number> {
    for (let i = lowerBound(this.ids, fromId); i < this.ids.length; i++) yield this.ids[i];
  }

  /** Calls `visit` for every active record (any order); faster than the generators for full scans. */
  forEachActive(visit: (record: DbRecord) => void): void {
    for (const record of this.records.values()) if (!record.archived) visit(record);
  }

  *activeRecords(): Generator<DbRecord> {
    for (const id of this.ids) {
      const record = this.records.get(id)!;
      if (!record.archived) yield record;
    }
  }

  /** Active record ids whose value for `property` equals `key` (lower-cased for text, as is for `exact`). */
  exactMatches(property: string, key: IndexKey): Set<number> | undefined {
    return this.exactIndex(property).get(String(key));
  }

  sortedIndex(property: string): SortedIndex {
    let index = this.sorted.get(property);
    if (!index) {
      index = new SortedIndex();
      const entries: Array<[IndexKey, number]> = [];
      for (const record of this.activeRecords()) {
        const key = this.keyOf(record, property);
        if (key !== undefined) entries.push([key, record.id]);
      }
      index.rebuild(entries);
      this.sorted.set(property, index);
    }
    return index;
  }

  /**
   * Forgets a property's indexes, to be rebuilt on next use: needed when its definition's type
   * changes, since the kind of key (number, lower-cased text, exact text) changes with it.
   */
  dropIndexes(property: string): void {
    this.sorted.delete(property);
    this.exact.delete(property);
    this.suffix.delete(property);
  }

  suffixIndex(property: string): SuffixIndex {
    let suffix = this.suffix.get(property);
    if (!suffix) {
      suffix = { index: new SortedIndex(), spaced: new Set() };
      const entries: Array<[IndexKey, number]> = [];
      for (const record of this.activeRecords()) {
        const value = record.properties[property]?.toLowerCase();
        if (!value) continue;
        entries.push([reverse(value), record.id]);
        if (WORD_SEPARATOR.test(value)) suffix.spaced.add(record.id);
      }
      suffix.index.rebuild(entries);
      this.suffix.set(property, suffix);
    }
    return suffix;
  }

  private exactIndex(property: string): Map<string, Set<number>> {
    let index = this.exact.get(property);
    if (!index) {
      index = new Map();
      for (const record of this.activeRecords()) {
        const key = this.keyOf(record, property);
        if (key !== undefined) addTo(index, String(key), record.id);
      }
      this.exact.set(property, index);
    }
    return index;
  }

  private addToIndexes(record: DbRecord): void {
    for (const property of new Set([...this.sorted.keys(), ...this.exact.keys(), ...this.suffix.keys()])) this.indexProperty(record, property);
  }

  private removeFromIndexes(record: DbRecord): void {
    for (const property of new Set([...this.sorted.keys(), ...this.exact.keys(), ...this.suffix.keys()])) this.unindexProperty(record, property);
  }

  private indexProperty(record: DbRecord, property: string): void {
    const suffix = this.suffix.get(property);
    const text = record.properties[property]?.toLowerCase();
    if (suffix && text) {
      suffix.index.insert(reverse(text), record.id);
      if (WORD_SEPARATOR.test(text)) suffix.spaced.add(record.id);
    }
    const key = this.keyOf(record, property);
    if (key === undefined) return;
    this.sorted.get(property)?.insert(key, record.id);
    const exact = this.exact.get(property);
    if (exact) addTo(exact, String(key), record.id);
  }

  private unindexProperty(record: DbRecord, property: string): void {
    const suffix = this.suffix.get(property);
    const text = record.properties[property]?.toLowerCase();
    if (suffix && text) {
      suffix.index.remove(reverse(text), record.id);
      suffix.spaced.delete(record.id);
    }
    const key = this.keyOf(record, property);
    if (key === undefined) return;
    this.sorted.get(property)?.remove(key, record.id);
    const set = this.exact.get(property)?.get(String(key));
    if (set) {
      set.delete(record.id);
      if (set.size === 0) this.exact.get(property)!.delete(String(key));
    }
  }
}

function reverse(text: string): string {
  return [...text].reverse().join('');
}

function addTo(index: Map<string, Set<number>>, key: string, id: number): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function lowerBound(values: number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
