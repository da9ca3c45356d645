/** The users API (src/web/admin/user-routes.ts), typed for the pages. */
import { z } from 'zod';
import { api } from '../../shared/api.ts';
import { apiSession } from '../session.tsx';

const role = z.enum(['owner', 'manager', 'member']);
const user = z.object({ id: z.string(), email: z.string(), role, createdAt: z.string() });
const invite = z.object({ id: z.string(), email: z.string(), role, invitedBy: z.string().nullable(), createdAt: z.string(), expiresAt: z.string() });
const usersPage = z.object({ users: z.array(user), invites: z.array(invite) });

export type ApiUser = z.infer<typeof user>;
export type ApiInvite = z.infer<typeof invite>;

export const usersApi = {
  list: () => api('GET', '/api/users', { schema: usersPage }),
  invite: (email: string, r: z.infer<typeof role>) =>
    api('POST', '/api/users/invites', { body: { email, role: r }, schema: z.object({ invite, link: z.string() }) }),
  withdraw: (id: string) => api('DELETE', `/api/users/invites/${encodeURIComponent(id)}`),
  setRole: (id: string, r: z.infer<typeof role>) => api('PATCH', `/api/users/${encodeURIComponent(id)}`, { body: { role: r }, schema: z.object({ user }) }),
  remove: (id: string) => api('DELETE', `/api/users/${encodeURIComponent(id)}`),
  checkInvite: (token: string) =>
    api('POST', '/api/invite/check', { body: { token }, schema: z.object({ email: z.string(), role, expiresAt: z.string() }), quietUnauthorized: true }),
  acceptInvite: (token: string, password: string) =>
    api('POST', '/api/invite/accept', { body: { token, password }, schema: apiSession, quietUnauthorized: true }),
};

export const ROLE_LABEL = { owner: 'Owner', manager: 'Manager', member: 'Member' } as const;
export const ROLE_HELP = {
  owner: 'everything, and the people: invites, roles, removals',
  manager: 'connects and disconnects connectors, changes settings',
  member: 'sees status, activity and their own items; changes nothing',
} as const;
