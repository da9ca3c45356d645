/**
 * Pieces of a call as the admin pages show it (the Calls page and the Phone
 * system page's last calls): which way it went, the HubSpot records it was
 * logged on, and its state in HubSpot with the reason when it is not logged.
 */
import { sentence } from '../../shared/api.ts';
import { Badge } from '../../shared/components/badge.tsx';
import { DIRECTION, outcome } from '../../shared/format.ts';
import type { ApiCall } from '../phone-system/phone-api.ts';

/** A HubSpot record, by the name Spokes knows it by (or its id), opening in a new tab. */
export function RecordLink({ url, name }: { url: string; name: string }) {
  return (
    <a href={url} target="_blank" rel="noopener noreferrer">
      {name}
      <span className="visually-hidden"> (opens HubSpot)</span> ↗
    </a>
  );
}

/** The contact (or company) the call was logged on. */
export function CallParty({ call }: { call: ApiCall }) {
  return (
    <>
      {call.contactUrl ? (
        <RecordLink url={call.contactUrl} name={call.contactName ?? `Contact ${call.contactId}`} />
      ) : call.companyUrl ? (
        <RecordLink url={call.companyUrl} name={call.companyName ?? `Company ${call.companyId}`} />
      ) : (
        <span className="muted">{call.state === 'logged' ? 'No contact' : '—'}</span>
      )}
      {call.contactUrl && call.companyUrl && (
        <div className="small">
          <RecordLink url={call.companyUrl} name={call.companyName ?? `Company ${call.companyId}`} />
        </div>
      )}
    </>
  );
}

export function CallDirection({ call }: { call: ApiCall }) {
  return (
    <>
      <span className="direction">
        <DirectionIcon direction={call.direction} />
        {DIRECTION[call.direction] ?? call.direction}
      </span>
      <div className={`small ${call.missed ? 'call-missed' : 'muted'}`}>{outcome(call.direction, call.status)}</div>
    </>
  );
}

/** Logged (with the link to the call in HubSpot), logging, or not logged and why. */
export function CallState({ call }: { call: ApiCall }) {
  if (call.state === 'logged') {
    return (
      <>
        <Badge tone="success">Logged</Badge>
        {call.hubspotUrl && (
          <div className="small">
            <a href={call.hubspotUrl} target="_blank" rel="noopener noreferrer">
              Open call<span className="visually-hidden"> in HubSpot</span> ↗
            </a>
          </div>
        )}
        {call.source === 'widget' && <div className="muted small">from the calling widget</div>}
      </>
    );
  }
  if (call.state === 'writing') return <Badge tone="warning">Logging…</Badge>;
  const badge =
    call.state === 'retrying' ? (
      <Badge tone="warning">Retrying</Badge>
    ) : call.state === 'failed' ? (
      <Badge tone="danger">Failed</Badge>
    ) : (
      <Badge tone="neutral">Not logged</Badge>
    );
  return (
    <>
      {badge}
      {call.detail && <div className="muted small call-reason">{sentence(call.detail)}</div>}
    </>
  );
}

export function DirectionIcon({ direction }: { direction: string }) {
  // Down-left into us for inbound, up-right away from us for outbound, both ways for internal.
  const d =
    direction === 'inbound'
      ? 'M12 4L4 12M4 6.5V12h5.5'
      : direction === 'outbound'
        ? 'M4 12l8-8M6.5 4H12v5.5'
        : 'M3 8h10M5.5 5.5L3 8l2.5 2.5M10.5 5.5L13 8l-2.5 2.5';
  return (
    <svg
      width="14"
      height="14"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={d} />
    </svg>
  );
}
