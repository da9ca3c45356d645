/**
 * Passwords (salted scrypt hashes; a password itself is never stored or logged) and
 * the first admin's: from SPOKES_ADMIN_PASSWORD, or generated on the first start
 * and shown once. That password belongs to the owner whose login is `admin`
 * (`admin_users`; before users existed it was the `admin_password` row of
 * `app_settings`, which migration 0011 moved there).
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import { adminSessions, adminSignInLocks, adminUsers } from './schema.ts';

/** The first admin's login: the password printed at the first start (or SPOKES_ADMIN_PASSWORD) signs in as this owner. */
export const ADMIN_LOGIN = 'admin';

// OWASP's scrypt floor (N=2^17 r=8 p=1) needs 128 MiB per hash; 2^15 (32 MiB) keeps a
// sign-in near 50 ms on a small VM while staying far above bcrypt-10 in cost.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;

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

/** The first admin's password hash: the owner whose login is `admin` (ADMIN_LOGIN). */
export async function readPasswordHash(db: Db): Promise<string | undefined> {
  const [row] = await db.select({ hash: adminUsers.passwordHash }).from(adminUsers).where(eq(adminUsers.email, ADMIN_LOGIN));
  return row?.hash;
}

export interface PasswordSetup {
  /** Set only on the start that generated the password: print it once, then forget it. */
  generated?: string;
  source: 'env' | 'stored' | 'generated';
}

/**
 * Makes sure the first admin exists: the user `admin`. SPOKES_ADMIN_PASSWORD replaces its password when
 * it does not match (and signs that account out everywhere: a reset must lock out whoever had the old
 * password); it also brings the account back as an owner if it was removed or demoted — whoever controls
 * the server's environment is the installation's owner, and this is the way back in. Without it, the
 * first start generates a password.
 */
export async function ensureAdminPassword(db: Db, envPassword: string | undefined): Promise<PasswordSetup> {
  const [current] = await db.select().from(adminUsers).where(eq(adminUsers.email, ADMIN_LOGIN));
  if (envPassword !== undefined) {
    if (current && current.role === 'owner' && (await verifyPassword(envPassword, current.passwordHash))) return { source: 'env' };
    const hash = await hashPassword(envPassword);
    await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(adminUsers)
        .values({ id: randomUUID(), email: ADMIN_LOGIN, role: 'owner', passwordHash: hash })
        .onConflictDoUpdate({ target: adminUsers.email, set: { passwordHash: hash, role: 'owner', updatedAt: new Date() } })
        .returning({ id: adminUsers.id });
      await tx.delete(adminSessions).where(eq(adminSessions.userId, user!.id));
      // A new password is the way out of a lock-out too.
      await tx.delete(adminSignInLocks).where(eq(adminSignInLocks.account, ADMIN_LOGIN));
    });
    return { source: 'env' };
  }
  if (current) return { source: 'stored' };
  // Someone already runs this installation under other logins (the `admin` owner was removed): create nobody.
  const [anyOwner] = await db.select({ id: adminUsers.id }).from(adminUsers).where(eq(adminUsers.role, 'owner')).limit(1);
  if (anyOwner) return { source: 'stored' };
  const password = generatePassword();
  const inserted = await db
    .insert(adminUsers)
    .values({ id: randomUUID(), email: ADMIN_LOGIN, role: 'owner', passwordHash: await hashPassword(password) })
    .onConflictDoNothing()
    .returning({ id: adminUsers.id });
  // Another server on the same PostgreSQL generated one first: its output shows that password, not ours.
  return inserted.length ? { generated: password, source: 'generated' } : { source: 'stored' };
}
