import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretBox, SecretKeyMismatchError } from '../src/secrets/secret-box.ts';
import { loadSecretKey, verifySecretKey } from '../src/secrets/secret-key.ts';
import { openDatabase } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { engines, createTestDatabase } from './support/databases.ts';

describe('secrets at rest', () => {
  it('round-trips a credential and never stores it in clear', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.encrypt('pat-na1-very-secret-token', 'hubspot:123');
    assert.doesNotMatch(sealed, /very-secret/);
    assert.notEqual(box.encrypt('same', 'c'), box.encrypt('same', 'c'), 'a fresh IV every time');
    assert.equal(box.decrypt(sealed, 'hubspot:123'), 'pat-na1-very-secret-token');
  });

  it('refuses a wrong key, a wrong context or a tampered value with a clear error, never garbage', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.encrypt('secret', 'ctx');
    assert.throws(
      () => createSecretBox(randomBytes(32)).decrypt(sealed, 'ctx'),
      (err: Error) => err instanceof SecretKeyMismatchError && /stored credentials cannot be decrypted with this key/.test(err.message),
    );
    assert.throws(() => box.decrypt(sealed, 'other'), SecretKeyMismatchError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    assert.throws(() => box.decrypt(parts.join('.'), 'ctx'), SecretKeyMismatchError);
  });

  it('generates a key file with mode 0600 on first run and reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spokes-key-'));
    try {
      const first = loadSecretKey({ dataDir });
      assert.equal(first.source, 'generated');
      assert.equal(statSync(join(dataDir, 'secret.key')).mode & 0o777, 0o600);
      const second = loadSecretKey({ dataDir });
      assert.equal(second.source, 'file');
      assert.ok(second.key.equals(first.key));
      const fromEnv = loadSecretKey({ dataDir, secretKey: randomBytes(32).toString('base64') });
      assert.equal(fromEnv.source, 'env');
      assert.equal(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim(), first.key.toString('base64'));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  for (const engine of engines) {
    describe(`key check on ${engine}`, () => {
      const cleanup: (() => Promise<void>)[] = [];
      after(async () => {
        for (const c of cleanup) await c();
      });

      it('accepts the key the database was set up with and refuses another before touching anything', async () => {
        const t = await createTestDatabase(engine);
        cleanup.push(() => t.drop());
        const database = await openDatabase(t);
        try {
          await applyMigrations(database);
          const key = randomBytes(32);
          await verifySecretKey(database.db, createSecretBox(key));
          await verifySecretKey(database.db, createSecretBox(key));
          await assert.rejects(verifySecretKey(database.db, createSecretBox(randomBytes(32))), /stored credentials cannot be decrypted with this key/);
        } finally {
          await database.close();
        }
      });
    });
  }
});
