/**
 * The calling widget registration's API (src/hubspot/calling-settings-routes.ts,
 * C1) and the widget URL the telephony connector serves, checked with zod.
 */
import { z } from 'zod';
import { api } from '../../shared/api.ts';

const settingsFields = {
  name: z.string(),
  url: z.string(),
  width: z.number(),
  height: z.number(),
  isReady: z.boolean(),
  supportsCustomObjects: z.boolean(),
  supportsInboundCalling: z.boolean(),
  usesCallingWindow: z.boolean(),
  usesRemote: z.boolean(),
};
const apiCalling = z.object({
  credentials: z.object({ appId: z.number(), source: z.enum(['saved', 'sandbox']), developerApiKeySet: z.literal(true) }).nullable(),
  settings: z.object({ ...settingsFields, createdAt: z.string(), updatedAt: z.string() }).nullable(),
  defaults: z.object(settingsFields).omit({ url: true }),
  overrideKey: z.string(),
  sandbox: z.boolean(),
  error: z.string().nullable(),
});

export type ApiCalling = z.infer<typeof apiCalling>;
export type CallingSettingsInput = z.infer<z.ZodObject<typeof settingsFields>>;

export const callingApi = {
  get: () => api('GET', '/api/hubspot/calling-settings', { schema: apiCalling }),
  /** The key is write-only: omitted, the saved one is kept. */
  saveCredentials: (input: { appId: string; developerApiKey?: string }) =>
    api('PUT', '/api/hubspot/calling-settings/credentials', { body: input, schema: apiCalling }),
  register: (settings: CallingSettingsInput) => api('POST', '/api/hubspot/calling-settings', { body: settings, schema: apiCalling }),
  update: (settings: Partial<CallingSettingsInput>) => api('PATCH', '/api/hubspot/calling-settings', { body: settings, schema: apiCalling }),
  remove: () => api('DELETE', '/api/hubspot/calling-settings', { schema: apiCalling }),
  /** The widget URL with its key (the telephony connector's agent sign-in). */
  widgetUrl: async () => (await api('GET', '/api/telephony/agents', { schema: z.object({ widgetUrl: z.string() }) })).widgetUrl,
};

/** HubSpot's DevTools override for testing in one browser (seed 004): any settings field, here the name and URL. */
export function overrideSnippet(key: string, name: string, url: string): string {
  return `localStorage.setItem(${JSON.stringify(key)}, JSON.stringify(${JSON.stringify({ name, url, isReady: true })}));`;
}
