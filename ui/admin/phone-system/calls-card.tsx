/**
 * The last calls Spokes handled (T8), newest first: when, which way, with whom,
 * the HubSpot record it was logged on, the user and the length — and for a call
 * that was not logged, why. Refreshed with the page's 5-second poll; the whole
 * history, with search, filters and retry, is on the Calls page.
 */
import { Alert } from '../../shared/components/alert.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { formatDateTime, formatDuration } from '../../shared/format.ts';
import { Link } from '../router.tsx';
import { CallDirection, CallParty, CallState } from '../calls/call-parts.tsx';
import type { ApiCall } from './phone-api.ts';
import { CALLS_SHOWN, type Loadable } from './use-phone-system.ts';

export function CallsCard({
  calls,
  ownerNames,
  today,
}: {
  calls: Loadable<ApiCall[]>;
  ownerNames: Map<string, string>;
  today?: { logged: number; skipped: number; failed: number };
}) {
  const list = calls.data;
  const notLogged = today ? today.skipped + today.failed : 0;
  return (
    <Card
      title="Last calls"
      labelledBy="calls-title"
      description={`The ${CALLS_SHOWN} most recent calls; this list updates by itself.${today ? ` Last 24 hours: ${today.logged} logged, ${notLogged} not logged.` : ''}`}
      actions={
        <Link to="/admin/calls" className="button button-secondary button-small">
          Call history
        </Link>
      }
    >
      <div className="stack">
        {calls.error && (
          <Alert tone="danger" title="Could not load the calls">
            {calls.error}
          </Alert>
        )}
        {!list && calls.loading && (
          <div className="row muted">
            <Spinner /> Loading calls…
          </div>
        )}
        {list && list.length === 0 && (
          <p className="muted empty">No calls yet. When a bound user makes or receives a call, it appears here as soon as the PBX reports that it ended.</p>
        )}
        {list && list.length > 0 && (
          <div className="table-wrap">
            <table className="table calls table-stack" aria-label="Last calls">
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
                {list.map((c) => (
                  <tr key={c.cdrId} className={c.state === 'skipped' ? 'row-muted' : undefined}>
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
                      {c.ownerId ? (c.ownerName ?? ownerNames.get(c.ownerId) ?? `HubSpot user ${c.ownerId}`) : <span className="muted">—</span>}
                      {c.extension && <div className="muted small">ext. {c.extension}</div>}
                    </td>
                    <td className="num" data-label="Duration">
                      {formatDuration(c.durationMs)}
                    </td>
                    <td data-label="In HubSpot">
                      <CallState call={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Card>
  );
}
