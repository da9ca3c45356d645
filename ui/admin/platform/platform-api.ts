/**
 * The platform's admin API (src/connections/routes.ts, src/sync/audit-routes.ts),
 * checked against the server's own wire schemas (src/platform/wire.ts): one copy
 * of the types for both sides.
 */
import { api } from '../../shared/api.ts';
import { apiAuditPage, apiConnection, apiConnectionDetail, apiOverview } from '../../../src/platform/wire.ts';

export type { ApiAuditEntry, ApiAuditPage, ApiConnection, ApiOverview } from '../../../src/platform/wire.ts';

export interface AuditFilters {
  connector?: string;
  object?: string;
  outcome?: 'succeeded' | 'failed' | 'skipped';
  since?: string;
  until?: string;
}

export const platformApi = {
  overview: () => api('GET', '/api/overview', { schema: apiOverview }),
  connection: (id: string) => api('GET', `/api/connections/${encodeURIComponent(id)}`, { schema: apiConnectionDetail }),
  enable: (id: string) => api('POST', `/api/connections/${encodeURIComponent(id)}/enable`, { schema: apiConnection }),
  disable: (id: string) => api('POST', `/api/connections/${encodeURIComponent(id)}/disable`, { schema: apiConnection }),
  audit(filters: AuditFilters, cursor?: string) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    return api('GET', `/api/audit?${q}`, { schema: apiAuditPage });
  },
};
