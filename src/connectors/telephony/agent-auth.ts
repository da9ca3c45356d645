/**
 * Sign-in for salespeople (the calling widget and the pop-up page, T6/T7):
 * not admins, so no admin session. Two credentials, both signed with the
 * installation key (`secretBox.sign`), each naming one HubSpot owner:
 *
 * - a sign-in token: one per HubSpot user, in the personal link an admin hands
 *   out (`/agent/#token=…`); no expiry of its own;
 * - a session token: what both pages send as `Authorization: Bearer …`,
 *   valid 30 days. The pop-up page gets one for its link; the calling widget
 *   for an identity HubSpot vouches for ("Sign in with HubSpot",
 *   agent-sign-in.ts) or for the pop-up page's session in the same browser.
 *
 * Both carry two generations kept in `app_settings`: the installation's
 * (rotating it revokes every credential at once) and their owner's (revoking
 * one salesperson — by the admin, or by unbinding them — leaves the others).
 */
import { widgetUrlOf } from '../../web/widget-page.ts';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { appSettings } from '../../db/schema.ts';

export const AGENT_SESSION_TTL_MS = 30 * 24 * 3600_000;
const GENERATION_KEY = 'telephony.agent_generation';
// Re-read the generations at most this often: a revocation reaches another process within a second.
const GENERATION_CACHE_MS = 1_000;

export interface AgentSessionClaims {
  ownerId: string;
  expiresAt: Date;
}

interface Generations {
  /** The installation's. */
  generation: number;
  /** Per HubSpot owner id; absent means 0. */
  owners?: Record<string, number>;
}

interface TokenPayload {
  /** kind: s = session, i = sign-in link. */
  k: 's' | 'i';
  /** HubSpot owner id. */
  o: string;
  /** The installation's generation. */
  g: number;
  /** The owner's generation (absent: 0, as in tokens made before per-owner revocation). */
  u?: number;
  /** Session expiry, epoch seconds. */
  e?: number;
}

export class AgentAuth {
  readonly #db: Db;
  readonly #box: SecretBox;
  #cached: { value: Generations; at: number } | undefined;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async #generations(): Promise<Generations> {
    if (this.#cached && Date.now() - this.#cached.at < GENERATION_CACHE_MS) return this.#cached.value;
    const [row] = await this.#db.select().from(appSettings).where(eq(appSettings.key, GENERATION_KEY));
    const stored = row?.value as Partial<Generations> | undefined;
    const value = { generation: stored?.generation ?? 1, owners: stored?.owners ?? {} };
    this.#cached = { value, at: Date.now() };
    return value;
  }

  async generation(): Promise<number> {
    return (await this.#generations()).generation;
  }

  async #ownerGeneration(ownerId: string): Promise<number> {
    return (await this.#generations()).owners?.[ownerId] ?? 0;
  }

  /** Revokes every session and sign-in link; returns the new generation. */
  async rotate(): Promise<number> {
    // In SQL, so that a revocation of one owner at the same moment is not lost.
    await this.#db
      .insert(appSettings)
      .values({ key: GENERATION_KEY, value: { generation: 2, owners: {} } })
      .onConflictDoUpdate({
        target: appSettings.key,
        set: {
          value: sql`jsonb_set(${appSettings.value}, '{generation}', to_jsonb(coalesce((${appSettings.value}->>'generation')::int, 1) + 1))`,
          updatedAt: new Date(),
        },
      });
    this.#cached = undefined;
    return this.generation();
  }

  /** Revokes one salesperson's sessions and sign-in link (a new link works at once). */
  async revokeOwner(ownerId: string): Promise<void> {
    await this.#db
      .insert(appSettings)
      .values({ key: GENERATION_KEY, value: { generation: 1, owners: { [ownerId]: 1 } } })
      .onConflictDoUpdate({
        target: appSettings.key,
        set: {
          value: sql`jsonb_set(jsonb_set(${appSettings.value}, '{owners}', coalesce(${appSettings.value}->'owners', '{}'::jsonb)),
          array['owners', ${ownerId}::text], to_jsonb(coalesce((${appSettings.value}->'owners'->>${ownerId}::text)::int, 0) + 1))`,
          updatedAt: new Date(),
        },
      });
    this.#cached = undefined;
  }

  async signInToken(ownerId: string): Promise<string> {
    return this.#seal({ k: 'i', o: ownerId, g: await this.generation(), u: await this.#ownerGeneration(ownerId) });
  }

  /** The owner a sign-in link was made for, or null when it is forged or revoked. */
  async verifySignInToken(token: string): Promise<string | null> {
    const p = await this.#open(token);
    return p?.k === 'i' ? p.o : null;
  }

  async issueSession(ownerId: string, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(now + AGENT_SESSION_TTL_MS);
    const payload: TokenPayload = {
      k: 's',
      o: ownerId,
      g: await this.generation(),
      u: await this.#ownerGeneration(ownerId),
      e: Math.floor(expiresAt.getTime() / 1000),
    };
    return { token: this.#seal(payload), expiresAt };
  }

  /** The session's owner and expiry, or null when the token is forged, expired or revoked. */
  async verifySession(token: string, now = Date.now()): Promise<AgentSessionClaims | null> {
    const p = await this.#open(token);
    if (p?.k !== 's' || !p.e || p.e * 1000 <= now) return null;
    return { ownerId: p.o, expiresAt: new Date(p.e * 1000) };
  }

  #seal(payload: TokenPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `a1.${body}.${this.#box.sign(body, `agent-token:${payload.k}`)}`;
  }

  async #open(token: string): Promise<TokenPayload | null> {
    const [version, body, sig] = token.split('.');
    if (version !== 'a1' || !body || !sig || token.length > 1000) return null;
    let payload: TokenPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return null;
    }
    // Valid JSON need not be an object (`null`, `1`, `[]`): such a token is simply not ours.
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
    if ((payload.k !== 's' && payload.k !== 'i') || typeof payload.o !== 'string' || typeof payload.g !== 'number') return null;
    if (!this.#box.verify(body, `agent-token:${payload.k}`, sig)) return null;
    const generations = await this.#generations();
    if (payload.g !== generations.generation || (payload.u ?? 0) !== (generations.owners?.[payload.o] ?? 0)) return null;
    return payload;
  }
}

/**
 * The calling widget's URL as registered in HubSpot's calling settings. It carries no secret: the widget
 * signs each salesperson in as who HubSpot says they are (agent-sign-in.ts).
 */
export function agentWidgetUrl(publicUrl: string): string {
  return widgetUrlOf(publicUrl);
}
