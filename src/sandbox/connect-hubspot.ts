/**
 * Sandbox mode comes up connected: Spokes registers itself as an app in the
 * HubSpot emulator and installs itself through the same OAuth code exchange
 * an admin's click performs (the emulator approves the install instead of a
 * person), then points the app's webhooks at itself.
 */
import { SANDBOX_APP_NAME } from '../hubspot/manifest.ts';
import type { Logger } from '../logger.ts';
import type { HubSpotService } from '../hubspot/service.ts';
import type { HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { HUBSPOT } from '../hubspot/manifest.ts';
import { configureSandboxWebhooks } from '../hubspot/webhooks/index.ts';

export async function connectHubSpotSandbox(opts: { hubspot: HubSpotService; sandbox: HubSpotSandbox; log: Logger }): Promise<void> {
  const { hubspot, sandbox, log } = opts;
  const redirectUrl = hubspot.redirectUrl;
  let app = sandbox.info().apps.find((a) => a.name === SANDBOX_APP_NAME && a.redirectUrls.includes(redirectUrl));
  app ??= sandbox.registerApp({
    name: SANDBOX_APP_NAME,
    redirectUrls: [redirectUrl],
    scopes: [...HUBSPOT.requiredScopes],
    optionalScopes: [...HUBSPOT.optionalScopes],
  });

  const saved = await hubspot.store.app();
  if (saved?.clientId !== app.clientId || saved.clientSecret !== app.clientSecret)
    await hubspot.store.saveApp({ clientId: app.clientId, clientSecret: app.clientSecret });
  await configureSandboxWebhooks({
    baseUrl: sandbox.url,
    appId: app.appId,
    developerApiKey: app.developerApiKey,
    targetUrl: `${hubspot.publicUrl}${HUBSPOT.webhookPath}`,
  });

  const current = await hubspot.store.connection();
  if (current?.status === 'connected' && current.baseUrl === sandbox.url) return;
  const portal = sandbox.info().portals.find((p) => p.type === 'STANDARD')!;
  const { state } = await hubspot.beginAuthorization();
  const { redirectUrl: back } = sandbox.approveInstall({
    clientId: app.clientId,
    redirectUri: redirectUrl,
    scopes: [...HUBSPOT.requiredScopes],
    optionalScopes: [...HUBSPOT.optionalScopes],
    state,
    portalId: portal.portalId,
  });
  const url = new URL(back);
  await hubspot.completeAuthorization({ code: url.searchParams.get('code') ?? undefined, state: url.searchParams.get('state') ?? undefined });
  log.info({ portalId: portal.portalId }, 'connected to the HubSpot sandbox');
}
