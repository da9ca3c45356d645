/**
 * C1 on the admin page (HubSpot → Calling widget): the app id and developer API
 * key (write-only), the registered calling settings, and register / update /
 * delete. Signed-in admins only, like every `/api/` route.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import type { Db } from '../db/open.ts';
import { SANDBOX_APP_NAME } from './manifest.ts';
import {
  CALLING_DEFAULTS,
  CallingSettingsService,
  LOCAL_OVERRIDE_KEY,
  recordingUrlTemplate,
  type CallingSettings,
  type RegisteredCallingSettings,
} from './calling-settings.ts';

export interface ApiCallingSettings {
  credentials: { appId: number; source: 'saved' | 'sandbox'; developerApiKeySet: true } | null;
  settings: RegisteredCallingSettings | null;
  defaults: Omit<CallingSettings, 'url'>;
  overrideKey: string;
  sandbox: boolean;
  /** Why the settings could not be read (HubSpot unreachable, key refused…). */
  error: string | null;
}

/** What the calling settings take of the process's services (a connector's context gives these too). */
export type CallingSettingsDeps = Pick<Services, 'hubspot' | 'secretBox' | 'sandboxes'> & { database: { db: Db } };

/** The service for this process: saved credentials, else (sandbox mode) the emulator's Spokes app. */
export function callingSettingsService(services: CallingSettingsDeps): CallingSettingsService {
  const { hubspot } = services;
  return new CallingSettingsService({
    db: services.database.db,
    secretBox: services.secretBox,
    baseUrl: async () => (await hubspot.store.connection())?.baseUrl ?? hubspot.baseUrl,
    sandboxCredentials: () => {
      const app = services.sandboxes?.hubspot.info().apps.find((a) => a.name === SANDBOX_APP_NAME && a.redirectUrls.includes(hubspot.redirectUrl));
      return app ? { appId: app.appId, developerApiKey: app.developerApiKey } : undefined;
    },
    recordingUrl: () => recordingUrlTemplate(hubspot.publicUrl),
  });
}

export function registerCallingSettingsRoutes(app: FastifyInstance, services: Services): void {
  const calling = callingSettingsService(services);

  async function view(): Promise<ApiCallingSettings> {
    const creds = await calling.credentials();
    let settings: RegisteredCallingSettings | null = null;
    let error: string | null = null;
    if (creds) {
      try {
        settings = await calling.show();
      } catch (err) {
        error = (err as Error).message;
      }
    }
    return {
      credentials: creds && { appId: creds.appId, source: creds.source, developerApiKeySet: true },
      settings,
      defaults: CALLING_DEFAULTS,
      overrideKey: LOCAL_OVERRIDE_KEY,
      sandbox: !!services.sandboxes,
      error,
    };
  }

  app.get('/api/hubspot/calling-settings', view);

  app.put('/api/hubspot/calling-settings/credentials', async (request) => {
    await calling.saveCredentials((request.body ?? {}) as never);
    return view();
  });

  app.delete('/api/hubspot/calling-settings/credentials', async () => {
    await calling.clearCredentials();
    return view();
  });

  app.post('/api/hubspot/calling-settings', async (request) => {
    await calling.register(request.body as CallingSettings);
    return view();
  });

  app.patch('/api/hubspot/calling-settings', async (request) => {
    await calling.update(request.body as Partial<CallingSettings>);
    return view();
  });

  app.delete('/api/hubspot/calling-settings', async () => {
    await calling.remove();
    return view();
  });
}
