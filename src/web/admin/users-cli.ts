/**
 * `spokes users list | invite <email> [--role owner|manager|member] | role <email> <role> | remove <email>`:
 * the Users page from a terminal, with the same rules (users.ts): the link of an invitation is printed
 * once, the last owner stays, a removed user is signed out everywhere. Changes are audited with the
 * actor `cli`. Over a running server's loopback endpoint only `list` runs (src/web/routes.ts): changing
 * who may sign in takes the database itself, not merely a shell on the machine.
 */
import type { Db } from '../../db/open.ts';
import { SpokesError } from '../../errors.ts';
import { AuditLog } from '../../sync/audit-log.ts';
import { ROLES, type Role } from './schema.ts';
import { INVITE_PAGE } from './user-routes.ts';
import { normalizeLogin, parseEmail, UserStore } from './users.ts';

export const USERS_USAGE = 'usage: spokes users list [--json] | invite <email> [--role owner|manager|member] | role <email> <role> | remove <email>';

export class UsersUsageError extends Error {}

/** The subcommands that change something: refused over the running server's loopback endpoint. */
export function usersCommandChanges(args: readonly string[]): boolean {
  return args[0] !== undefined && args[0] !== 'list';
}

export async function runUsersCommand(db: Db, publicUrl: string, args: readonly string[]): Promise<string> {
  const users = new UserStore(db);
  const audit = new AuditLog(db);
  const record = (operation: string, email: string) =>
    audit.record({
      connector: 'admin',
      target: 'spokes',
      objectType: 'user',
      objectId: email,
      operation,
      cause: { type: 'person', ref: 'cli' },
      outcome: 'succeeded',
      actor: 'cli',
    });
  const positional: string[] = [];
  let roleFlag: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--role') roleFlag = args[++i] ?? '';
    else if (arg.startsWith('--role=')) roleFlag = arg.slice(7);
    else if (arg.startsWith('--')) throw new UsersUsageError(`unknown option ${arg}; ${USERS_USAGE}`);
    else positional.push(arg);
  }
  const [sub, a, b, ...extra] = positional;
  const parseRole = (value: string | undefined): Role => {
    if (!value || !(ROLES as readonly string[]).includes(value)) throw new UsersUsageError(`the role is one of ${ROLES.join(', ')}; ${USERS_USAGE}`);
    return value as Role;
  };
  const byEmail = async (email: string | undefined) => {
    if (!email) throw new UsersUsageError(`${sub} needs the user's e-mail address (spokes users list shows them); ${USERS_USAGE}`);
    const user = await users.findByLogin(email);
    if (!user) throw new SpokesError('not_found', `no user ${normalizeLogin(email)}`, { status: 404 });
    return user;
  };
  switch (sub) {
    case 'list': {
      const [list, invites] = await Promise.all([users.list(), users.invites()]);
      if (json) return `${JSON.stringify({ users: list, invites }, null, 2)}\n`;
      const rows = [
        ...list.map((u) => `${u.email.padEnd(32)} ${u.role.padEnd(8)} since ${u.createdAt}`),
        ...invites.map((i) => `${i.email.padEnd(32)} ${i.role.padEnd(8)} invited, link valid until ${i.expiresAt}`),
      ];
      return `${rows.join('\n')}\n`;
    }
    case 'invite': {
      if (!a || b !== undefined) throw new UsersUsageError(USERS_USAGE);
      const role = roleFlag === undefined ? 'member' : parseRole(roleFlag);
      const email = parseEmail(a, 'email');
      const { invite, token } = await users.invite(email, role, null);
      await record(`invite as ${role}`, email);
      return `Invited ${email} as ${role}. Send them this link (shown once; it works once, until ${invite.expiresAt}):\n${publicUrl}${INVITE_PAGE}#${token}\n`;
    }
    case 'role': {
      if (extra.length) throw new UsersUsageError(USERS_USAGE);
      const role = parseRole(b);
      const user = await byEmail(a);
      await users.setRole(user.id, role);
      await record(`change role to ${role}`, user.email);
      return `${user.email} is now ${role}.\n`;
    }
    case 'remove': {
      if (b !== undefined) throw new UsersUsageError(USERS_USAGE);
      const user = await byEmail(a);
      await users.remove(user.id);
      await record('remove', user.email);
      return `Removed ${user.email}; they are signed out everywhere.\n`;
    }
    default:
      throw new UsersUsageError(sub ? `unknown subcommand "${sub}"; ${USERS_USAGE}` : USERS_USAGE);
  }
}
