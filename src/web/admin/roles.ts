/**
 * Who may do what in the admin, declared on each route: `config: { role: 'owner' }`.
 * A route that declares nothing gets the default — any signed-in user may read
 * (GET/HEAD), changes (POST/PUT/PATCH/DELETE) need a manager or an owner — so a
 * connector's routes, mounted later under `/api/<slug>/`, are covered with no
 * edit of theirs. The root guard (require-admin.ts) checks it on every request.
 *
 * - owner: everything, and the people (users, invitations, roles).
 * - manager: connects and disconnects connectors, changes settings.
 * - member: sees status, activity and their own items; changes nothing.
 */
import type { FastifyRequest } from 'fastify';
import { SpokesError } from '../../errors.ts';
import type { Role } from './schema.ts';

export { ROLES, type Role } from './schema.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call this route; default: `member` for GET/HEAD, `manager` for changes. */
    role?: Role;
    /** `none`: a signed-in change that is not recorded in the audit log (signing in or out); `self`: the route records its own entries. */
    audit?: 'none' | 'self';
  }
}

const RANK: Record<Role, number> = { member: 1, manager: 2, owner: 3 };
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The role a request's route asks for. */
export function requiredRole(method: string, config: { role?: Role } | undefined): Role {
  return config?.role ?? (READS.has(method) ? 'member' : 'manager');
}

export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

const WHO: Record<Role, string> = { owner: 'an owner', manager: 'an owner or a manager', member: 'a signed-in user' };

/** 403 `forbidden` naming the role needed (and the one held), for the page to show as it is. */
export function checkRole(request: FastifyRequest, held: Role): void {
  const needed = requiredRole(request.method, request.routeOptions.config);
  if (roleAllows(held, needed)) return;
  throw new SpokesError('forbidden', `Only ${WHO[needed]} may do this; you are signed in as a ${held}. The ${needed} role is needed.`, {
    status: 403,
    details: [{ field: 'role', message: `needs the ${needed} role` }],
  });
}
