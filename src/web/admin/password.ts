/**
 * The admin password: from SPOKES_ADMIN_PASSWORD, or generated on the first
 * start and shown once. Only a salted scrypt hash is kept, in `app_settings`
 * (key `admin_password`); the password itself is never stored or logged.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { appSettings } from '../../db/schema.ts';
import type { Db } from '../../db/open.ts';
import { adminSessions, adminSignInLocks } from './schema.ts';

const SETTING_KEY = 'admin_password';

// OWASP's scrypt floor (N=2^17 r=8 p=1) needs 128 MiB per hash; 2^15 (32 MiB) keeps a
// sign-in near 50 ms on a small VM while staying far above bcrypt-10 in cost.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;

const storedHash = z.object({ hash: z.string().startsWith('scrypt$') });

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, params, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>`: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = encoded.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Four groups of five letters and digits (≈ 103 bits), without look-alikes, easy to type from a terminal. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    // Rejection sampling keeps every character equally likely (256 is not a multiple of 31).
    while (group.length < 5) {
      const byte = randomBytes(1)[0]!;
      if (byte < 248) group += alphabet[byte % alphabet.length];
    }
    groups.push(group);
  }
  return groups.join('-');
}

export async function readPasswordHash(db: Db): Promise<string | undefined> {
  const [row] = await db.select().from(appSettings).where(eq(appSettings.key, SETTING_KEY));
  if (!row) return undefined;
  const parsed = storedHash.safeParse(row.value);
  return parsed.success ? parsed.data.hash : undefined;
}

export interface PasswordSetup {
  /** Set only on the start that generated the password: print it once, then forget it. */
  generated?: string;
  source: 'env' | 'stored' | 'generated';
}

/**
 * Makes sure a password hash exists. SPOKES_ADMIN_PASSWORD replaces a stored hash
 * that does not match it (and signs every session out: a reset must lock out whoever
 * had the old password). Without it, the first start generates one.
 */
export async function ensureAdminPassword(db: Db, envPassword: string | undefined): Promise<PasswordSetup> {
  const current = await readPasswordHash(db);
  if (envPassword !== undefined) {
    if (current && (await verifyPassword(envPassword, current))) return { source: 'env' };
    const hash = await hashPassword(envPassword);
    await db.transaction(async (tx) => {
      await tx
        .insert(appSettings)
        .values({ key: SETTING_KEY, value: { hash } })
        .onConflictDoUpdate({ target: appSettings.key, set: { value: { hash }, updatedAt: new Date() } });
      await tx.delete(adminSessions);
      // A new password is the way out of a lock-out too.
      await tx.delete(adminSignInLocks);
    });
    return { source: 'env' };
  }
  if (current) return { source: 'stored' };
  const password = generatePassword();
  const inserted = await db
    .insert(appSettings)
    .values({ key: SETTING_KEY, value: { hash: await hashPassword(password) } })
    .onConflictDoNothing()
    .returning({ key: appSettings.key });
  // Another server on the same PostgreSQL generated one first: its output shows that password, not ours.
  return inserted.length ? { generated: password, source: 'generated' } : { source: 'stored' };
}
