/**
 * `GET /api/sandbox` (sandbox mode only): where the emulators are and their
 * credentials, one key per emulator, for scripts and tests on this machine.
 * No sign-in is needed, but only direct requests from this machine get an answer.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { NotFoundError } from '../errors.ts';
import { requireDirectLoopback } from '../web/loopback.ts';

export function registerSandboxRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/sandbox', async (request) => {
    requireDirectLoopback(request);
    if (!services.sandboxes) throw new NotFoundError('Spokes is not running in sandbox mode (SPOKES_SANDBOX=off, or HubSpot credentials are configured).');
    return services.sandboxes.info();
  });
}
