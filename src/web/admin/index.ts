/**
 * Admin sign-in and the admin UI. `registerAdmin` is called first in
 * `src/web/routes.ts`; features protect their routes with `requireAdmin` or
 * `registerAdminRoutes` (every `/api/…` route is guarded anyway), and say
 * who may call them with `config: { role }` (roles.ts; the default suits most).
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.ts';
import { installAdminGuard } from './require-admin.ts';
import { SessionStore } from './sessions.ts';
import { SignInLimiter } from './sign-in-limiter.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerUiPages } from './ui-pages.ts';
import { registerUserRoutes } from './user-routes.ts';
import { UserStore } from './users.ts';
import { AuditLog } from '../../sync/audit-log.ts';

export { requireAdmin, registerAdminRoutes, currentSession } from './require-admin.ts';
export { ensureAdminPassword, type PasswordSetup } from './password.ts';
export { type Role, ROLES } from './roles.ts';

export async function registerAdmin(app: FastifyInstance, services: Pick<Services, 'config' | 'database'>): Promise<void> {
  const db = services.database.db;
  const audit = new AuditLog(db);
  const users = new UserStore(db);
  installAdminGuard(app, {
    sessions: new SessionStore(db),
    secureCookies: services.config.publicUrl.startsWith('https:'),
    audit,
  });
  registerSessionRoutes(app, { db, limiter: new SignInLimiter(db), users });
  registerUserRoutes(app, { users, audit, publicUrl: services.config.publicUrl.replace(/\/+$/, '') });
  await registerUiPages(app);
}
