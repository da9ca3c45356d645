/**
 * The connected PBX: the "Enable HubSpot integration" switch (T9) and what it
 * means, whether call events are flowing (with the last error in words), the
 * PBX's facts, and the credentials form for a rotated secret.
 */
import { useState } from 'react';
import { sentence } from '../../shared/api.ts';
import { Alert, type AlertTone } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Switch } from '../../shared/components/switch.tsx';
import { ConnectionForm } from './connection-form.tsx';
import { formatDateTime } from '../../shared/format.ts';
import type { ApiPhoneConnection, ApiPhoneStatus, ConnectInput } from './phone-api.ts';

export function PbxCard({
  status,
  connection,
  hubspot,
  switching,
  onSwitch,
  onUpdateCredentials,
}: {
  status: ApiPhoneStatus;
  connection: ApiPhoneConnection;
  hubspot: HubSpotState;
  switching: boolean;
  onSwitch: (enabled: boolean) => void;
  onUpdateCredentials: (input: ConnectInput) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const stream = streamHealth(connection, hubspot);
  const pbx = connection.pbx;
  return (
    <Card
      title="Yeastar P-Series PBX"
      labelledBy="pbx-title"
      description={
        <>
          Connected to <span className="mono">{hostOf(connection.baseUrl)}</span> since {formatDateTime(connection.connectedAt)}.
        </>
      }
      footer={!editing && <Button onClick={() => setEditing(true)}>Update credentials</Button>}
    >
      <div className="stack">
        <Switch
          checked={connection.enabled}
          busy={switching}
          onChange={onSwitch}
          label="Enable HubSpot integration"
          description="Log the calls of bound users to HubSpot and apply the contact settings below. Switched off, nothing is logged or synced and every setting is kept."
        />
        <Alert tone={stream.tone} title={stream.title}>
          {stream.text}
        </Alert>
        <dl className="facts">
          <div>
            <dt>PBX address</dt>
            <dd className="mono">{connection.baseUrl}</dd>
          </div>
          {pbx.model && (
            <div>
              <dt>Model</dt>
              <dd>{pbx.model}</dd>
            </div>
          )}
          {pbx.firmware && (
            <div>
              <dt>Firmware</dt>
              <dd className="mono">{pbx.firmware}</dd>
            </div>
          )}
          {pbx.serialNumber && (
            <div>
              <dt>Serial number</dt>
              <dd className="mono">{pbx.serialNumber}</dd>
            </div>
          )}
          <div>
            <dt>Client ID</dt>
            <dd className="mono">{connection.clientId}</dd>
          </div>
          <div>
            <dt>Webhook push</dt>
            <dd>{connection.webhookSecretSet ? 'Secret saved' : 'Not set up (not needed)'}</dd>
          </div>
          <div>
            <dt>Users bound</dt>
            <dd>{status.bindings}</dd>
          </div>
          <div>
            <dt>Last 24 hours</dt>
            <dd>
              {status.today.logged} logged{status.today.skipped + status.today.failed ? `, ${status.today.skipped + status.today.failed} not logged` : ''}
            </dd>
          </div>
        </dl>
        {editing && (
          <div className="subsection">
            <h3>Update the PBX credentials</h3>
            <p className="muted small">For a regenerated Client Secret or a new PBX address. Bindings and settings are kept.</p>
            <ConnectionForm
              initial={{ baseUrl: connection.baseUrl, clientId: connection.clientId }}
              webhookUrl={status.webhookUrl}
              webhookSecretSet={connection.webhookSecretSet}
              submitLabel="Save and reconnect"
              onCancel={() => setEditing(false)}
              onSubmit={async (input) => {
                await onUpdateCredentials(input);
                setEditing(false);
              }}
            />
          </div>
        )}
      </div>
    </Card>
  );
}

/** Longer than this without a checkpoint (written every 5 s while events flow), a "connected" stream is not trusted. */
const STALE_MS = 90_000;

export type HubSpotState = 'connected' | 'needs_reauthorization' | 'not_connected' | 'unknown';

/**
 * Whether calls are being logged, in words an admin can act on: the switch, HubSpot's
 * connection, then the PBX event stream (with its last error, or a checkpoint gone stale).
 */
export function streamHealth(c: ApiPhoneConnection, hubspot: HubSpotState, now = Date.now()): { tone: AlertTone; title: string; text: string; badge: string } {
  const since = c.eventsSeenUntil ? ` Last confirmed ${formatDateTime(c.eventsSeenUntil)}.` : '';
  if (!c.enabled) {
    return {
      tone: 'warning',
      badge: 'Disabled',
      title: 'Integration disabled',
      text: 'Calls are not logged and contacts are not synced. Calls made while it is off are not logged later, when you switch it back on.',
    };
  }
  if (hubspot === 'not_connected' || hubspot === 'needs_reauthorization') {
    return {
      tone: 'danger',
      badge: 'Not logging calls',
      title: 'Calls cannot be logged to HubSpot',
      text:
        hubspot === 'not_connected'
          ? 'HubSpot is not connected. Connect it on the HubSpot page; until then Spokes cannot log calls or look up callers.'
          : 'HubSpot refused Spokes\u2019 access and needs re-authorization. Reconnect it on the HubSpot page; until then Spokes cannot log calls or look up callers.',
    };
  }
  // The stream's last sign of life (or the connection itself, before the first one).
  const lastSign = Math.max(c.eventsSeenUntil ? new Date(c.eventsSeenUntil).getTime() : 0, new Date(c.connectedAt).getTime());
  if (c.streamState === 'reconnecting' || ((c.streamState === 'connected' || c.streamState === 'connecting') && now - lastSign > STALE_MS)) {
    const why = c.streamState === 'reconnecting' && c.lastError ? ` ${sentence(c.lastError)}` : '';
    return {
      tone: 'warning',
      badge: 'PBX unreachable',
      title: 'Spokes cannot reach the PBX\u2019s event stream',
      text: `Spokes keeps trying to reconnect.${why} Check that the PBX is running and reachable from Spokes; calls that end meanwhile are fetched from its call records once it is back.${since}`,
    };
  }
  switch (c.streamState) {
    case 'connected':
      return {
        tone: 'success',
        badge: 'Receiving calls',
        title: 'Receiving call events from the PBX',
        text: `Calls are logged to HubSpot as they end.${since}`,
      };
    case 'connecting':
      return {
        tone: 'info',
        badge: 'Connecting',
        title: 'Connecting to the PBX\u2019s event stream\u2026',
        text: 'Calls that end meanwhile are fetched from the PBX\u2019s call records once the stream is up, so none is missed.',
      };
    case 'error':
      return {
        tone: 'danger',
        badge: 'Not receiving calls',
        title: 'Spokes cannot receive call events from the PBX',
        text: `${sentence(c.lastError ?? 'the event stream failed')} Spokes tries again every few seconds; calls that end meanwhile are fetched from the PBX\u2019s call records when it reconnects.`,
      };
    default:
      return {
        tone: 'warning',
        badge: 'Not listening',
        title: 'Not listening for call events',
        text: 'The Spokes server that holds the PBX connection is starting or stopping. If this lasts more than a minute, check that Spokes is running.',
      };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
