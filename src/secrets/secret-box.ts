/**
 * Every stored credential (OAuth tokens, client secrets, PBX secrets, API keys)
 * is encrypted with AES-256-GCM under one installation key before it reaches
 * the database. Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SpokesError } from '../errors.ts';

const VERSION = 'v1';

export class SecretKeyMismatchError extends SpokesError {
  constructor() {
    super(
      'secret_key_mismatch',
      'stored credentials cannot be decrypted with this key: set SPOKES_SECRET_KEY (or <data dir>/secret.key) to the key they were stored with',
      { status: 500 },
    );
  }
}

export interface SecretBox {
  /** Encrypts a string; `context` (e.g. `hubspot:portal:123:refresh_token`) is bound to it and must match on decrypt. */
  encrypt(plaintext: string, context?: string): string;
  decrypt(sealed: string, context?: string): string;
  /** A MAC of `value` for a purpose (e.g. signed recording links): unforgeable without the key. */
  sign(value: string, purpose: string): string;
  /** Constant-time check of a signature made by `sign`. */
  verify(value: string, purpose: string, signature: string): boolean;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SpokesError('config_invalid', 'the secret key must be 32 bytes');
  // A separate key for MACs, so signatures never reuse the encryption key directly.
  const macKey = createHmac('sha256', key).update('spokes:mac-key').digest();
  const sign = (value: string, purpose: string) => createHmac('sha256', macKey).update(`${purpose}\u0000${value}`).digest('base64url');
  return {
    sign,
    verify(value, purpose, signature) {
      const expected = Buffer.from(sign(value, purpose));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    encrypt(plaintext, context = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    decrypt(sealed, context = '') {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || data === undefined) {
        throw new SpokesError('internal', 'a stored credential is not in a format this version of Spokes can read');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // GCM authentication failed: a different key (or a tampered value). Never return garbage.
        throw new SecretKeyMismatchError();
      }
    },
  };
}
