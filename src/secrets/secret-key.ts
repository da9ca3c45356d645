/**
 * Where the installation key comes from: SPOKES_SECRET_KEY, or on first run a
 * key generated into `<data dir>/secret.key` (mode 0600) and reused after.
 * A check value stored in the database tells at start-up whether the key is
 * the one the stored credentials were encrypted with.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { appSettings } from '../db/schema.ts';
import type { Db } from '../db/open.ts';
import { SpokesError } from '../errors.ts';
import { createSecretBox, type SecretBox } from './secret-box.ts';

export interface LoadedKey {
  key: Buffer;
  source: 'env' | 'file' | 'generated';
  path?: string;
}

export function loadSecretKey(opts: { secretKey?: string; dataDir: string }): LoadedKey {
  if (opts.secretKey) return { key: Buffer.from(opts.secretKey, 'base64'), source: 'env' };
  const path = join(opts.dataDir, 'secret.key');
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new SpokesError('config_invalid', `${path} does not hold a 32-byte base64 key; restore it from a backup or set SPOKES_SECRET_KEY`);
    // Tighten permissions if someone loosened them.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { key, source: 'file', path };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated', path };
}

const CHECK_KEY = 'secret_key_check';
const CHECK_PLAINTEXT = 'spokes-secret-key-check';

/**
 * Stores a check value on first use; on every later start, decrypting it proves the key
 * matches. A mismatch throws SecretKeyMismatchError before anything is read or written.
 */
export async function verifySecretKey(db: Db, box: SecretBox): Promise<void> {
  const [row] = await db.select().from(appSettings).where(eq(appSettings.key, CHECK_KEY));
  if (row) {
    box.decrypt(String((row.value as { sealed: string }).sealed), CHECK_KEY);
    return;
  }
  await db
    .insert(appSettings)
    .values({ key: CHECK_KEY, value: { sealed: box.encrypt(CHECK_PLAINTEXT, CHECK_KEY) } })
    .onConflictDoNothing();
  // Another process may have won the race with a different key: read back and verify.
  const [stored] = await db.select().from(appSettings).where(eq(appSettings.key, CHECK_KEY));
  box.decrypt(String((stored!.value as { sealed: string }).sealed), CHECK_KEY);
}

export { createSecretBox };
