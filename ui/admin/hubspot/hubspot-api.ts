/**
 * The HubSpot page's API (served by src/hubspot): the wire shape checked with
 * zod, so a server/page mismatch shows as a clear error instead of a broken page.
 */
import { z } from 'zod';
import { api } from '../../shared/api.ts';

const apiConnection = z.object({
  status: z.enum(['connected', 'needs_reauthorization']),
  kind: z.enum(['oauth', 'private_app']),
  portalId: z.number(),
  accountName: z.string(),
  hubDomain: z.string().nullable(),
  connectedAt: z.string(),
  scopes: z.array(z.string()),
  lastError: z.string().nullable(),
});

const apiHubSpot = z.object({
  redirectUrl: z.string(),
  webhookUrl: z.string(),
  scopes: z.object({ required: z.array(z.string()), optional: z.array(z.string()) }),
  app: z.object({ clientId: z.string().nullable(), clientSecretSet: z.boolean() }),
  connection: apiConnection.nullable(),
  sandbox: z.boolean(),
});

export type ApiHubSpot = z.infer<typeof apiHubSpot>;
export type ApiHubSpotConnection = z.infer<typeof apiConnection>;

export const hubspotApi = {
  get: () => api('GET', '/api/hubspot', { schema: apiHubSpot }),
  /** The secret is write-only: omitted, the saved one is kept. */
  saveApp: (input: { clientId: string; clientSecret?: string }) => api('PUT', '/api/hubspot/app', { body: input, schema: apiHubSpot }),
  authorize: () => api('POST', '/api/hubspot/authorize', { body: {}, schema: z.object({ authorizeUrl: z.string() }) }),
  connectWithToken: (accessToken: string) => api('POST', '/api/hubspot/private-app-token', { body: { accessToken }, schema: apiHubSpot }),
  disconnect: () => api('DELETE', '/api/hubspot/connection'),
};

/** The callback page posts `{type: 'hubspot-connected'}` here when HubSpot sent the admin back with a code. */
export const CONNECTED_CHANNEL = 'spokes-hubspot';
