/**
 * A call in progress: who it is, what the phone system says is happening
 * (your phone rings first, then theirs; connected with a timer; on hold), the
 * caller's record for inbound calls, and hang up.
 */
import { useEffect, useState } from 'react';
import type { WidgetController } from './controller.ts';
import { formatDuration, partyName, talkMs, type ActiveCall } from './call-model.ts';
import { PhoneIcon } from './dial-pad.tsx';

export function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [active]);
  return now;
}

function stageText(call: ActiveCall): string {
  switch (call.stage) {
    case 'placing':
      return 'Placing the call…';
    case 'your-phone':
      return `Your phone (ext ${call.extension}) is ringing. Pick it up to connect.`;
    case 'ringing':
      return call.direction === 'inbound' ? `Incoming call on ext ${call.extension}. Answer on your phone.` : 'Ringing…';
    case 'connected':
      return 'Connected';
    case 'held':
      return 'On hold';
    case 'ended':
      return 'Call ended';
  }
}

export function Avatar({ name, tone }: { name: string | null; tone: 'ringing' | 'live' | 'idle' | 'failed' }) {
  const initials = name
    ? name
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 2)
        .map((w) => w[0]!.toUpperCase())
        .join('')
    : '';
  return (
    <div className={`w-avatar w-avatar-${tone}`} aria-hidden="true">
      {initials || <PhoneIcon />}
    </div>
  );
}

export function CallView({ call, controller }: { call: ActiveCall; controller: WidgetController }) {
  const live = call.stage === 'connected' || call.stage === 'held';
  const now = useNow(live);
  const name = partyName(call);
  const hasRecord = !!(call.match || call.hubspotMatch);
  const tone = live ? 'live' : 'ringing';
  return (
    <section className="w-call" data-testid="call" data-stage={call.stage} data-direction={call.direction}>
      <p className="w-call-kind">{call.direction === 'inbound' ? (call.stage === 'ringing' ? 'Incoming call' : 'Inbound call') : 'Outgoing call'}</p>
      <Avatar name={name} tone={tone} />
      <h2 className="w-call-name" data-testid="call-party">
        {name ?? call.number}
      </h2>
      {name && <p className="w-call-number">{call.number}</p>}
      {call.match?.autoCreated && <p className="w-call-note">New contact created for this caller</p>}
      <p className={`w-stage w-stage-${call.stage}`} data-testid="call-stage" role="status">
        {stageText(call)}
        {live && (
          <span className="w-timer" data-testid="call-timer">
            {' '}
            · {formatDuration(talkMs(call, now))}
          </span>
        )}
      </p>
      {call.direction === 'inbound' && hasRecord && (
        <button type="button" className="button button-secondary w-record-button" onClick={() => controller.openRecord()} data-testid="open-record">
          Open {call.match?.objectType === 'company' ? 'company' : 'contact'} record
        </button>
      )}
      {call.direction === 'inbound' && !hasRecord && <p className="w-call-note">No HubSpot contact has this number.</p>}
      <button type="button" className="w-hangup-button" onClick={() => void controller.hangup()} data-testid="hangup" disabled={call.hungUpByUser}>
        <PhoneIcon down /> {call.hungUpByUser ? 'Hanging up…' : call.direction === 'inbound' && call.stage === 'ringing' ? 'Decline' : 'Hang up'}
      </button>
    </section>
  );
}
