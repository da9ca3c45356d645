/**
 * A fresh sandbox: the configured (or default) portals, the app developer account
 * with its developer API key, the default signed-in user and the configured apps.
 */
import type { CountryCode } from 'libphonenumber-js';
import { appRegistrationSchema, DEFAULT_PORTALS, DEFAULT_USER, DEVELOPER_ACCOUNT, type AppRegistration, type ResolvedOptions } from '../options.ts';
import { newUuid } from '../random.ts';
import { SandboxState } from './sandbox-state.ts';

export const DEFAULT_APP: AppRegistration = {
  name: 'Spokes (sandbox app)',
  redirectUrls: ['http://localhost:3000/oauth/hubspot/callback'],
  scopes: ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write'],
};

export function createInitialState(options: ResolvedOptions): SandboxState {
  const state = new SandboxState();
  const portals = options.portals ?? DEFAULT_PORTALS;
  for (const p of portals) {
    state.addPortal({
      portalId: p.portalId,
      name: p.name,
      type: p.type ?? 'STANDARD',
      domain: p.domain ?? `portal-${p.portalId}.example`,
      defaultRegion: (p.defaultRegion ?? 'US') as CountryCode,
      privateAppToken: p.privateAppToken,
    });
  }
  state.developerAccount = { ...DEVELOPER_ACCOUNT, developerApiKey: newUuid() };
  state.addUser({ ...DEFAULT_USER, portalIds: portals.map((p) => p.portalId) });
  for (const app of options.apps ?? [DEFAULT_APP]) registerApp(state, app);
  return state;
}

export function registerApp(state: SandboxState, input: AppRegistration) {
  const app = appRegistrationSchema.parse(input);
  if (app.clientId && state.appByClientId(app.clientId)) throw new Error(`An app with client id ${app.clientId} already exists`);
  return state.addApp(app);
}
