/**
 * HubSpot connection endpoints: the admin API behind the HubSpot page (T1, T2;
 * signed-in admins only, enforced for every `/api/` route) and the OAuth
 * callback HubSpot redirects to.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../web/errors.ts';
import { SpokesError } from '../errors.ts';
import type { HubSpotService } from './service.ts';
import { callbackPage } from './callback-page.ts';
import { HUBSPOT } from './manifest.ts';

const appBody = z.object({
  clientId: z.string().trim().min(1, 'required'),
  clientSecret: z.string().trim().min(1, 'required'),
});
const tokenBody = z.object({ accessToken: z.string().trim().min(1, 'required') });
const callbackQuery = z.object({
  code: z.string().max(2048).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

export function registerHubSpotRoutes(app: FastifyInstance, hubspot: HubSpotService): void {
  app.get('/api/hubspot', async () => hubspot.status());

  app.put('/api/hubspot/app', async (request) => {
    await hubspot.saveApp(parseInput(appBody, request.body, 'body'));
    return hubspot.status();
  });

  app.post('/api/hubspot/authorize', async () => {
    const { authorizeUrl } = await hubspot.beginAuthorization();
    return { authorizeUrl };
  });

  app.post('/api/hubspot/private-app-token', async (request) => {
    await hubspot.connectPrivateApp(parseInput(tokenBody, request.body, 'body').accessToken);
    return hubspot.status();
  });

  app.delete('/api/hubspot/connection', async () => {
    await hubspot.disconnect();
    return hubspot.status();
  });

  app.get(HUBSPOT.callbackPath, async (request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const parsed = callbackQuery.safeParse(request.query);
    if (!parsed.success)
      return reply
        .status(400)
        .send(callbackPage({ ok: false, reason: 'The link HubSpot sent back is malformed. Start again with "Connect" on the Spokes HubSpot page.' }));
    // A person signing in with HubSpot (user-sign-in.ts), not an admin connecting Spokes.
    const signIn = hubspot.signInCallbackFor(parsed.data.state);
    if (signIn) return signIn(parsed.data, request, reply);
    try {
      await hubspot.completeAuthorization(parsed.data);
      const { connection } = await hubspot.status();
      return reply.send(callbackPage({ ok: true, account: connection ? `${connection.accountName} (${connection.portalId})` : 'HubSpot' }));
    } catch (err) {
      const status = err instanceof SpokesError && err.status < 500 ? 400 : 502;
      request.log.warn({ err: (err as Error).message }, 'HubSpot authorization failed');
      return reply.status(status).send(callbackPage({ ok: false, reason: (err as Error).message }));
    }
  });
}
