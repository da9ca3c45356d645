/**
 * Who may call what. Every `/api/…` route needs a signed-in admin unless it is
 * listed in PUBLIC_API below, and every mutation also needs the session's CSRF
 * token in `x-csrf-token`. A root `onRequest` guard enforces this by route
 * pattern, so a route registered without thinking about auth is still
 * protected; `requireAdmin` is the same check for routes outside `/api/`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SpokesError, UnauthorizedError } from '../../errors.ts';
import { csrfMatches, SESSION_COOKIE, SESSION_TTL_MS, type AdminSession, type SessionStore } from './sessions.ts';

declare module 'fastify' {
  interface FastifyInstance {
    adminAuth: AdminAuth;
  }
  interface FastifyRequest {
    /** The signed-in admin's session once looked up: null = looked up, none. */
    adminSession: AdminSession | null | undefined;
  }
}

export interface AdminAuth {
  sessions: SessionStore;
  /** Set when SPOKES_PUBLIC_URL is https: cookies get `Secure` and the `__Host-` prefix. */
  secureCookies: boolean;
}

/** Routes under /api/ that answer without a session: method + route pattern, or a pattern prefix ending in `/*`. */
const PUBLIC_API = [
  'GET /api/status', // `spokes status`, loopback-only
  'POST /api/status/retry', // `spokes retry`, loopback-only, JSON body
  'POST /api/status/cli', // `spokes connections|audit` on the embedded database, loopback-only, JSON body
  'GET /api/session', // "am I signed in?"
  'POST /api/session', // sign-in: rate-limited instead
  '* /api/sandbox',
  '* /api/sandbox/*', // the built-in sandbox's own controls
];

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function cookieName(auth: AdminAuth): string {
  // `__Host-` cookies must be Secure, host-only and Path=/: a sibling subdomain cannot plant one.
  return auth.secureCookies ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

export function setSessionCookie(reply: FastifyReply, auth: AdminAuth, id: string): void {
  reply.setCookie(cookieName(auth), id, { path: '/', httpOnly: true, sameSite: 'lax', secure: auth.secureCookies, maxAge: SESSION_TTL_MS / 1000 });
}

export function clearSessionCookie(reply: FastifyReply, auth: AdminAuth): void {
  reply.clearCookie(cookieName(auth), { path: '/', httpOnly: true, sameSite: 'lax', secure: auth.secureCookies });
}

/** The request's live session (looked up once per request), sliding its expiry forward. */
export async function currentSession(request: FastifyRequest, reply: FastifyReply): Promise<AdminSession | null> {
  if (request.adminSession !== undefined) return request.adminSession;
  const auth = request.server.adminAuth;
  const id = request.cookies[cookieName(auth)];
  const session = (await auth.sessions.find(id)) ?? null;
  if (session && id && (await auth.sessions.slide(session))) setSessionCookie(reply, auth, id);
  request.adminSession = session;
  return session;
}

/**
 * Fastify preHandler (or onRequest hook): 401 `unauthorized` without a live session,
 * 403 `csrf_failed` for a POST/PUT/PATCH/DELETE without the session's `x-csrf-token`.
 */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const session = await currentSession(request, reply);
  if (!session) throw new UnauthorizedError('Sign in first: your admin session is missing or has expired.');
  if (MUTATIONS.has(request.method) && !csrfMatches(session, request.headers['x-csrf-token'])) {
    throw new SpokesError('csrf_failed', 'This request is missing its security token. Reload the page and try again.', { status: 403 });
  }
}

/**
 * Registers routes that only a signed-in admin may call, in their own scope:
 * `registerAdminRoutes(app, (admin) => { admin.get('/api/hubspot', …) })`.
 */
export function registerAdminRoutes(app: FastifyInstance, register: (admin: FastifyInstance) => Promise<void> | void): void {
  void app.register(async (admin) => {
    admin.addHook('preHandler', requireAdmin);
    await register(admin);
  });
}

export function isPublicApi(method: string, pattern: string): boolean {
  return PUBLIC_API.some((entry) => {
    const [m, p] = entry.split(' ') as [string, string];
    if (m !== '*' && m !== method && !(m === 'GET' && method === 'HEAD')) return false;
    return p.endsWith('/*') ? pattern.startsWith(p.slice(0, -1)) : pattern === p;
  });
}

/** Installs the session lookup and the `/api/` guard on the root instance; call before any route is added. */
export function installAdminGuard(app: FastifyInstance, auth: AdminAuth): void {
  app.decorate('adminAuth', auth);
  app.decorateRequest('adminSession', undefined);
  app.addHook('onRequest', async (request, reply) => {
    // The matched route's pattern, not the raw URL: `/api/status?x`, `/api/%73tatus` or a trailing
    // slash cannot make a protected route look public. Unmatched paths fall back to the URL.
    const pattern = request.routeOptions.url ?? request.url.split('?')[0]!;
    if (!pattern.startsWith('/api/') || isPublicApi(request.method, pattern)) return;
    await requireAdmin(request, reply);
  });
}
