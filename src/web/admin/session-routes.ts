/**
 * `GET /api/session` (am I signed in, as whom? + CSRF token), `POST /api/session`
 * (sign in: e-mail and password; the password alone signs in the first admin,
 * login `admin`) and `DELETE /api/session` (sign out).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SpokesError, UnauthorizedError } from '../../errors.ts';
import type { Db } from '../../db/open.ts';
import { parseInput } from '../errors.ts';
import { ADMIN_LOGIN, hashPassword, verifyPassword } from './password.ts';
import { clearSessionCookie, currentSession, setSessionCookie } from './require-admin.ts';
import type { SignInLimiter } from './sign-in-limiter.ts';
import type { Role } from './schema.ts';
import { normalizeLogin, type UserStore } from './users.ts';

export interface ApiSession {
  signedIn: boolean;
  csrfToken?: string;
  user?: { id: string; email: string; role: Role };
}

// No minimum length here: a short guess is just a wrong password. The maximum bounds scrypt's work.
const signInBody = z.object({
  email: z.string().max(254, 'is too long').optional(),
  password: z.string({ error: 'enter the password' }).min(1, 'enter the password').max(1024, 'is too long'),
});

// Checked against when the login is unknown, so that an unknown e-mail takes as long as a wrong password.
let decoyHash: Promise<string> | undefined;

export function registerSessionRoutes(app: FastifyInstance, deps: { db: Db; limiter: SignInLimiter; users: UserStore }): void {
  app.get('/api/session', async (request, reply): Promise<ApiSession> => {
    reply.header('cache-control', 'no-store');
    const session = await currentSession(request, reply);
    return session ? { signedIn: true, csrfToken: session.csrfToken, user: session.user } : { signedIn: false };
  });

  app.post('/api/session', { config: { audit: 'none' } }, async (request, reply): Promise<ApiSession> => {
    // JSON only: a cross-site HTML form cannot send it without a CORS preflight,
    // so another site cannot sign a visitor's browser in to this Spokes.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      throw new SpokesError('validation_failed', 'send the password as JSON: {"password": "…"}', { status: 415 });
    }
    const body = parseInput(signInBody, request.body, 'body');
    const { password } = body;
    // Each login's failures are limited whatever the address (known or not: nothing tells them apart).
    const account = body.email?.trim() ? normalizeLogin(body.email) : ADMIN_LOGIN;
    const limit = await deps.limiter.take(request.ip, account);
    if (!limit.ok) {
      // The error contract plus the wait, in the body and in Retry-After. Nothing says whether the password was right.
      const message =
        limit.scope === 'account'
          ? `Too many failed sign-ins to this account. It is locked for now: try again in ${describeWait(limit.retryAfterSeconds)}.`
          : `Too many sign-in attempts. Try again in ${limit.retryAfterSeconds} seconds.`;
      return reply
        .status(429)
        .header('retry-after', String(limit.retryAfterSeconds))
        .send({
          error: { code: 'too_many_requests', message, retryAfterSeconds: limit.retryAfterSeconds },
        });
    }
    const user = await deps.users.findByLogin(account);
    decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
    if (!user || !matches) {
      throw new UnauthorizedError(account === ADMIN_LOGIN && !body.email ? 'That password is not correct.' : 'That e-mail address and password do not match.');
    }
    await deps.limiter.succeeded(request.ip, account);

    const auth = request.server.adminAuth;
    // A fresh id on every sign-in (no session fixation); the browser's previous session ends.
    const previous = await currentSession(request, reply);
    if (previous) await auth.sessions.delete(previous);
    const { id, session } = await auth.sessions.create({ id: user.id, email: user.email, role: user.role });
    setSessionCookie(reply, auth, id);
    request.adminSession = session;
    reply.header('cache-control', 'no-store');
    return { signedIn: true, csrfToken: session.csrfToken, user: session.user };
  });

  // Not public: the root guard has already required the session and its CSRF token.
  app.delete('/api/session', { config: { role: 'member', audit: 'none' } }, async (request, reply) => {
    const session = await currentSession(request, reply);
    if (session) await request.server.adminAuth.sessions.delete(session);
    clearSessionCookie(reply, request.server.adminAuth);
    return reply.status(204).send();
  });
}

/** "45 seconds", "1 minute", "15 minutes". */
function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
