/**
 * The last calls Spokes handled (T8), newest first: when, which way, with whom,
 * the HubSpot contact (or company) it was logged on and the user, by name, the length — and for a call
 * that was not logged, why. Refreshed with the page's 5-second poll.
 */
import { sentence } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { DIRECTION, formatCallTime, formatDateTime, formatDuration, outcome } from './format.ts';
import type { ApiCall } from './phone-api.ts';
import { CALLS_SHOWN, type Loadable } from './use-phone-system.ts';

export function CallsCard({ calls, ownerNames, today }: {
  calls: Loadable<ApiCall[]>;
  ownerNames: Map<string, string>;
  today?: { logged: number; skipped: number };
}) {
  const list = calls.data;
  return (
    <Card title="Last calls logged" labelledBy="calls-title"
      description={`The ${CALLS_SHOWN} most recent calls, newest first; this list updates by itself.${today ? ` Last 24 hours: ${today.logged} logged, ${today.skipped} not logged.` : ''}`}>
      <div className="stack">
        {calls.error && <Alert tone="danger" title="Could not load the calls">{calls.error}</Alert>}
        {!list && calls.loading && <div className="row muted"><Spinner /> Loading calls…</div>}
        {list && list.length === 0 && (
          <p className="muted empty">No calls yet. When a bound user makes or receives a call, it appears here as soon as the PBX reports that it ended.</p>
        )}
        {list && list.length > 0 && (
          <div className="table-wrap">
            <table className="table calls" aria-label="Last calls">
              <thead>
                <tr>
                  <th scope="col">Time</th><th scope="col">Call</th><th scope="col">Number</th><th scope="col">Contact</th>
                  <th scope="col">User</th><th scope="col" className="num">Duration</th><th scope="col">In HubSpot</th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => (
                  <tr key={c.cdrId} className={c.state === 'skipped' ? 'row-muted' : undefined}>
                    <td className="num nowrap" title={formatDateTime(c.startedAt)}>{formatCallTime(c.startedAt)}</td>
                    <td className="nowrap">
                      <span className="direction"><DirectionIcon direction={c.direction} />{DIRECTION[c.direction] ?? c.direction}</span>
                      <div className="muted small">{outcome(c.direction, c.status)}</div>
                    </td>
                    <td className="mono nowrap">{c.externalNumber ?? '—'}</td>
                    <td>
                      {c.contactUrl
                        ? <RecordLink url={c.contactUrl} name={c.contactName ?? `Contact ${c.contactId}`} />
                        : c.companyUrl
                          ? <RecordLink url={c.companyUrl} name={c.companyName ?? `Company ${c.companyId}`} />
                          : <span className="muted">{c.state === 'logged' ? 'No contact' : '—'}</span>}
                      {c.contactUrl && c.companyUrl && (
                        <div className="small"><RecordLink url={c.companyUrl} name={c.companyName ?? `Company ${c.companyId}`} /></div>
                      )}
                    </td>
                    <td>
                      {c.ownerId ? (c.ownerName ?? ownerNames.get(c.ownerId) ?? `HubSpot user ${c.ownerId}`) : <span className="muted">—</span>}
                      {c.extension && <div className="muted small">ext. {c.extension}</div>}
                    </td>
                    <td className="num">{formatDuration(c.durationMs)}</td>
                    <td><CallState call={c} /></td>
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

/** A HubSpot record, by the name Spokes knows it by (or its id), opening in a new tab. */
function RecordLink({ url, name }: { url: string; name: string }) {
  return (
    <a href={url} target="_blank" rel="noopener noreferrer">
      {name}<span className="visually-hidden"> (opens HubSpot)</span> ↗
    </a>
  );
}

function CallState({ call }: { call: ApiCall }) {
  if (call.state === 'logged') {
    return <>
      <Badge tone="success">Logged</Badge>
      {call.source === 'widget' && <div className="muted small">from the calling widget</div>}
    </>;
  }
  if (call.state === 'writing') return <Badge tone="warning">Logging…</Badge>;
  return <>
    <Badge tone="neutral">Not logged</Badge>
    {call.detail && <div className="muted small call-reason">{sentence(call.detail)}</div>}
  </>;
}

function DirectionIcon({ direction }: { direction: string }) {
  // Down-left into us for inbound, up-right away from us for outbound, both ways for internal.
  const d = direction === 'inbound' ? 'M12 4L4 12M4 6.5V12h5.5' : direction === 'outbound' ? 'M4 12l8-8M6.5 4H12v5.5' : 'M3 8h10M5.5 5.5L3 8l2.5 2.5M10.5 5.5L13 8l-2.5 2.5';
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}
