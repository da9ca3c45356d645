/**
 * The Calls page's API (served by src/connectors/telephony/routes-history.ts):
 * the filters as query parameters, one page at a time by cursor, the CSV
 * export's address for the same filters, the users to filter by, and retry.
 */
import { z } from 'zod';
import { api } from '../../shared/api.ts';
import { apiCallPage } from '../phone-system/phone-api.ts';

export interface CallFilters {
  q?: string;
  ownerId?: string;
  direction?: 'inbound' | 'outbound' | 'internal';
  outcome?: 'answered' | 'missed' | 'unanswered';
  logged?: 'logged' | 'not_logged' | 'failed' | 'retrying' | 'skipped';
  /** Calendar days (YYYY-MM-DD) in the browser's time zone; `to` includes its day. */
  fromDay?: string;
  toDay?: string;
}

export const FILTER_KEYS = ['q', 'ownerId', 'direction', 'outcome', 'logged', 'fromDay', 'toDay'] as const;

const apiCallUser = z.object({ ownerId: z.string(), name: z.string(), extension: z.string().nullable() });
export type ApiCallUser = z.infer<typeof apiCallUser>;

const retryOutcome = z.object({ cdrId: z.string(), action: z.enum(['dead_letter_retried', 'attempt_brought_forward', 'requeued']) });

/** The server's query: days become instants at the browser's local midnight (so "today" is the user's today). */
export function toQuery(f: CallFilters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (f.q?.trim()) p.set('q', f.q.trim());
  if (f.ownerId) p.set('ownerId', f.ownerId);
  if (f.direction) p.set('direction', f.direction);
  if (f.outcome) p.set('outcome', f.outcome);
  if (f.logged) p.set('logged', f.logged);
  const midnight = (day: string, plusDays = 0) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y!, m! - 1, d! + plusDays).toISOString();
  };
  if (f.fromDay) p.set('from', midnight(f.fromDay));
  if (f.toDay) p.set('to', midnight(f.toDay, 1));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const text = p.toString();
  return text ? `?${text}` : '';
}

export const callsApi = {
  page: (filters: CallFilters, cursor?: string) =>
    api('GET', `/api/telephony/calls${toQuery(filters, { limit: '50', ...(cursor ? { cursor } : {}) })}`, { schema: apiCallPage }),
  users: () => api('GET', '/api/telephony/call-users', { schema: z.object({ users: z.array(apiCallUser) }) }),
  retry: (cdrId: string) => api('POST', `/api/telephony/calls/${encodeURIComponent(cdrId)}/retry`, { schema: retryOutcome }),
  exportUrl: (filters: CallFilters) => `/api/telephony/calls.csv${toQuery(filters)}`,
};
