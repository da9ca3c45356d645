/**
 * The Calls page: the whole call history (T8), as a phone system's call log —
 * search by number or contact, filters for user, direction, answered or
 * missed, logged or not (with the reason) and dates, paging, the CSV export
 * of what is filtered, and "Retry" for a call that is not logged. The filters
 * live in the address (shareable, the back button works); the first page
 * refreshes itself while visible.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { formatDateTime, formatDuration } from '../../shared/format.ts';
import { navigate, useLocation } from '../router.tsx';
import { PageHeader } from '../shell.tsx';
import type { ApiCall } from '../phone-system/phone-api.ts';
import { CallDirection, CallParty, CallState } from './call-parts.tsx';
import { CallFiltersForm } from './call-filters.tsx';
import { callsApi, FILTER_KEYS, type ApiCallUser, type CallFilters } from './calls-api.ts';

const REFRESH_MS = 10_000;

function filtersOf(search: URLSearchParams): CallFilters {
  const f: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const v = search.get(key);
    if (v) f[key] = v;
  }
  return f as CallFilters;
}

export function CallsPage() {
  const toasts = useToasts();
  const { search } = useLocation();
  const filterKey = search.toString();
  const filters = useMemo(() => filtersOf(new URLSearchParams(filterKey)), [filterKey]);
  // Cursors of the pages before this one (the first page has none).
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const [page, setPage] = useState<{ calls: ApiCall[]; nextCursor: string | null } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [users, setUsers] = useState<ApiCallUser[]>([]);
  const [retrying, setRetrying] = useState<string | undefined>();

  const load = useCallback(
    async (quiet = false) => {
      if (!quiet) setLoading(true);
      try {
        setPage(await callsApi.page(filters, cursor));
        setError(undefined);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setLoading(false);
      }
    },
    [filters, cursor],
  );

  useEffect(() => {
    setCursors([]);
  }, [filterKey]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    void callsApi.users().then(
      (u) => setUsers(u.users),
      () => {},
    );
  }, []);
  useEffect(() => {
    if (cursor) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load(true);
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [cursor, load]);

  const setFilters = useCallback((next: CallFilters) => {
    const params = new URLSearchParams();
    for (const key of FILTER_KEYS) if (next[key]) params.set(key, next[key]!);
    const query = params.toString();
    navigate(`/admin/calls${query ? `?${query}` : ''}`, { replace: true });
  }, []);

  const retry = async (call: ApiCall) => {
    setRetrying(call.cdrId);
    try {
      const outcome = await callsApi.retry(call.cdrId);
      toasts.show('success', outcome.action === 'requeued' ? 'The call is being logged again.' : 'The call goes back to HubSpot now.');
      await load(true);
    } catch (err) {
      toasts.show('error', errorMessage(err));
    } finally {
      setRetrying(undefined);
    }
  };

  const filtered = FILTER_KEYS.some((k) => filters[k]);
  const calls = page?.calls;
  const first = cursors.length * 50 + 1;
  return (
    <div className="page page-wide">
      <PageHeader
        title="Calls"
        description="Every call Spokes handled, newest first: find a call, see whether it reached HubSpot, and retry the ones that did not."
        status={
          <a className="button button-secondary" href={callsApi.exportUrl(filters)} download>
            Export CSV
          </a>
        }
      />
      <CallFiltersForm filters={filters} users={users} onChange={setFilters} />
      {error && (
        <Alert
          tone="danger"
          title="Could not load the calls"
          actions={
            <Button size="small" onClick={() => void load()}>
              Try again
            </Button>
          }
        >
          {error}
        </Alert>
      )}
      <Card
        title={filtered ? 'Matching calls' : 'All calls'}
        labelledBy="history-title"
        description={calls && calls.length ? `Calls ${first}–${first + calls.length - 1}${page?.nextCursor ? '' : ' (the last)'}, newest first.` : undefined}
        actions={loading ? <Spinner label="Loading" /> : undefined}
        footer={
          cursors.length > 0 || page?.nextCursor ? (
            <div className="pager">
              <Button size="small" disabled={!cursors.length || loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
                ← Newer
              </Button>
              <Button size="small" disabled={!page?.nextCursor || loading} onClick={() => setCursors((c) => [...c, page!.nextCursor!])}>
                Older →
              </Button>
            </div>
          ) : undefined
        }
      >
        {!calls && loading && (
          <div className="row muted">
            <Spinner /> Loading calls…
          </div>
        )}
        {calls && calls.length === 0 && (
          <p className="muted empty">
            {filtered ? 'No call matches these filters.' : 'No calls yet. A call appears here as soon as the phone system reports that it ended.'}
          </p>
        )}
        {calls && calls.length > 0 && (
          <div className="table-wrap">
            <table className="table calls table-stack" aria-label="Call history">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Call</th>
                  <th scope="col">Number</th>
                  <th scope="col">Contact</th>
                  <th scope="col">User</th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                  <th scope="col">In HubSpot</th>
                </tr>
              </thead>
              <tbody>
                {calls.map((c) => (
                  <tr key={c.cdrId} className={c.state === 'skipped' && !c.retryable ? 'row-muted' : undefined}>
                    <td className="num nowrap" data-label="Date">
                      {formatDateTime(c.startedAt)}
                    </td>
                    <td className="nowrap" data-label="Call">
                      <CallDirection call={c} />
                    </td>
                    <td className="mono nowrap" data-label="Number">
                      {c.externalNumber ?? '—'}
                    </td>
                    <td data-label="Contact">
                      <CallParty call={c} />
                    </td>
                    <td data-label="User">
                      {c.ownerId ? (c.ownerName ?? `HubSpot user ${c.ownerId}`) : <span className="muted">—</span>}
                      {c.extension && <div className="muted small">ext. {c.extension}</div>}
                    </td>
                    <td className="num" data-label="Duration">
                      {formatDuration(c.durationMs)}
                      {c.recordingUrl && (
                        <div className="small">
                          <a href={c.recordingUrl} target="_blank" rel="noopener noreferrer">
                            Recording
                          </a>
                        </div>
                      )}
                    </td>
                    <td data-label="In HubSpot">
                      <CallState call={c} />
                      {c.retryable && (
                        <Button size="small" className="call-retry" busy={retrying === c.cdrId} disabled={!!retrying} onClick={() => void retry(c)}>
                          Retry<span className="visually-hidden"> logging the call of {formatDateTime(c.startedAt)}</span>
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
