import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Deterministic PRNG (mulberry32). Seeds, fault injection and anything a test must
 * reproduce use it; secrets and tokens use `node:crypto` instead.
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

export function newUuid(): string {
  return randomUUID();
}

/** Access tokens look like HubSpot's: opaque, base64url, ~150 characters (§1.2 allows up to 300/512). */
export function newAccessToken(): string {
  return 'C' + randomBytes(112).toString('base64url');
}

/** Refresh tokens carry the hublet prefix (§1.2: `na1-ab12-cd34-ef56-gh78-abcdef123456`). */
export function newRefreshToken(): string {
  const hex = randomBytes(16).toString('hex');
  return `na1-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 28)}`;
}

/** §1.5: private-app tokens `pat-na1-<uuid>`. */
export function newPrivateAppToken(): string {
  return `pat-na1-${randomUUID()}`;
}
