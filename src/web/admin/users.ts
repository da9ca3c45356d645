/**
 * The people who use the admin (`admin_users`) and the invitations that bring
 * them in (`admin_invites`). Rules kept here, in one transaction each, so the
 * HTTP routes and the CLI get them alike:
 *
 * - the last owner can be neither removed nor demoted;
 * - a removed user is signed out everywhere (their sessions are deleted);
 * - an invitation link is shown once (only the SHA-256 of its token is kept),
 *   works once (claimed atomically) and expires after INVITE_TTL_MS.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import { ConflictError, NotFoundError, SpokesError, ValidationError } from '../../errors.ts';
import { hashPassword } from './password.ts';
import { adminInvites, adminSessions, adminUsers, type Role } from './schema.ts';

/** An invitation link works for three days. */
export const INVITE_TTL_MS = 3 * 24 * 3600_000;

export interface UserView {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

export interface InviteView {
  id: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Lower-case, trimmed: one person, one login, however they type it. */
export function normalizeLogin(email: string): string {
  return email.trim().toLowerCase();
}

function lastOwnerError(action: string): SpokesError {
  return new SpokesError('conflict', `This is the last owner: ${action} would leave nobody who can manage users. Make someone else an owner first.`, {
    status: 409,
  });
}

export class UserStore {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async list(): Promise<UserView[]> {
    const rows = await this.#db.select().from(adminUsers).orderBy(asc(adminUsers.createdAt), asc(adminUsers.email));
    return rows.map((u) => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt.toISOString() }));
  }

  async findByLogin(login: string): Promise<{ id: string; email: string; role: Role; passwordHash: string } | undefined> {
    const [row] = await this.#db
      .select()
      .from(adminUsers)
      .where(eq(adminUsers.email, normalizeLogin(login)));
    return row;
  }

  /** Pending invitations (not used, not expired), oldest first. */
  async invites(): Promise<InviteView[]> {
    const rows = await this.#db
      .select({ i: adminInvites, invitedBy: adminUsers.email })
      .from(adminInvites)
      .leftJoin(adminUsers, eq(adminUsers.id, adminInvites.invitedBy))
      .where(and(isNull(adminInvites.usedAt), gt(adminInvites.expiresAt, new Date(this.#now()))))
      .orderBy(asc(adminInvites.createdAt));
    return rows.map(({ i, invitedBy }) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      invitedBy,
      createdAt: i.createdAt.toISOString(),
      expiresAt: i.expiresAt.toISOString(),
    }));
  }

  /** Creates an invitation; the token is returned once, here, and never stored. A new invitation to the same address replaces a pending one. */
  async invite(email: string, role: Role, invitedBy: string | null): Promise<{ invite: InviteView; token: string }> {
    const login = normalizeLogin(email);
    if (await this.findByLogin(login)) throw new ConflictError(`${login} already has an account: change their role instead.`);
    const token = randomBytes(32).toString('base64url');
    const now = this.#now();
    const row = {
      id: randomUUID(),
      tokenHash: hashToken(token),
      email: login,
      role,
      invitedBy,
      createdAt: new Date(now),
      expiresAt: new Date(now + INVITE_TTL_MS),
    };
    await this.#db.transaction(async (tx) => {
      await tx.delete(adminInvites).where(and(eq(adminInvites.email, login), isNull(adminInvites.usedAt)));
      await tx.insert(adminInvites).values(row);
    });
    const [view] = (await this.invites()).filter((i) => i.id === row.id);
    return { invite: view!, token };
  }

  async revokeInvite(id: string): Promise<void> {
    const gone = await this.#db
      .delete(adminInvites)
      .where(and(eq(adminInvites.id, id), isNull(adminInvites.usedAt)))
      .returning({ id: adminInvites.id });
    if (!gone.length) throw new NotFoundError('No pending invitation with this id.');
  }

  /** What a link is for, before the invitee chooses a password; undefined when unknown, used or expired. */
  async checkInvite(token: string): Promise<{ email: string; role: Role; expiresAt: string } | undefined> {
    const [row] = await this.#db
      .select()
      .from(adminInvites)
      .where(and(eq(adminInvites.tokenHash, hashToken(token)), isNull(adminInvites.usedAt), gt(adminInvites.expiresAt, new Date(this.#now()))));
    return row ? { email: row.email, role: row.role, expiresAt: row.expiresAt.toISOString() } : undefined;
  }

  /** Uses an invitation: claims it (once, atomically), creates the user with this password. */
  async acceptInvite(token: string, password: string): Promise<{ id: string; email: string; role: Role }> {
    const passwordHash = await hashPassword(password);
    const now = new Date(this.#now());
    return this.#db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(adminInvites)
        .set({ usedAt: now })
        .where(and(eq(adminInvites.tokenHash, hashToken(token)), isNull(adminInvites.usedAt), gt(adminInvites.expiresAt, now)))
        .returning();
      if (!claimed) {
        throw new SpokesError(
          'not_found',
          'This invitation link is not valid: it was already used, it has expired or it was withdrawn. Ask an owner for a new one.',
          {
            status: 410,
          },
        );
      }
      const [user] = await tx
        .insert(adminUsers)
        .values({ id: randomUUID(), email: claimed.email, role: claimed.role, passwordHash })
        .onConflictDoNothing()
        .returning();
      if (!user) throw new ConflictError(`${claimed.email} already has an account: sign in instead.`);
      return { id: user.id, email: user.email, role: user.role };
    });
  }

  /** Changes a role; refuses to demote the last owner. Sessions stay: each request reads the role afresh. */
  async setRole(id: string, role: Role): Promise<UserView> {
    return this.#db.transaction(async (tx) => {
      // Owners locked in a fixed order: two owners demoting each other at once cannot both succeed.
      const owners = await tx.select({ id: adminUsers.id }).from(adminUsers).where(eq(adminUsers.role, 'owner')).orderBy(asc(adminUsers.id)).for('update');
      const [user] = await tx.select().from(adminUsers).where(eq(adminUsers.id, id)).for('update');
      if (!user) throw new NotFoundError('No user with this id.');
      if (user.role === 'owner' && role !== 'owner' && owners.length <= 1) throw lastOwnerError(`making them a ${role}`);
      const [updated] = await tx
        .update(adminUsers)
        .set({ role, updatedAt: new Date(this.#now()) })
        .where(eq(adminUsers.id, id))
        .returning();
      return { id: updated!.id, email: updated!.email, role: updated!.role, createdAt: updated!.createdAt.toISOString() };
    });
  }

  /** Removes a user and signs them out everywhere; refuses to remove the last owner. */
  async remove(id: string): Promise<UserView> {
    return this.#db.transaction(async (tx) => {
      const owners = await tx.select({ id: adminUsers.id }).from(adminUsers).where(eq(adminUsers.role, 'owner')).orderBy(asc(adminUsers.id)).for('update');
      const [user] = await tx.select().from(adminUsers).where(eq(adminUsers.id, id)).for('update');
      if (!user) throw new NotFoundError('No user with this id.');
      if (user.role === 'owner' && owners.length <= 1) throw lastOwnerError('removing them');
      // Explicit, though the foreign key cascades too: no session of theirs outlives this transaction.
      await tx.delete(adminSessions).where(eq(adminSessions.userId, id));
      await tx.delete(adminUsers).where(eq(adminUsers.id, id));
      return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
    });
  }
}

/** Checks an address enough to catch typos; the invitee proves it by using the link. */
export function parseEmail(value: string, field = 'body.email'): string {
  const login = normalizeLogin(value);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(login) || login.length > 254) {
    throw new ValidationError(`${field}: must be an e-mail address`, [{ field, message: 'must be an e-mail address' }]);
  }
  return login;
}
