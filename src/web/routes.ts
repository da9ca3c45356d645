/**
 * Every HTTP route Spokes serves beyond /healthz and /metrics, registered in
 * one place: each feature adds its own line.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { collectStatus } from '../status.ts';
import { requireDirectLoopback } from './loopback.ts';
import { registerAdmin } from './admin/index.ts';
import { registerHubSpotRoutes } from '../hubspot/index.ts';
import { registerSandboxRoutes } from '../sandbox/routes.ts';
import { registerHubSpotWebhookRoutes } from '../hubspot/webhooks/index.ts';
import { connectorList } from '../connectors/index.ts';
import { registerCallingSettingsRoutes } from '../hubspot/calling-settings-routes.ts';
import { registerWidgetPage } from './widget-page.ts';

export async function registerRoutes(app: FastifyInstance, services: Services): Promise<void> {
  // First: admin sessions and the guard that makes every other /api/ route need one.
  await registerAdmin(app, services);

  // `spokes status` asks a running server when the embedded database is in its hands.
  app.get('/api/status', async (request) => {
    requireDirectLoopback(request);
    return collectStatus(services.config, services.queue);
  });

  registerHubSpotRoutes(app, services.hubspot);
  registerCallingSettingsRoutes(app, services);
  registerWidgetPage(app, { sandboxUrl: () => services.sandboxes?.hubspot.url });
  await registerHubSpotWebhookRoutes(app, {
    store: services.hubspot.store, queue: services.queue,
    get publicUrl() { return services.hubspot.publicUrl; },
  });
  registerSandboxRoutes(app, services);
  for (const connector of connectorList) await connector.routes(app, services);
}
