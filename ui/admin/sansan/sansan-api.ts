/** The Sansan admin API (src/connectors/sansan/routes.ts) and the platform's connection calls this page uses. */
import { api } from '../../shared/api.ts';

export type Direction = 'to_hubspot' | 'to_remote' | 'both';
export type Conflict = 'hubspot' | 'remote' | 'recent';

export interface Mapping {
  remote: string[];
  hubspot: string;
  direction: Direction;
  coercion: string;
  enabled: boolean;
  custom: boolean;
  valueMap?: Record<string, string>;
  conflict?: Conflict;
}
export interface Tag {
  id: string;
  name: string;
  type: 'public' | 'shared';
}
export interface SyncSettings {
  enabled: boolean;
  direction: Direction;
  conflict: Conflict;
  emailOnly: boolean;
  mappings: Mapping[];
  filters: { remote: unknown[]; hubspot: unknown[] };
}
export interface Settings {
  apiBaseUrl: string;
  tags: Tag[];
  sync: SyncSettings;
  pollSeconds: number;
}
export interface Connection {
  id: string;
  label: string;
  state: string;
  reason: string | null;
  settings: Settings | null;
}
export interface Config {
  settings: Settings;
  fields: string[];
  properties: { name: string; label: string; type: string; options: string[] }[];
}
export interface Example {
  records: string[];
  email: string | null;
  properties?: Record<string, string>;
  reason?: string;
}
export interface Report {
  scanned: number;
  truncated: boolean;
  create: number;
  update: number;
  unchanged: number;
  excluded: number;
  failing: number;
  merged: number;
  examples: Record<'create' | 'update' | 'excluded' | 'failing' | 'merged', Example[]>;
}
export interface Health {
  connection: { id: string; label: string; state: string; reason: string | null; enabled: boolean; tags: number };
  /** HubSpot scopes the connection lacks (known for an OAuth connection only). */
  hubspotScopes: { known: boolean; missing: { scope: string; neededFor: string; required: boolean }[] };
  counts: { synced: number; excluded: number; failing: number };
  failing: { remoteId: string; reason: string | null; email: string | null; at: string }[];
  excluded: { remoteId: string; reason: string | null; email: string | null; at: string }[];
  merges: { email: string; records: string[]; hubspotId: string | null; summary: string }[];
  pass: { initialDone: boolean; processed: number; lastPassAt: string | null; progress: number } | null;
  errors: { id: number; category: string; tagId: string | null; reason: string; occurredAt: string }[];
}

const c = (id: string) => `/api/sansan/connections/${encodeURIComponent(id)}`;

export const sansanApi = {
  list: () => api<{ connections: Connection[] }>('GET', '/api/connections?connector=sansan'),
  connect: (apiKey: string, apiBaseUrl?: string) =>
    api<Connection>('POST', '/api/connections', { body: { connector: 'sansan', input: { apiKey, ...(apiBaseUrl ? { apiBaseUrl } : {}) } } }),
  enable: (id: string) => api('POST', `/api/connections/${encodeURIComponent(id)}/enable`),
  tags: (id: string, q: string, pageToken?: string) => {
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (pageToken) p.set('pageToken', pageToken);
    return api<{ tags: Tag[]; nextPageToken: string | null }>('GET', `${c(id)}/tags?${p}`);
  },
  config: (id: string) => api<Config>('GET', `${c(id)}/config`),
  save: (id: string, body: { tags: Tag[]; sync: SyncSettings }) => api<{ settings: Settings }>('PUT', `${c(id)}/settings`, { body }),
  dryRun: (id: string, body: { tags: Tag[]; sync: SyncSettings }) => api<{ report: Report }>('POST', `${c(id)}/dry-run`, { body: { settings: body } }),
  health: (id: string) => api<Health>('GET', `${c(id)}/health`),
  replaceKey: (id: string, apiKey: string) => api('PUT', `${c(id)}/api-key`, { body: { apiKey } }),
  resync: (id: string, cardIds?: string[]) => api('POST', `${c(id)}/resync`, { body: cardIds ? { cardIds } : {} }),
};
