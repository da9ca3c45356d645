/**
 * Admin sessions: a random id in an httpOnly cookie, its SHA-256 in
 * `admin_sessions`, a per-session CSRF token, and an expiry that slides
 * forward while the admin keeps using the page.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import { adminSessions, adminUsers, type Role } from './schema.ts';

export const SESSION_COOKIE = 'spokes_session';
/** Idle lifetime: a session unused for this long is gone. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
// Slide at most once a minute, so a page polling every 2 s does not write on every request.
const SLIDE_AFTER_MS = 60 * 1000;

/** Who is signed in: read with the session on every request, so a changed role counts at once. */
export interface SessionUser {
  id: string;
  email: string;
  role: Role;
}

export interface AdminSession {
  idHash: string;
  csrfToken: string;
  expiresAt: Date;
  user: SessionUser;
}

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Creates a session; returns the cookie value (shown to nobody else) and the session. */
  async create(user: SessionUser, now = new Date()): Promise<{ id: string; session: AdminSession }> {
    // Expired rows are swept here rather than by a job: sign-ins are rare and the table stays tiny.
    await this.#db.delete(adminSessions).where(lt(adminSessions.expiresAt, now));
    const id = randomBytes(32).toString('base64url');
    const session = { idHash: hashId(id), csrfToken: randomBytes(32).toString('base64url'), expiresAt: new Date(now.getTime() + SESSION_TTL_MS) };
    await this.#db.insert(adminSessions).values({ ...session, userId: user.id });
    return { id, session: { ...session, user } };
  }

  /** The live session for a cookie value, or undefined when unknown or expired. */
  async find(id: string | undefined, now = new Date()): Promise<AdminSession | undefined> {
    if (!id || id.length > 100) return undefined;
    const [row] = await this.#db
      .select({ s: adminSessions, id: adminUsers.id, email: adminUsers.email, role: adminUsers.role })
      .from(adminSessions)
      .innerJoin(adminUsers, eq(adminUsers.id, adminSessions.userId))
      .where(and(eq(adminSessions.idHash, hashId(id)), gt(adminSessions.expiresAt, now)));
    return row
      ? { idHash: row.s.idHash, csrfToken: row.s.csrfToken, expiresAt: row.s.expiresAt, user: { id: row.id, email: row.email, role: row.role } }
      : undefined;
  }

  /** Pushes the expiry forward when the last push is more than a minute old; true when it moved. */
  async slide(session: AdminSession, now = new Date()): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    if (expiresAt.getTime() - session.expiresAt.getTime() < SLIDE_AFTER_MS) return false;
    await this.#db.update(adminSessions).set({ expiresAt }).where(eq(adminSessions.idHash, session.idHash));
    session.expiresAt = expiresAt;
    return true;
  }

  async delete(session: AdminSession): Promise<void> {
    await this.#db.delete(adminSessions).where(eq(adminSessions.idHash, session.idHash));
  }

  /** Signs a user out everywhere: every browser's session ends. */
  async deleteAllOf(userId: string): Promise<void> {
    await this.#db.delete(adminSessions).where(eq(adminSessions.userId, userId));
  }
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: AdminSession, header: unknown): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(header);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
