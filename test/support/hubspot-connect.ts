/**
 * Connects a HubSpotService to a HubSpot emulator through the real OAuth code
 * exchange (the emulator approves the install in place of a person).
 */
import type { HubSpotService } from '../../src/hubspot/service.ts';
import type { HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';

export async function connectByOAuth(hubspot: HubSpotService, sandbox: HubSpotSandbox, portalIndex = 0): Promise<{ portalId: number; appId: number }> {
  const app = sandbox.registerApp({
    name: 'Spokes test',
    redirectUrls: [hubspot.redirectUrl],
    scopes: [...HUBSPOT.requiredScopes],
    optionalScopes: [...HUBSPOT.optionalScopes],
  });
  await hubspot.saveApp({ clientId: app.clientId, clientSecret: app.clientSecret });
  const portal = sandbox.info().portals.filter((p) => p.type === 'STANDARD')[portalIndex]!;
  const { state } = await hubspot.beginAuthorization();
  const { redirectUrl } = sandbox.approveInstall({
    clientId: app.clientId,
    redirectUri: hubspot.redirectUrl,
    scopes: [...HUBSPOT.requiredScopes],
    state,
    portalId: portal.portalId,
  });
  const back = new URL(redirectUrl);
  await hubspot.completeAuthorization({ code: back.searchParams.get('code')!, state: back.searchParams.get('state')! });
  return { portalId: portal.portalId, appId: app.appId };
}

/** Requests the emulator received on routes whose key contains `fragment` (e.g. `/oauth/v1/token`). */
export function routeCount(sandbox: HubSpotSandbox, fragment: string, status?: number): number {
  let n = 0;
  for (const [route, byStatus] of Object.entries(sandbox.stats().byRoute)) {
    if (!route.includes(fragment)) continue;
    for (const [s, count] of Object.entries(byStatus)) if (status === undefined || Number(s) === status) n += count;
  }
  return n;
}
