/**
 * An ordered index of (key, record id) pairs kept sorted under inserts and removals,
 * so a search "GT on hs_lastmodifieddate, sorted by it" over 200,000 contacts is a
 * binary search and a slice instead of a full sort per request.
 * Ties on the key are ordered by id, which makes paging stable.
 */
export type IndexKey = number | string;

export class SortedIndex {
  private keys: IndexKey[] = [];
  private ids: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Replaces the content at once (bulk build after a seed or snapshot load). */
  rebuild(entries: Array<[IndexKey, number]>): void {
    entries.sort((a, b) => compare(a[0], a[1], b[0], b[1]));
    this.keys = entries.map((e) => e[0]);
    this.ids = entries.map((e) => e[1]);
  }

  insert(key: IndexKey, id: number): void {
    const n = this.ids.length;
    // Most writes carry "now" as the key: appending is the common, O(1) case.
    if (n === 0 || compare(this.keys[n - 1], this.ids[n - 1], key, id) < 0) {
      this.keys.push(key);
      this.ids.push(id);
      return;
    }
    const at = this.lowerBound(key, id);
    this.keys.splice(at, 0, key);
    this.ids.splice(at, 0, id);
  }

  remove(key: IndexKey, id: number): void {
    const at = this.lowerBound(key, id);
    if (at < this.ids.length && this.ids[at] === id && this.keys[at] === key) {
      this.keys.splice(at, 1);
      this.ids.splice(at, 1);
    }
  }

  idAt(position: number): number {
    return this.ids[position];
  }

  /** Position range [from, to) of keys satisfying a comparison; `to` exclusive. */
  range(op: 'EQ' | 'GT' | 'GTE' | 'LT' | 'LTE', key: IndexKey): [number, number] {
    const first = (k: IndexKey) => this.boundary(k, false);
    const after = (k: IndexKey) => this.boundary(k, true);
    switch (op) {
      case 'EQ': return [first(key), after(key)];
      case 'GT': return [after(key), this.ids.length];
      case 'GTE': return [first(key), this.ids.length];
      case 'LT': return [0, first(key)];
      case 'LTE': return [0, after(key)];
    }
  }

  /** Ids between positions, in order (descending when `reverse`). */
  *slice(from: number, to: number, reverse = false): Generator<number> {
    if (reverse) for (let i = to - 1; i >= from; i--) yield this.ids[i];
    else for (let i = from; i < to; i++) yield this.ids[i];
  }

  private lowerBound(key: IndexKey, id: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.keys[mid], this.ids[mid], key, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose key is > k (`strict`) or >= k, ignoring ids. */
  private boundary(k: IndexKey, strict: boolean): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.keys[mid], k);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export function compareKeys(a: IndexKey, b: IndexKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compare(ka: IndexKey, ia: number, kb: IndexKey, ib: number): number {
  return compareKeys(ka, kb) || ia - ib;
}
