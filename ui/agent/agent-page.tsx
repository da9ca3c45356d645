/**
 * The signed-in pop-up page: who is signed in and on which extension, whether
 * the live connection is up, the current call, today's calls with links to
 * their records, and the pop-up and notification settings.
 */
import { useEffect, useState } from 'react';
import { Alert } from '../shared/components/alert.tsx';
import { Badge } from '../shared/components/badge.tsx';
import { Button } from '../shared/components/button.tsx';
import { Card } from '../shared/components/card.tsx';
import { SpokesLogo } from '../admin/spokes-logo.tsx';
import type { AgentMe, AgentSession } from './agent-api.ts';
import { currentCall, describe, type CallRow } from './calls.ts';
import { useCallEvents, type PopupStatus } from './use-call-events.ts';
import type { StreamState } from './event-stream.ts';
import { PopupBlockedHelp } from './popup-help.tsx';
import { notificationsOn, notificationsSupported, setNotifications } from './notifications.ts';

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function ConnectionBadge({ state }: { state: StreamState }) {
  if (state === 'connected') return <Badge tone="success">Connected</Badge>;
  if (state === 'reconnecting') return <Badge tone="warning">Reconnecting…</Badge>;
  return <Badge tone="neutral">Connecting…</Badge>;
}

function directionLabel(row: CallRow): string {
  if (row.direction === 'inbound') return 'Incoming';
  if (row.direction === 'outbound') return 'Outgoing';
  if (row.direction === 'internal') return 'Internal';
  return 'Call';
}

/** The number, unless the caller's name already shows it (an unknown number, or `Automatic New Contact - <number>`). */
function otherNumber(row: CallRow): string | null {
  return row.number && !row.caller.includes(row.number) ? row.number : null;
}

function RecordLink({ row }: { row: CallRow }) {
  if (!row.url) return null;
  const label = row.objectType ? (row.autoCreated ? 'Open new contact' : `Open ${row.objectType}`) : 'Search HubSpot';
  return <a className="button button-secondary button-small" href={row.url} target="_blank" rel="noopener noreferrer">{label}</a>;
}

function CurrentCall({ row }: { row: CallRow | null }) {
  if (!row) {
    return (
      <Card title="Current call" labelledBy="agent-current-call">
        <p className="muted" data-testid="no-call">No call right now. When your phone rings, the caller's HubSpot record opens in a new tab.</p>
      </Card>
    );
  }
  const state = describe(row);
  return (
    <Card title="Current call" labelledBy="agent-current-call" actions={<Badge tone={state.tone}>{state.label}</Badge>}>
      <div className="agent-call" aria-live="polite">
        <div className={`agent-call-avatar agent-call-avatar-${state.tone}`} aria-hidden="true">{initials(row.caller)}</div>
        <div className="agent-call-who">
          <div className="agent-call-name">{row.caller}</div>
          <div className="muted small">
            {directionLabel(row)}{otherNumber(row) ? <> · <span className="mono">{otherNumber(row)}</span></> : null} · since {time(row.startedAt)}
            {row.autoCreated && <> · new contact created by Spokes</>}
          </div>
        </div>
        <RecordLink row={row} />
      </div>
    </Card>
  );
}

function initials(name: string): string {
  if (/^[+\d]/.test(name)) return '#';
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';
}

function History({ rows }: { rows: CallRow[] }) {
  return (
    <Card title="Today's calls" labelledBy="agent-history" description="Calls this page saw today, newest first.">
      {rows.length === 0 ? <p className="muted">No calls yet today.</p> : (
        <ul className="agent-history" aria-label="Today's calls">
          {rows.map((row) => {
            const state = describe(row);
            return (
              <li key={row.callId} className="agent-history-row">
                <span className="agent-history-time mono">{time(row.startedAt)}</span>
                <span className="agent-history-who">
                  {row.url ? <a href={row.url} target="_blank" rel="noopener noreferrer">{row.caller}</a> : <span>{row.caller}</span>}
                  <span className="muted small"> {directionLabel(row).toLowerCase()}{otherNumber(row) ? ` · ${otherNumber(row)}` : ''}{row.autoCreated ? ' · new contact' : ''}</span>
                </span>
                <Badge tone={state.tone} plain>{state.label}</Badge>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

function Settings({ popups }: { popups: PopupStatus }) {
  const [on, setOn] = useState(notificationsOn);
  const [denied, setDenied] = useState(false);
  const toggle = async () => {
    const result = await setNotifications(!on);
    setOn(result.on);
    setDenied(result.denied);
  };
  return (
    <Card title="Pop-ups and notifications" labelledBy="agent-settings">
      <div className="stack">
        <div className="row-between">
          <div>
            <div className="field-label">Record tabs</div>
            <div className="muted small">A new tab opens on the caller's record when your phone rings.</div>
          </div>
          {popups === 'allowed' ? <Badge tone="success">Pop-ups allowed</Badge> : popups === 'blocked' ? <Badge tone="danger">Pop-ups blocked</Badge> : <Badge tone="neutral">Checked on the first call</Badge>}
        </div>
        <div className="row-between">
          <label className="agent-toggle-label" htmlFor="agent-notifications">
            <span className="field-label">Desktop notifications</span>
            <span className="muted small">{notificationsSupported() ? 'Also show a notification when your phone rings.' : 'This browser cannot show notifications.'}</span>
          </label>
          <input id="agent-notifications" type="checkbox" role="switch" className="agent-switch" checked={on} disabled={!notificationsSupported()} onChange={() => void toggle()} />
        </div>
        {denied && <Alert tone="warning">Your browser blocks notifications for this site. Allow them in the site settings (the icon left of the address), then turn this on again.</Alert>}
      </div>
    </Card>
  );
}

export function AgentPage({ session, me, onSignOut }: { session: AgentSession; me: AgentMe | null; onSignOut: (reason?: string) => void }) {
  const events = useCallEvents(session, (_status, message) => onSignOut(message));
  const agent = me?.agent ?? session.agent;
  const current = currentCall(events.calls);

  useEffect(() => {
    document.title = current?.state === 'ringing' && current.direction === 'inbound' ? `Ringing: ${current.caller} — Spokes` : `${agent.name} (${agent.extension}) — Spokes call pop-ups`;
  }, [current?.state, current?.caller, current?.direction, agent.name, agent.extension]);

  return (
    <div className="agent">
      <header className="agent-bar">
        <div className="agent-brand">
          <SpokesLogo size={30} />
          <div>
            <div className="agent-brand-name">Spokes</div>
            <div className="agent-brand-tagline">Call pop-ups</div>
          </div>
        </div>
        <div className="agent-who">
          <div className="agent-who-text">
            <div className="agent-who-name">{agent.name}</div>
            <div className="muted small">Extension <span className="mono">{agent.extension}</span></div>
          </div>
          <ConnectionBadge state={events.stream} />
          <Button variant="ghost" size="small" onClick={() => onSignOut()}>Sign out</Button>
        </div>
      </header>
      <main className="agent-main">
        {events.blocked && <PopupBlockedHelp target={events.blocked} onOpen={events.openBlocked} onDismiss={events.dismissBlocked} />}
        {events.stream === 'reconnecting' && (
          <Alert tone="warning" title="Reconnecting to Spokes…">Calls that ring meanwhile are shown as soon as the connection is back.</Alert>
        )}
        <p className="muted agent-keep-open">Keep this tab open while you work: when your phone rings, the caller's HubSpot record opens in a new tab.</p>
        {me?.sandbox && (
          <Alert tone="info" title="Sandbox mode">
            Records open in Spokes' built-in HubSpot sandbox, not in your HubSpot account. Simulate a call to extension {agent.extension} with the PBX
            emulator (<code>POST /sandbox/calls</code>) to see a pop-up.
          </Alert>
        )}
        <CurrentCall row={current} />
        <History rows={events.calls} />
        <Settings popups={events.popups} />
      </main>
    </div>
  );
}
