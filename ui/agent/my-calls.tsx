/**
 * "Your calls": the salesperson's own calls from Spokes' call history (not
 * only what this page saw), newest first, missed calls marked with a Call back
 * button (click-to-call from their extension). Refreshed a few seconds after
 * each call ends (the time the call takes to be logged) and every 30 s.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert } from '../shared/components/alert.tsx';
import { Badge } from '../shared/components/badge.tsx';
import { Button } from '../shared/components/button.tsx';
import { Card } from '../shared/components/card.tsx';
import { formatDateTime, formatDuration } from '../shared/format.ts';
import { dial, fetchMyCalls, type MyCall } from '../shared/agent-api.ts';
import type { CallRow } from './calls.ts';

const REFRESH_MS = 30_000;
/** After a call ends its record reaches Spokes and is logged within seconds (most within 2 s). */
const AFTER_CALL_MS = [1_500, 4_000, 12_000];

function outcomeBadge(c: MyCall) {
  if (c.missed)
    return (
      <Badge tone="danger" plain>
        Missed
      </Badge>
    );
  if (c.status === 'answered')
    return (
      <Badge tone="neutral" plain>
        Answered
      </Badge>
    );
  return (
    <Badge tone="neutral" plain>
      Not answered
    </Badge>
  );
}

export function MyCalls({ token, live }: { token: string; live: CallRow[] }) {
  const [missedOnly, setMissedOnly] = useState(false);
  const [calls, setCalls] = useState<MyCall[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [calling, setCalling] = useState<{ cdrId: string; message?: string; error?: boolean } | undefined>();

  const load = useCallback(async () => {
    try {
      const page = await fetchMyCalls(token, { missed: missedOnly });
      setCalls(page.calls);
      setNext(page.nextCursor);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [token, missedOnly]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);
  // A call of this user just ended: it is in the history within seconds.
  const ended = live
    .filter((r) => r.state === 'ended' || r.state === 'failed')
    .map((r) => r.callId)
    .join(',');
  useEffect(() => {
    if (!ended) return undefined;
    const timers = AFTER_CALL_MS.map((ms) => window.setTimeout(() => void load(), ms));
    return () => timers.forEach((t) => window.clearTimeout(t));
  }, [ended, load]);

  const more = async () => {
    if (!next) return;
    const page = await fetchMyCalls(token, { missed: missedOnly, cursor: next }).catch((err: Error) => {
      setError(err.message);
      return null;
    });
    if (!page) return;
    setCalls((c) => [...(c ?? []), ...page.calls]);
    setNext(page.nextCursor);
  };

  const callBack = async (c: MyCall) => {
    setCalling({ cdrId: c.cdrId });
    try {
      const placed = await dial(token, c.externalNumber!);
      setCalling({ cdrId: c.cdrId, message: `Your phone rings first, then Spokes dials ${placed.number}.` });
    } catch (err) {
      setCalling({ cdrId: c.cdrId, message: (err as Error).message, error: true });
    }
  };

  return (
    <Card
      title="Your calls"
      labelledBy="agent-my-calls"
      description="Your calls, newest first, as Spokes logged them. Call back the ones you missed."
      actions={
        <div className="agent-segmented" role="group" aria-label="Show">
          <button type="button" aria-pressed={!missedOnly} onClick={() => setMissedOnly(false)}>
            All
          </button>
          <button type="button" aria-pressed={missedOnly} onClick={() => setMissedOnly(true)}>
            Missed
          </button>
        </div>
      }
    >
      {error && <Alert tone="warning">{error}</Alert>}
      {calls && calls.length === 0 && <p className="muted">{missedOnly ? 'No missed calls.' : 'No calls yet.'}</p>}
      {calls && calls.length > 0 && (
        <ul className="agent-history" aria-label="Your calls">
          {calls.map((c) => (
            <li key={c.cdrId} className="agent-history-row">
              <span className="agent-history-time">{formatDateTime(c.startedAt)}</span>
              <span className="agent-history-who">
                {c.recordUrl ? (
                  <a href={c.recordUrl} target="_blank" rel="noopener noreferrer">
                    {c.name ?? c.externalNumber}
                  </a>
                ) : (
                  <span>{c.name ?? c.externalNumber ?? 'Unknown number'}</span>
                )}
                <span className="muted small">
                  {' '}
                  {c.direction === 'inbound' ? 'incoming' : c.direction === 'outbound' ? 'outgoing' : c.direction}
                  {c.name && c.externalNumber && !c.name.includes(c.externalNumber) ? ` · ${c.externalNumber}` : ''}
                  {c.status === 'answered' ? ` · ${formatDuration(c.durationMs)}` : ''}
                </span>
                {calling?.cdrId === c.cdrId && calling.message && (
                  <span className={`small agent-call-back-note${calling.error ? ' agent-call-back-error' : ''}`} role="status">
                    {calling.message}
                  </span>
                )}
              </span>
              <span className="agent-history-end">
                {outcomeBadge(c)}
                {c.missed && c.externalNumber && (
                  <Button size="small" variant="secondary" busy={calling?.cdrId === c.cdrId && !calling.message} onClick={() => void callBack(c)}>
                    Call back<span className="visually-hidden"> {c.name ?? c.externalNumber}</span>
                  </Button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <div className="agent-more">
          <Button size="small" variant="ghost" onClick={() => void more()}>
            Show older calls
          </Button>
        </div>
      )}
    </Card>
  );
}
