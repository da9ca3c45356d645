/**
 * The people who use the admin. Owners only (`config.role`):
 *
 * - `GET /api/users` — users and pending invitations;
 * - `POST /api/users/invites` `{email, role}` — an invitation; answers its one-time link, shown once;
 * - `DELETE /api/users/invites/:id` — withdraws one;
 * - `PATCH /api/users/:id` `{role}` — changes a role (never the last owner's);
 * - `DELETE /api/users/:id` — removes a user (never the last owner) and signs them out everywhere.
 *
 * Public, for the invitee, who holds the link's token (in the URL's fragment, so it reaches no log):
 * `POST /api/invite/check` `{token}` and `POST /api/invite/accept` `{token, password}` (signs them in).
 * Every change is in the audit log with who made it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SpokesError } from '../../errors.ts';
import type { AuditLog } from '../../sync/audit-log.ts';
import { parseInput } from '../errors.ts';
import { currentSession, setSessionCookie } from './require-admin.ts';
import { ROLES } from './schema.ts';
import { parseEmail, type UserStore } from './users.ts';

export const INVITE_PAGE = '/admin/invite';
/** Long enough to resist guessing offline; the sign-in limits do the rest. */
export const MIN_PASSWORD_LENGTH = 12;

const inviteBody = z.object({ email: z.string().max(254, 'is too long'), role: z.enum(ROLES) }).strict();
const roleBody = z.object({ role: z.enum(ROLES) }).strict();
const idParams = z.object({ id: z.string().min(1).max(100) });
const token = z.string().min(20, 'is not an invitation token').max(100, 'is not an invitation token');
const checkBody = z.object({ token }).strict();
const acceptBody = z
  .object({ token, password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(1024, 'is too long') })
  .strict();

function requireJson(request: FastifyRequest): void {
  // A cross-site HTML form cannot send JSON without a CORS preflight this server never grants.
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw new SpokesError('validation_failed', 'send JSON: {"token": "…"}', { status: 415 });
  }
}

export function registerUserRoutes(app: FastifyInstance, deps: { users: UserStore; audit: AuditLog; publicUrl: string }): void {
  const owner = { config: { role: 'owner' as const, audit: 'self' as const } };
  const record = async (request: FastifyRequest, operation: string, email: string, actor?: string) => {
    const who = actor ?? request.adminSession?.user.email ?? null;
    await deps.audit.record({
      connector: 'admin',
      target: 'spokes',
      objectType: 'user',
      objectId: email,
      operation,
      cause: { type: 'person', ref: who ?? 'unknown' },
      outcome: 'succeeded',
      actor: who,
    });
  };

  app.get('/api/users', { config: { role: 'owner' } }, async () => ({ users: await deps.users.list(), invites: await deps.users.invites() }));

  app.post('/api/users/invites', owner, async (request, reply) => {
    const body = parseInput(inviteBody, request.body, 'body');
    const email = parseEmail(body.email);
    const { invite, token } = await deps.users.invite(email, body.role, request.adminSession!.user.id);
    await record(request, `invite as ${body.role}`, email);
    reply.header('cache-control', 'no-store');
    return reply.status(201).send({ invite, link: `${deps.publicUrl}${INVITE_PAGE}#${token}` });
  });

  app.delete('/api/users/invites/:id', owner, async (request, reply) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const invite = (await deps.users.invites()).find((i) => i.id === id);
    await deps.users.revokeInvite(id);
    await record(request, 'withdraw invitation', invite?.email ?? id);
    return reply.status(204).send();
  });

  app.patch('/api/users/:id', owner, async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const { role } = parseInput(roleBody, request.body, 'body');
    const user = await deps.users.setRole(id, role);
    await record(request, `change role to ${role}`, user.email);
    return { user };
  });

  app.delete('/api/users/:id', owner, async (request, reply) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const user = await deps.users.remove(id);
    await record(request, 'remove', user.email);
    return reply.status(204).send();
  });

  app.post('/api/invite/check', async (request, reply) => {
    requireJson(request);
    const body = parseInput(checkBody, request.body, 'body');
    reply.header('cache-control', 'no-store');
    const invite = await deps.users.checkInvite(body.token);
    if (!invite) {
      throw new SpokesError(
        'not_found',
        'This invitation link is not valid: it was already used, it has expired or it was withdrawn. Ask an owner for a new one.',
        {
          status: 410,
        },
      );
    }
    return invite;
  });

  app.post('/api/invite/accept', { config: { audit: 'self' } }, async (request, reply) => {
    requireJson(request);
    const body = parseInput(acceptBody, request.body, 'body');
    const user = await deps.users.acceptInvite(body.token, body.password);
    await record(request, `accept invitation as ${user.role}`, user.email, user.email);
    const auth = request.server.adminAuth;
    // Signed in as the new user; whoever this browser was signed in as before is signed out here.
    const previous = await currentSession(request, reply);
    if (previous) await auth.sessions.delete(previous);
    const { id, session } = await auth.sessions.create(user);
    setSessionCookie(reply, auth, id);
    reply.header('cache-control', 'no-store');
    return { signedIn: true, csrfToken: session.csrfToken, user: session.user };
  });
}
