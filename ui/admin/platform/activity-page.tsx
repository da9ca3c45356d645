/**
 * Activity: the audit log of every write Spokes made to HubSpot or a remote
 * system, newest first — filtered by connector, object, outcome and time
 * range (kept in the address, so a filtered view can be linked), paged by the
 * server's keyset cursor ("Older" / "Newer"), 50 rows a page.
 */
import { useEffect, useMemo, useState } from 'react';
import { errorMessage, sentence } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { navigate, useLocation } from '../router.tsx';
import { PageHeader } from '../shell.tsx';
import { OUTCOME, formatDateTime } from './format.ts';
import { platformApi, type ApiAuditPage, type AuditFilters } from './platform-api.ts';

const RANGES = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'all', label: 'All time', ms: 0 },
] as const;

const OBJECTS = ['contact', 'company', 'call', 'deal', 'meeting', 'task', 'note', 'phonebook_contact'];

interface Filters {
  connector: string;
  object: string;
  outcome: string;
  range: string;
}

export function ActivityPage() {
  const { search } = useLocation();
  const filters: Filters = {
    connector: search.get('connector') ?? '',
    object: search.get('object') ?? '',
    outcome: search.get('outcome') ?? '',
    range: search.get('range') ?? '24h',
  };
  const key = `${filters.connector}|${filters.object}|${filters.outcome}|${filters.range}`;
  const [connectors, setConnectors] = useState<{ slug: string; name: string }[]>([]);
  // The cursors of the pages before this one ("Newer" goes back one), and this page's.
  const [trail, setTrail] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [page, setPage] = useState<ApiAuditPage | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    platformApi.overview().then(
      // `admin`: the changes people made in the admin (settings, connections, users), each with who made it.
      (o) =>
        setConnectors([
          { slug: 'hubspot', name: 'HubSpot' },
          ...o.connectors.map((c) => ({ slug: c.slug, name: c.name })),
          { slug: 'admin', name: 'Admin changes' },
        ]),
      () => {},
    );
  }, []);

  // A new filter starts again from the newest page.
  useEffect(() => {
    setTrail([]);
    setCursor(undefined);
  }, [key]);

  const query = useMemo((): AuditFilters => {
    const range = RANGES.find((r) => r.value === filters.range) ?? RANGES[1];
    return {
      connector: filters.connector || undefined,
      object: filters.object || undefined,
      outcome: (filters.outcome || undefined) as AuditFilters['outcome'],
      since: range.ms ? new Date(Date.now() - range.ms).toISOString() : undefined,
    };
    // Recomputed when a filter or the page changes, not at every render (the range is relative to now).
  }, [key, cursor]);

  useEffect(() => {
    let stale = false;
    setLoading(true);
    platformApi
      .audit(query, cursor)
      .then(
        (p) => {
          if (stale) return;
          setPage(p);
          setError(undefined);
        },
        (err) => {
          if (!stale) setError(errorMessage(err));
        },
      )
      .finally(() => {
        if (!stale) setLoading(false);
      });
    return () => {
      stale = true;
    };
  }, [query, cursor]);

  const setFilter = (name: keyof Filters, value: string) => {
    const next = new URLSearchParams(search);
    if (value && !(name === 'range' && value === '24h')) next.set(name, value);
    else next.delete(name);
    const qs = next.toString();
    navigate(`/admin/activity${qs ? `?${qs}` : ''}`, { replace: true });
  };

  const names = new Map(connectors.map((c) => [c.slug, c.name]));
  return (
    <div className="page page-wide">
      <PageHeader title="Activity" description="Every write Spokes made to HubSpot or to a connected system, newest first, with what caused it." />
      <Card>
        <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
          <Select
            label="Connector"
            value={filters.connector}
            onChange={(v) => setFilter('connector', v)}
            options={[['', 'All connectors'], ...connectors.map((c) => [c.slug, c.name] as [string, string])]}
          />
          <Select
            label="Object"
            value={filters.object}
            onChange={(v) => setFilter('object', v)}
            options={[
              ['', 'All objects'],
              ...[...new Set([...OBJECTS, ...(filters.object ? [filters.object] : [])])].map((o) => [o, o.replace(/_/g, ' ')] as [string, string]),
            ]}
          />
          <Select
            label="Outcome"
            value={filters.outcome}
            onChange={(v) => setFilter('outcome', v)}
            options={[
              ['', 'All outcomes'],
              ['succeeded', 'Succeeded'],
              ['failed', 'Failed'],
              ['skipped', 'Skipped'],
            ]}
          />
          <Select
            label="Time range"
            value={filters.range}
            onChange={(v) => setFilter('range', v)}
            options={RANGES.map((r) => [r.value, r.label] as [string, string])}
          />
        </form>
      </Card>
      <Card>
        <div className="stack">
          {error && (
            <Alert tone="danger" title="Could not load the activity">
              {error}
            </Alert>
          )}
          {!page && loading && (
            <div className="row muted">
              <Spinner /> Loading…
            </div>
          )}
          {page && page.entries.length === 0 && <p className="muted empty">No writes match these filters.</p>}
          {page && page.entries.length > 0 && (
            <div className="table-wrap">
              <table className="table activity table-stack" aria-label="Writes" aria-busy={loading || undefined}>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Connector</th>
                    <th scope="col">Write</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Cause</th>
                  </tr>
                </thead>
                <tbody>
                  {page.entries.map((e) => (
                    <tr key={e.id}>
                      <td className="nowrap num" data-label="Time">
                        <div>{formatDateTime(e.occurredAt)}</div>
                      </td>
                      <td data-label="Connector">
                        <div>
                          {names.get(e.connector) ?? e.connector}
                          {e.connectionId && <div className="muted small mono">{e.connectionId}</div>}
                        </div>
                      </td>
                      <td data-label="Write">
                        <div>
                          <span className="activity-op">{e.operation}</span> {e.objectType.replace(/_/g, ' ')}
                          {e.objectId && <span className="mono"> {e.objectId}</span>}
                          <div className="muted small">in {e.target === 'hubspot' ? 'HubSpot' : e.target}</div>
                        </div>
                      </td>
                      <td data-label="Outcome">
                        <div>
                          <Badge tone={OUTCOME[e.outcome]?.tone ?? 'neutral'}>{OUTCOME[e.outcome]?.label ?? e.outcome}</Badge>
                          {e.error && <div className="muted small activity-error">{sentence(e.error)}</div>}
                        </div>
                      </td>
                      <td data-label="Cause">
                        <div>
                          {e.cause}
                          <div className="muted small">
                            {e.causeType}
                            {e.actor ? ` · by ${e.actor}` : ''}
                          </div>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {page && (trail.length > 0 || page.nextCursor) && (
            <div className="pager">
              <Button
                size="small"
                disabled={trail.length === 0 || loading}
                onClick={() => {
                  setCursor(trail.at(-1));
                  setTrail(trail.slice(0, -1));
                }}
              >
                ← Newer
              </Button>
              <span className="muted small">Page {trail.length + 1}</span>
              <Button
                size="small"
                disabled={!page.nextCursor || loading}
                onClick={() => {
                  setTrail([...trail, cursor]);
                  setCursor(page.nextCursor ?? undefined);
                }}
              >
                Older →
              </Button>
            </div>
          )}
        </div>
      </Card>
    </div>
  );
}

function Select({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange(value: string): void }) {
  const id = `filter-${label.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
