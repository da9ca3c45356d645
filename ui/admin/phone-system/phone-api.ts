/**
 * The Phone system page's API (served by src/connectors/telephony/routes-admin.ts, the calls by routes-history.ts),
 * checked with the connector's own wire types (src/connectors/telephony/wire.ts): one copy, shared with the server.
 */
import { z } from 'zod';
import { api } from '../../shared/api.ts';
import {
  apiCallPage,
  apiPhonebook,
  apiProposal,
  apiStatus,
  apiSyncError,
  apiUsers,
  type ConnectInput,
  type SettingsPatch,
} from '../../../src/connectors/telephony/wire.ts';

export { apiCallPage };
export type {
  ApiBindingProposal,
  ApiCall,
  ApiExtension,
  ApiPhonebook,
  ApiPhoneConnection,
  ApiPhoneSettings,
  ApiPhoneStatus,
  ApiPhoneUser,
  ApiSyncError,
  ConnectInput,
  SettingsPatch,
} from '../../../src/connectors/telephony/wire.ts';

export const phoneApi = {
  status: () => api('GET', '/api/telephony', { schema: apiStatus }),
  connect: (input: ConnectInput) => api('PUT', '/api/telephony/connection', { body: { vendor: 'yeastar', ...input }, schema: apiStatus }),
  disconnect: () => api('DELETE', '/api/telephony/connection', { schema: apiStatus }),
  setEnabled: (enabled: boolean) => api('PUT', '/api/telephony/enabled', { body: { enabled }, schema: apiStatus }),
  saveSettings: (patch: SettingsPatch) => api('PATCH', '/api/telephony/settings', { body: patch, schema: apiStatus }),
  phonebooks: () => api('GET', '/api/telephony/phonebooks', { schema: z.object({ phonebooks: z.array(apiPhonebook) }) }),
  users: () => api('GET', '/api/telephony/users', { schema: apiUsers }),
  proposeBindings: () => api('POST', '/api/telephony/bindings/auto', { body: {}, schema: z.object({ proposals: z.array(apiProposal) }) }),
  saveBindings: (bindings: { ownerId: string; extension: string | null }[], source: 'auto' | 'manual') =>
    api('PUT', '/api/telephony/bindings', { body: { bindings, source } }),
  calls: (limit = 20) => api('GET', `/api/telephony/calls?limit=${limit}`, { schema: apiCallPage }),
  syncErrors: () => api('GET', '/api/telephony/sync-errors', { schema: z.object({ errors: z.array(apiSyncError) }) }),
  dismissSyncError: (id: number) => api('DELETE', `/api/telephony/sync-errors/${id}`),
};
