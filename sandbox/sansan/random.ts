import { randomBytes } from 'node:crypto';

/**
 * Deterministic PRNG (mulberry32) for seeds and fault injection; keys and the
 * page-token secret use `node:crypto` instead.
 */
export function createRandom(seed: number | string): () => number {
  let state = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/**
 * Ids look like the ones public clients show for persons and companies: 32 upper-case
 * hex digits (e.g. `AD4DBE12821F9A1491D1580248387CFD`, reference §A.5).
 */
export function hexId(random: () => number): string {
  for (let i = 0; i < 32; i++) ID_CODES[i] = HEX_CODES[Math.floor(random() * 16)];
  // One flat string (concatenating pieces would leave a tree of cons strings per id).
  return String.fromCharCode.apply(null, ID_CODES as unknown as number[]);
}

const HEX_CODES = Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const ID_CODES = new Array<number>(32).fill(0);

/** A flat copy of a string built by concatenation (a seeded e-mail is kept by every card of its person). */
export function flat(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

export function randomHexId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** API keys: 32 alphanumerics (reference §A.2; public examples are lower-case hex). */
export function newApiKey(): string {
  return randomBytes(16).toString('hex');
}
