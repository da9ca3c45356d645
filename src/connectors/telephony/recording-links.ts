/**
 * The links to call recordings Spokes hands out: `/recordings/<row>?exp=&sig=`,
 * an HMAC with the installation key over the call's row, an expiry and the
 * installation's recording-link *generation*. Nobody needs a session to play one,
 * so every link expires, and rotating the generation (the admin's "Revoke
 * recording links", or disconnecting the phone system) revokes every link at once.
 *
 * Lifetimes: the link written into HubSpot's engagement (`hs_call_recording_url`
 * and the call notes) lives 7 days; HubSpot stores it for ever, so an older call
 * plays through HubSpot's authenticated-recording request instead (HubSpot asks
 * Spokes for a fresh link each time one of its signed-in users plays it:
 * routes-recordings.ts), and a signed-in admin opening an expired link is sent on
 * to a fresh one. Fresh links live 1 hour.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { appSettings } from '../../db/schema.ts';

/** A link in an engagement: long enough for the call to be listened to and transcribed after it was logged. */
export const STORED_LINK_TTL_MS = 7 * 24 * 3600_000;
/** A link made on demand for someone about to play the recording. */
export const PLAY_LINK_TTL_MS = 3600_000;

const GENERATION_KEY = 'telephony.recording_links';
const PURPOSE = 'recording-link';
// A rotation reaches the other processes within a second.
const GENERATION_CACHE_MS = 1_000;

export type LinkVerdict = 'valid' | 'expired' | 'invalid';

export class RecordingLinks {
  readonly #db: Db;
  readonly #box: SecretBox;
  readonly #publicUrl: () => string;
  #generation: { value: string; at: number } | undefined;

  constructor(db: Db, box: SecretBox, publicUrl: () => string) {
    this.#db = db;
    this.#box = box;
    this.#publicUrl = publicUrl;
  }

  /** The current generation: a random string, made on first use (two processes racing agree on the stored one). */
  async generation(): Promise<string> {
    if (this.#generation && Date.now() - this.#generation.at < GENERATION_CACHE_MS) return this.#generation.value;
    const read = async () =>
      ((await this.#db.select().from(appSettings).where(eq(appSettings.key, GENERATION_KEY)))[0]?.value as { generation?: string } | undefined)?.generation;
    let value = await read();
    if (!value) {
      await this.#db
        .insert(appSettings)
        .values({ key: GENERATION_KEY, value: { generation: randomBytes(12).toString('base64url') } })
        .onConflictDoNothing();
      value = (await read())!;
    }
    this.#generation = { value, at: Date.now() };
    return value;
  }

  /** Revokes every recording link handed out so far. */
  async rotate(): Promise<void> {
    const value = { generation: randomBytes(12).toString('base64url'), rotatedAt: new Date().toISOString() };
    await this.#db
      .insert(appSettings)
      .values({ key: GENERATION_KEY, value })
      .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt: new Date() } });
    this.#generation = { value: value.generation, at: Date.now() };
  }

  /** The path of a link to the recording of the call whose `call_logs` row is `rowId`, valid `ttlMs`. */
  async path(rowId: string, ttlMs: number, now = Date.now()): Promise<string> {
    const exp = Math.floor((now + ttlMs) / 1000);
    const sig = this.#box.sign(`${rowId}\n${exp}\n${await this.generation()}`, PURPOSE);
    return `/recordings/${encodeURIComponent(rowId)}?exp=${exp}&sig=${sig}`;
  }

  async url(rowId: string, ttlMs: number, now = Date.now()): Promise<string> {
    return `${this.#publicUrl()}${await this.path(rowId, ttlMs, now)}`;
  }

  /**
   * `valid`; `expired` for a link Spokes signed (this generation) whose time is up, or one of the
   * links without expiry that Spokes wrote before they expired; `invalid` for anything else
   * (forged, altered, or revoked by a rotation).
   */
  async verify(rowId: string, exp: string | undefined, sig: string | undefined, now = Date.now()): Promise<LinkVerdict> {
    if (!sig) return 'invalid';
    if (exp === undefined) return this.#box.verify(rowId, 'recording', sig) ? 'expired' : 'invalid';
    if (!/^\d{1,12}$/.test(exp) || !this.#box.verify(`${rowId}\n${exp}\n${await this.generation()}`, PURPOSE, sig)) return 'invalid';
    return Number(exp) * 1000 > now ? 'valid' : 'expired';
  }
}
