/**
 * An ordered index of (key, record id) pairs kept sorted under inserts and removals,
 * so a search "GT on hs_lastmodifieddate, sorted by it" over 200,000 contacts is a
 * binary search and a slice instead of a full sort per request.
 * Storage is a list of sorted chunks (≤ 2 × CHUNK entries each): an insert at a random
 * position moves one chunk, not the whole index. Ties on the key are ordered by id,
 * which makes paging stable.
 */
export type IndexKey = number | string;

const CHUNK = 512;

interface Chunk {
  keys: IndexKey[];
  ids: number[];
}

export class SortedIndex {
  private chunks: Chunk[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Replaces the content at once (bulk build after a seed or snapshot load). */
  rebuild(entries: Array<[IndexKey, number]>): void {
    entries.sort((a, b) => compare(a[0], a[1], b[0], b[1]));
    this.chunks = [];
    for (let i = 0; i < entries.length; i += CHUNK) {
      const part = entries.slice(i, i + CHUNK);
      this.chunks.push({ keys: part.map((e) => e[0]), ids: part.map((e) => e[1]) });
    }
    this.count = entries.length;
  }

  insert(key: IndexKey, id: number): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], ids: [id] });
      return;
    }
    // The first chunk whose last entry is >= the new one, or the last chunk.
    let c = this.chunkFor((k, i) => compare(k, i, key, id) >= 0);
    if (c === this.chunks.length) c--;
    const chunk = this.chunks[c];
    const at = lowerBound(chunk, (k, i) => compare(k, i, key, id) >= 0);
    chunk.keys.splice(at, 0, key);
    chunk.ids.splice(at, 0, id);
    if (chunk.ids.length > 2 * CHUNK) {
      this.chunks.splice(c + 1, 0, { keys: chunk.keys.splice(CHUNK), ids: chunk.ids.splice(CHUNK) });
    }
  }

  remove(key: IndexKey, id: number): void {
    const c = this.chunkFor((k, i) => compare(k, i, key, id) >= 0);
    if (c === this.chunks.length) return;
    const chunk = this.chunks[c];
    const at = lowerBound(chunk, (k, i) => compare(k, i, key, id) >= 0);
    if (chunk.ids[at] !== id || chunk.keys[at] !== key) return;
    chunk.keys.splice(at, 1);
    chunk.ids.splice(at, 1);
    this.count--;
    if (chunk.ids.length === 0) this.chunks.splice(c, 1);
  }

  /** Position range [from, to) of keys satisfying a comparison; `to` exclusive. */
  range(op: 'EQ' | 'GT' | 'GTE' | 'LT' | 'LTE', key: IndexKey): [number, number] {
    const first = (k: IndexKey) => this.boundary(k, false);
    const after = (k: IndexKey) => this.boundary(k, true);
    switch (op) {
      case 'EQ':
        return [first(key), after(key)];
      case 'GT':
        return [after(key), this.count];
      case 'GTE':
        return [first(key), this.count];
      case 'LT':
        return [0, first(key)];
      case 'LTE':
        return [0, after(key)];
    }
  }

  /** Ids between positions, in order (descending when `reverse`). */
  *slice(from: number, to: number, reverse = false): Generator<number> {
    if (from >= to) return;
    if (!reverse) {
      let skip = from;
      let left = to - from;
      for (const chunk of this.chunks) {
        if (skip >= chunk.ids.length) {
          skip -= chunk.ids.length;
          continue;
        }
        for (let i = skip; i < chunk.ids.length && left > 0; i++, left--) yield chunk.ids[i];
        skip = 0;
        if (left === 0) return;
      }
      return;
    }
    let position = this.count;
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const chunk = this.chunks[c];
      const start = position - chunk.ids.length;
      for (let i = chunk.ids.length - 1; i >= 0; i--) {
        const p = start + i;
        if (p < from) return;
        if (p < to) yield chunk.ids[i];
      }
      position = start;
    }
  }

  /** First position whose key is > k (`strict`) or >= k, ignoring ids. */
  private boundary(k: IndexKey, strict: boolean): number {
    const past = (key: IndexKey) => {
      const c = compareKeys(key, k);
      return strict ? c > 0 : c >= 0;
    };
    let position = 0;
    for (const chunk of this.chunks) {
      if (!past(chunk.keys[chunk.keys.length - 1])) {
        position += chunk.ids.length;
        continue;
      }
      return position + lowerBound(chunk, (key) => past(key));
    }
    return position;
  }

  /** Index of the first chunk whose last entry satisfies `test` (binary search). */
  private chunkFor(test: (key: IndexKey, id: number) => boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid];
      const last = chunk.ids.length - 1;
      if (test(chunk.keys[last], chunk.ids[last])) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** First entry of a chunk satisfying a monotone `test`. */
function lowerBound(chunk: Chunk, test: (key: IndexKey, id: number) => boolean): number {
  let lo = 0;
  let hi = chunk.ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(chunk.keys[mid], chunk.ids[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
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
