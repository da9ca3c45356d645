/**
 * Sync health (X3) of one Sansan connection: the initial sync's progress, the
 * counts in sync / excluded / failing, failing records with the reason and
 * "Resync", merges (D8: which cards, which fields from which), excluded
 * records and run-level errors. Refreshes every 3 s while visible.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Link } from '../router.tsx';
import { sansanApi, type Health } from './sansan-api.ts';

const POLL_MS = 3_000;

/** `onStateChange`: the connection's state in health differs from `state` (e.g. Sansan refused the key): the page reloads it. */
export function HealthCard({ connectionId, state, onStateChange }: { connectionId: string; state: string; onStateChange: () => void }) {
  const [health, setHealth] = useState<Health | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      const h = await sansanApi.health(connectionId);
      setHealth(h);
      setError(undefined);
      if (h.connection.state !== state) onStateChange();
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [connectionId, state, onStateChange]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [load]);
  const resync = async (ids?: string[]) => {
    setBusy(ids?.[0] ?? 'all');
    try {
      await sansanApi.resync(connectionId, ids);
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };
  const pct = Math.round((health?.pass?.progress ?? 0) * 100);
  return (
    <Card
      title="Sync health"
      description="Every card's state, why it is excluded or failing, and which cards were merged into one contact."
      actions={
        <Button size="small" busy={busy === 'all'} onClick={() => void resync()}>
          Resync all
        </Button>
      }
    >
      {error && <Alert tone="danger">{error}</Alert>}
      {health && (
        <div className="stack">
          <Link to={`/admin/activity?connector=sansan`}>Every write in the activity log</Link>
          <div>
            <div className="row-between small">
              <span>
                {health.pass?.initialDone
                  ? 'Initial sync done — keeping HubSpot up to date'
                  : health.pass
                    ? 'Initial sync running'
                    : 'Not started: save and sync first'}
              </span>
              <span>{pct}%</span>
            </div>
            <progress className="sansan-progress" max={100} value={pct} aria-label="Initial sync progress" />
          </div>
          <dl className="sansan-counts">
            <div>
              <dt>In sync</dt>
              <dd>{health.counts.synced}</dd>
            </div>
            <div>
              <dt>Excluded</dt>
              <dd>{health.counts.excluded}</dd>
            </div>
            <div>
              <dt>Failing</dt>
              <dd>{health.counts.failing}</dd>
            </div>
          </dl>
          {health.hubspotScopes.missing.length > 0 && (
            <Alert tone={health.hubspotScopes.missing.some((m) => m.required) ? 'danger' : 'warning'} title="The HubSpot connection lacks scopes">
              <ul className="sansan-list">
                {health.hubspotScopes.missing.map((m) => (
                  <li key={m.scope}>
                    <code>{m.scope}</code>: {m.neededFor}
                  </li>
                ))}
              </ul>
              Add them to Spokes' HubSpot app, then connect HubSpot again.
            </Alert>
          )}
          {health.errors.map((e) => (
            <Alert key={e.id} tone="warning" title={e.tagId ? 'A selected tag disappeared' : `The last pass failed (${e.category})`}>
              {e.reason}
            </Alert>
          ))}
          <List
            title="Failing"
            empty="No card is failing."
            rows={health.failing}
            action={(id) => (
              <Button size="small" busy={busy === id} onClick={() => void resync([id])}>
                Resync
              </Button>
            )}
          />
          <section className="stack-tight">
            <h3>Merged cards</h3>
            {health.merges.length === 0 ? (
              <p className="muted small">No two cards share an e-mail.</p>
            ) : (
              <ul className="sansan-list">
                {health.merges.map((m) => (
                  <li key={m.email}>
                    <strong>{m.email}</strong>: {m.records.length} cards, newest first — <span className="small muted">{m.summary}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <List title="Excluded" empty="No card is excluded." rows={health.excluded} />
        </div>
      )}
    </Card>
  );
}

function List({ title, empty, rows, action }: { title: string; empty: string; rows: Health['failing']; action?: (id: string) => ReactNode }) {
  return (
    <section className="stack-tight">
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Card</th>
                <th scope="col">E-mail</th>
                <th scope="col">Reason</th>
                {action && <th scope="col" aria-label="Action" />}
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 20).map((r) => (
                <tr key={r.remoteId}>
                  <td>
                    <code className="small">{r.remoteId.slice(0, 12)}…</code>
                  </td>
                  <td>{r.email ?? '—'}</td>
                  <td>{r.reason}</td>
                  {action && <td>{action(r.remoteId)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
