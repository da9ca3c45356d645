/**
 * Text PostgreSQL cannot store, found at the edge instead of as a 500 at the
 * insert. A `text` column refuses the NUL character (22021 "invalid byte
 * sequence for encoding UTF8: 0x00") and `jsonb` — job payloads, settings —
 * refuses its `\u0000` escape (22P05 "unsupported Unicode escape sequence").
 * A lone UTF-16 surrogate (half of a pair, e.g. `"\uD800"` in JSON) is not a
 * Unicode character: `JSON.stringify` writes it as an escape jsonb refuses, and
 * a text column would silently get U+FFFD instead. Both reach Spokes only as
 * JSON escapes (raw control characters are not valid JSON).
 */
import type { ErrorDetail } from '../errors.ts';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problemOf(text: string): string | undefined {
  if (NUL.test(text)) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored';
  return undefined;
}

/**
 * The first string (value or object key) in `value` that cannot be stored, named by its dotted path
 * under `root` (`body.msg.call_from`, `body.0.propertyValue`); undefined when every string is storable.
 */
export function findUnstorableText(value: unknown, root: string): ErrorDetail | undefined {
  // Iterative: a deeply nested body must not exhaust the stack.
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = problemOf(v);
      if (problem) return { field: path, message: problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      for (const [key] of entries) {
        const problem = problemOf(key);
        if (problem) return { field: path, message: `a key ${problem}` };
      }
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], `${path}.${entries[i]![0]}`]);
    }
  }
  return undefined;
}

/** `text` with NUL characters removed and lone surrogates replaced by U+FFFD: for what a remote system lists (kept, not refused). */
export function storableText(text: string): string {
  return text.replace(/\u0000/g, '').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

/** A copy of a JSON value with every string and key made storable (`storableText`). */
export function withStorableText(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(withStorableText);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), withStorableText(v)]));
  }
  return value;
}
