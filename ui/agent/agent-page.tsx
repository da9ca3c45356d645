/**
 * The signed-in pop-up page: who is signed in and on which extension, whether
 * the live connection is up, the current call, their calls from Spokes' call
 * history (missed ones to call back), and the pop-up and notification
 * settings with a test pop-up.
 */
import { useEffect, useState } from 'react';
import { Alert } from '../shared/components/alert.tsx';
import { Badge } from '../shared/components/badge.tsx';
import { Button } from '../shared/components/button.tsx';
import { Card } from '../shared/components/card.tsx';
import { SpokesLogo } from '../shared/components/spokes-logo.tsx';
import type { AgentMe, AgentSession } from '../shared/agent-api.ts';
import { currentCall, describe, type CallRow } from './calls.ts';
import { useCallEvents, type PopupStatus } from './use-call-events.ts';
import type { StreamState } from '../shared/event-stream.ts';
import { PopupBlockedHelp } from './popup-help.tsx';
import { notificationsOn, notificationsSupported, setNotifications } from './notifications.ts';
import { MyCalls } from './my-calls.tsx';
import { formatDateTime } from '../shared/format.ts';
import { TEST_POPUP_DELAY_MS } from './pop-up.ts';

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
  return (
    <a className="button button-secondary button-small" href={row.url} target="_blank" rel="noopener noreferrer">
      {label}
    </a>
  );
}

function CurrentCall({ row }: { row: CallRow | null }) {
  if (!row) {
    return (
      <Card title="Current call" labelledBy="agent-current-call">
        <p className="muted" data-testid="no-call">
          No call right now. When your phone rings, the caller's HubSpot record opens in a new tab.
        </p>
      </Card>
    );
  }
  const state = describe(row);
  return (
    <Card title="Current call" labelledBy="agent-current-call" actions={<Badge tone={state.tone}>{state.label}</Badge>}>
      <div className="agent-call" aria-live="polite">
        <div className={`agent-call-avatar agent-call-avatar-${state.tone}`} aria-hidden="true">
          {initials(row.caller)}
        </div>
        <div className="agent-call-who">
          <div className="agent-call-name">{row.caller}</div>
          <div className="muted small">
            {directionLabel(row)}
            {otherNumber(row) ? (
              <>
                {' '}
                · <span className="mono">{otherNumber(row)}</span>
              </>
            ) : null}{' '}
            · since {formatDateTime(row.startedAt)}
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
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]!.toUpperCase())
      .join('') || '?'
  );
}

function Settings({ popups, onTestPopup }: { popups: PopupStatus; onTestPopup: () => Promise<'allowed' | 'blocked'> }) {
  const [on, setOn] = useState(notificationsOn);
  const [denied, setDenied] = useState(false);
  const [testing, setTesting] = useState<'waiting' | 'allowed' | 'blocked' | undefined>();
  const test = async () => {
    setTesting('waiting');
    setTesting(await onTestPopup());
  };
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
          {popups === 'allowed' ? (
            <Badge tone="success">Pop-ups allowed</Badge>
          ) : popups === 'blocked' ? (
            <Badge tone="danger">Pop-ups blocked</Badge>
          ) : (
            <Badge tone="neutral">Checked on the first call</Badge>
          )}
        </div>
        <div className="row-between">
          <div className="muted small">
            Check before a customer calls: a test tab opens the way a caller's record does, and your browser asks you to allow pop-ups if it blocks them.
          </div>
          <Button size="small" busy={testing === 'waiting'} onClick={() => void test()}>
            Send test pop-up
          </Button>
        </div>
        {testing === 'waiting' && (
          <p className="small muted" role="status">
            The test pop-up opens in {TEST_POPUP_DELAY_MS / 1000} seconds, without a click, as a ringing call's would…
          </p>
        )}
        {testing === 'allowed' && (
          <p className="small agent-test-ok" role="status">
            Pop-ups work: the test tab opened. You can close it.
          </p>
        )}
        <div className="row-between">
          <label className="agent-toggle-label" htmlFor="agent-notifications">
            <span className="field-label">Desktop notifications</span>
            <span className="muted small">
              {notificationsSupported() ? 'Also show a notification when your phone rings.' : 'This browser cannot show notifications.'}
            </span>
          </label>
          <input
            id="agent-notifications"
            type="checkbox"
            role="switch"
            aria-checked={on}
            className="agent-switch"
            checked={on}
            disabled={!notificationsSupported()}
            onChange={() => void toggle()}
          />
        </div>
        {denied && (
          <Alert tone="warning">
            Your browser blocks notifications for this site. Allow them in the site settings (the icon left of the address), then turn this on again.
          </Alert>
        )}
      </div>
    </Card>
  );
}

export function AgentPage({ session, me, onSignOut }: { session: AgentSession; me: AgentMe | null; onSignOut: (reason?: string) => void }) {
  const events = useCallEvents(session, (_status, message) => onSignOut(message));
  const agent = me?.agent ?? session.agent;
  const current = currentCall(events.calls);

  useEffect(() => {
    document.title =
      current?.state === 'ringing' && current.direction === 'inbound'
        ? `Ringing: ${current.caller} — Spokes`
        : `${agent.name} (${agent.extension}) — Spokes call pop-ups`;
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
            <div className="muted small">
              Extension <span className="mono">{agent.extension}</span>
            </div>
          </div>
          <ConnectionBadge state={events.stream} />
          <Button variant="ghost" size="small" onClick={() => onSignOut()}>
            Sign out
          </Button>
        </div>
      </header>
      <main className="agent-main">
        {events.blocked && <PopupBlockedHelp target={events.blocked} onOpen={events.openBlocked} onDismiss={events.dismissBlocked} />}
        {events.stream === 'reconnecting' && (
          <Alert tone="warning" title="Reconnecting to Spokes…">
            Calls that ring meanwhile are shown as soon as the connection is back.
          </Alert>
        )}
        <p className="muted agent-keep-open">Keep this tab open while you work: when your phone rings, the caller's HubSpot record opens in a new tab.</p>
        {me?.sandbox && (
          <Alert tone="info" title="Sandbox mode">
            Records open in Spokes' built-in HubSpot sandbox, not in your HubSpot account. Simulate a call to extension {agent.extension} with the PBX emulator
            (<code>POST /sandbox/calls</code>) to see a pop-up.
          </Alert>
        )}
        <CurrentCall row={current} />
        <MyCalls token={session.token} live={events.calls} />
        <Settings popups={events.popups} onTestPopup={events.testPopup} />
      </main>
    </div>
  );
}
