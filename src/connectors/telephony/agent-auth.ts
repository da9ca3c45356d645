/**
 * Sign-in for salespeople (the calling widget and the pop-up page, T6/T7):
 * not admins, so no admin session. Three credentials, all signed with the
 * installation key (`secretBox.sign`) and bound to a *generation* kept in
 * `app_settings`; rotating the generation revokes every one of them at once.
 *
 * - the widget key: one per installation, in the widget URL registered in
 *   HubSpot's calling settings; with it, the widget signs in as the HubSpot
 *   user the SDK's `onReady` names;
 * - a sign-in token: one per HubSpot user, in the personal link an admin hands
 *   out (`/agent/#token=…`); no expiry of its own;
 * - a session token: what both pages send as `Authorization: Bearer …`,
 *   valid 30 days.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { appSettings } from '../../db/schema.ts';

export const AGENT_SESSION_TTL_MS = 30 * 24 * 3600_000;
const GENERATION_KEY = 'telephony.agent_generation';
// Re-read the generation at most this often: a rotation reaches another process within a second.
const GENERATION_CACHE_MS = 1_000;

export interface AgentSessionClaims {
  ownerId: string;
  expiresAt: Date;
}

interface TokenPayload {
  /** kind: s = session, i = sign-in link. */
  k: 's' | 'i';
  /** HubSpot owner id. */
  o: string;
  /** Generation. */
  g: number;
  /** Session expiry, epoch seconds. */
  e?: number;
}

export class AgentAuth {
  readonly #db: Db;
  readonly #box: SecretBox;
  #generation: { value: number; at: number } | undefined;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async generation(): Promise<number> {
    if (this.#generation && Date.now() - this.#generation.at < GENERATION_CACHE_MS) return this.#generation.value;
    const [row] = await this.#db.select().from(appSettings).where(eq(appSettings.key, GENERATION_KEY));
    const value = (row?.value as { generation?: number } | undefined)?.generation ?? 1;
    this.#generation = { value, at: Date.now() };
    return value;
  }

  /** Revokes every session, sign-in link and the widget key; returns the new generation. */
  async rotate(): Promise<number> {
    const next = (await this.generationUncached()) + 1;
    await this.#db.insert(appSettings).values({ key: GENERATION_KEY, value: { generation: next } })
      .onConflictDoUpdate({ target: appSettings.key, set: { value: { generation: next }, updatedAt: new Date() } });
    this.#generation = { value: next, at: Date.now() };
    return next;
  }

  async generationUncached(): Promise<number> {
    this.#generation = undefined;
    return this.generation();
  }

  async widgetKey(): Promise<string> {
    return this.#widgetKeyFor(await this.generation());
  }

  async verifyWidgetKey(key: string): Promise<boolean> {
    return this.#box.verify(`widget:${await this.generation()}`, 'agent-widget-key', key);
  }

  #widgetKeyFor(generation: number): string {
    return this.#box.sign(`widget:${generation}`, 'agent-widget-key');
  }

  async signInToken(ownerId: string): Promise<string> {
    return this.#seal({ k: 'i', o: ownerId, g: await this.generation() });
  }

  /** The owner a sign-in link was made for, or null when it is forged or revoked. */
  async verifySignInToken(token: string): Promise<string | null> {
    const p = await this.#open(token);
    return p?.k === 'i' ? p.o : null;
  }

  async issueSession(ownerId: string, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(now + AGENT_SESSION_TTL_MS);
    return { token: this.#seal({ k: 's', o: ownerId, g: await this.generation(), e: Math.floor(expiresAt.getTime() / 1000) }), expiresAt };
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
    return payload.g === await this.generation() ? payload : null;
  }
}

/** The calling widget's URL as registered in HubSpot's calling settings: `${publicUrl}/widget/?key=…`. */
export async function agentWidgetUrl(db: Db, box: SecretBox, publicUrl: string): Promise<string> {
  return `${publicUrl}/widget/?key=${encodeURIComponent(await new AgentAuth(db, box).widgetKey())}`;
}
