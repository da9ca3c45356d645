/**
 * Admin sign-in and the admin UI. `registerAdmin` is called first in
 * `src/web/routes.ts`; features protect their routes with `requireAdmin` or
 * `registerAdminRoutes` (every `/api/…` route is guarded anyway).
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.ts';
import { installAdminGuard } from './require-admin.ts';
import { SessionStore } from './sessions.ts';
import { SignInLimiter } from './sign-in-limiter.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerUiPages } from './ui-pages.ts';

export { requireAdmin, registerAdminRoutes, currentSession } from './require-admin.ts';
export { ensureAdminPassword, type PasswordSetup } from './password.ts';

export async function registerAdmin(app: FastifyInstance, services: Pick<Services, 'config' | 'database'>): Promise<void> {
  installAdminGuard(app, {
    sessions: new SessionStore(services.database.db),
    secureCookies: services.config.publicUrl.startsWith('https:'),
  });
  registerSessionRoutes(app, { db: services.database.db, limiter: new SignInLimiter(services.database.db) });
  await registerUiPages(app);
}
