/**
 * `GET /api/sandbox` (sandbox mode only): where the emulators are and their
 * credentials, one key per emulator, for scripts and tests on this machine.
 * No sign-in is needed, but only direct requests from this machine get an answer.
 * While the emulators are starting (the server already answers): 503 `starting`.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { NotFoundError, SpokesError } from '../errors.ts';
import { requireDirectLoopback } from '../web/loopback.ts';

export function registerSandboxRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/sandbox', async (request) => {
    requireDirectLoopback(request);
    if (services.sandboxStatus === 'starting') {
      throw new SpokesError('starting', 'The sandbox emulators are still starting; ask again in a moment (GET /healthz answers 200 once they are ready).', {
        status: 503,
      });
    }
    if (!services.sandboxes) throw new NotFoundError('Spokes is not running in sandbox mode (SPOKES_SANDBOX=off, or HubSpot credentials are configured).');
    return services.sandboxes.info();
  });
}
