/**
 * Who may call what. Every `/api/…` route needs a signed-in user unless it is
 * listed in PUBLIC_API below, every mutation also needs the session's CSRF
 * token in `x-csrf-token`, and the user's role must be at least the route's
 * (`config.role`, or the default of roles.ts: reads for everyone signed in,
 * changes for managers and owners). A root `onRequest` guard enforces this by
 * route pattern, so a route registered without thinking about auth is still
 * protected; `requireAdmin` is the same check for routes outside `/api/`.
 * Every change a signed-in user makes is recorded in the audit log with who
 * made it (`onResponse` below).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SpokesError, UnauthorizedError } from '../../errors.ts';
import type { AuditLog } from '../../sync/audit-log.ts';
import { checkRole, requiredRole, type Role } from './roles.ts';
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
  /** Where signed-in changes are recorded, with who made them. */
  audit?: AuditLog;
  /** Every route added after the guard, with who may call it (filled by an `onRoute` hook): the role test walks them. */
  routes: GuardedRoute[];
}

export interface GuardedRoute {
  method: string;
  url: string;
  /** `public`: answers without a session (PUBLIC_API); otherwise the least role. Outside `/api/`: `undefined` unless the route says. */
  access: Role | 'public' | undefined;
}

/** Routes under /api/ that answer without a session: method + route pattern, or a pattern prefix ending in `/*`. */
const PUBLIC_API = [
  'GET /api/status', // `spokes status`, loopback-only
  'POST /api/status/retry', // `spokes retry`, loopback-only, JSON body
  'POST /api/status/cli', // `spokes connections|audit` on the embedded database, loopback-only, JSON body
  'GET /api/session', // "am I signed in?"
  'POST /api/session', // sign-in: rate-limited instead
  'POST /api/invite/check', // an invitee holding a one-time link (the token is the proof), JSON body
  'POST /api/invite/accept',
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
  checkRole(request, session.user.role);
  passedGuard.add(request);
}

/** Requests that passed `requireAdmin`: their changes are audited (not those of public routes that merely read a session). */
const passedGuard = new WeakSet<FastifyRequest>();

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
export function installAdminGuard(app: FastifyInstance, auth: Omit<AdminAuth, 'routes'>): void {
  const routes: GuardedRoute[] = [];
  app.decorate('adminAuth', { ...auth, routes });
  app.decorateRequest('adminSession', undefined);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const guarded = route.url.startsWith('/api/');
      const access = guarded && isPublicApi(method, route.url) ? 'public' : guarded || route.config?.role ? requiredRole(method, route.config) : undefined;
      routes.push({ method, url: route.url, access });
    }
  });
  // Who changed what: every change a signed-in user made that succeeded, by route, with the user.
  app.addHook('onResponse', async (request, reply) => {
    const session = request.adminSession;
    if (!auth.audit || !session || !passedGuard.has(request) || !MUTATIONS.has(request.method) || reply.statusCode >= 400) return;
    if (request.routeOptions.config?.audit) return;
    const pattern = request.routeOptions.url ?? '';
    const params = (request.params ?? {}) as Record<string, string>;
    const area = /^\/api\/([^/]+)/.exec(pattern)?.[1] ?? 'admin';
    await auth.audit
      .record({
        // `admin`, apart from the connectors' own writes (whose connector and connection filters stay theirs).
        connector: 'admin',
        target: 'spokes',
        objectType: area,
        objectId: Object.values(params).join('/').slice(0, 200) || null,
        operation: `${request.method} ${pattern}`,
        cause: { type: 'person', ref: session.user.email },
        outcome: 'succeeded',
        actor: session.user.email,
      })
      .catch((err: Error) => request.log.error({ err: err.message }, 'could not record an admin change in the audit log'));
  });
  app.addHook('onRequest', async (request, reply) => {
    // The matched route's pattern, not the raw URL: `/api/status?x`, `/api/%73tatus` or a trailing
    // slash cannot make a protected route look public. Unmatched paths fall back to the URL.
    const pattern = request.routeOptions.url ?? request.url.split('?')[0]!;
    if (!pattern.startsWith('/api/') || isPublicApi(request.method, pattern)) return;
    await requireAdmin(request, reply);
  });
}
