/**
 * Every HTTP route Spokes serves beyond /healthz and /metrics, registered in
 * one place: each feature adds its own line.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { collectStatus } from '../status.ts';
import { z } from 'zod';
import { requireDirectLoopback } from './loopback.ts';
import { ValidationError } from '../errors.ts';
import { registerAdmin } from './admin/index.ts';
import { registerHubSpotRoutes } from '../hubspot/index.ts';
import { registerSandboxRoutes } from '../sandbox/routes.ts';
import { registerHubSpotWebhookRoutes } from '../hubspot/webhooks/index.ts';
import { registerCallingSettingsRoutes } from '../hubspot/calling-settings-routes.ts';
import { registerWidgetPage } from './widget-page.ts';
import { registerConnectionRoutes } from '../connections/routes.ts';
import { registerAuditRoutes } from '../sync/audit-routes.ts';
import { mountConnectors } from '../platform/http.ts';
import { PLATFORM_COMMANDS, runPlatformCommand } from '../platform/cli.ts';
import { registerFavicon } from './favicon.ts';
import { usersCommandChanges } from './admin/users-cli.ts';

const retryRequest = z.object({ queue: z.string().min(1).optional(), ids: z.array(z.string()).max(10_000).optional() }).strict();
const cliRequest = z.object({ command: z.enum(PLATFORM_COMMANDS), args: z.array(z.string().max(1_000)).max(50) }).strict();

export async function registerRoutes(app: FastifyInstance, services: Services): Promise<void> {
  // First: admin sessions and the guard that makes every other /api/ route need one.
  await registerAdmin(app, services);

  // `spokes status` asks a running server when the embedded database is in its hands.
  app.get('/api/status', async (request) => {
    requireDirectLoopback(request);
    return collectStatus(services, { answering: true });
  });
  // …and `spokes retry` asks it to put dead letters back to work. JSON only: a web page cannot send
  // that cross-origin without a CORS preflight, which this server never grants.
  app.post('/api/status/retry', async (request) => {
    requireDirectLoopback(request);
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new ValidationError('send a JSON body: {"queue"?: string, "ids"?: string[]}');
    }
    const body = retryRequest.safeParse(request.body ?? {});
    if (!body.success) throw new ValidationError(`invalid request: ${body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
    return { retried: await services.queue.retryFailed(body.data) };
  });
  // …and `spokes connections …` / `spokes audit …` run here, on the database this process holds.
  app.post('/api/status/cli', async (request) => {
    requireDirectLoopback(request);
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new ValidationError('send a JSON body: {"command": "connections" | "audit", "args": string[]}');
    }
    const body = cliRequest.safeParse(request.body ?? {});
    if (!body.success) throw new ValidationError(`invalid request: ${body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
    // Changing who may sign in takes the database itself, not merely a process on this machine.
    if (body.data.command === 'users' && usersCommandChanges(body.data.args)) {
      return { code: 1, output: 'spokes users: stop the running server first (or use the Users page): only `spokes users list` runs through it.\n' };
    }
    return runPlatformCommand(services.platform, body.data.command, body.data.args);
  });

  registerFavicon(app);
  registerHubSpotRoutes(app, services.hubspot);
  registerCallingSettingsRoutes(app, services);
  registerWidgetPage(app, { sandboxUrl: () => services.sandboxes?.hubspot.url });
  await registerHubSpotWebhookRoutes(app, {
    store: services.hubspot.store,
    queue: services.queue,
    get publicUrl() {
      return services.hubspot.publicUrl;
    },
    toConnectors: (events) => services.platform.hubspotEvents(events),
  });
  registerSandboxRoutes(app, services);

  // The connector platform: connections, the audit log, and what each platform connector declares.
  registerConnectionRoutes(app, {
    platform: services.platform,
    db: services.database.db,
    secretBox: services.secretBox,
    hubspot: services.hubspot,
    queue: () => services.queue,
  });
  registerAuditRoutes(app, services.platform.audit);
  await mountConnectors(app, { platform: services.platform, db: services.database.db, secretBox: services.secretBox });
}
