/** What Spokes is connected to: account, portal id, how, since when, and the way out. */
import { sentence } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { formatDateTime } from '../../shared/format.ts';
import type { ApiHubSpotConnection } from './hubspot-api.ts';
import { useManagerOnly } from '../session.tsx';

export function ConnectionCard({
  connection,
  onReconnect,
  onDisconnect,
  reconnecting,
}: {
  connection: ApiHubSpotConnection;
  onReconnect: () => void;
  onDisconnect: () => void;
  reconnecting: boolean;
}) {
  const managerOnly = useManagerOnly();
  const broken = connection.status === 'needs_reauthorization';
  const since = new Date(connection.connectedAt);
  return (
    <Card
      title={broken ? 'HubSpot needs re-authorization' : 'Connected to HubSpot'}
      labelledBy="connection-title"
      description={
        broken
          ? 'Spokes cannot reach this account until you reconnect. Nothing is logged or synced meanwhile.'
          : 'Spokes logs calls and syncs records with this account.'
      }
      footer={
        <>
          <Button variant="danger-outline" onClick={onDisconnect} {...managerOnly}>
            Disconnect
          </Button>
          <Button variant={broken ? 'primary' : 'secondary'} onClick={onReconnect} busy={reconnecting} {...managerOnly}>
            Reconnect
          </Button>
        </>
      }
    >
      <div className="stack">
        {broken && (
          <Alert tone="danger" title="HubSpot refused Spokes' access">
            <p>{sentence(connection.lastError ?? 'the saved authorization no longer works')}</p>
            <p>{connection.kind === 'private_app' ? 'Paste a new private-app token below.' : 'Click Reconnect and approve the app again.'}</p>
          </Alert>
        )}
        <div className="account">
          <div className="account-mark" aria-hidden="true">
            <svg viewBox="0 0 20 20" width="24" height="24">
              <circle cx="13" cy="12" r="3.2" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M13 8.8V5.5M10.4 14.2L6 17M10.2 10.4L5 6.5" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
              <circle cx="13" cy="4.6" r="1.4" fill="currentColor" />
              <circle cx="4.6" cy="6.2" r="1.4" fill="currentColor" />
            </svg>
          </div>
          <div>
            <div className="account-name">{connection.accountName}</div>
            {connection.hubDomain && connection.hubDomain !== connection.accountName && <div className="muted small">{connection.hubDomain}</div>}
          </div>
        </div>
        <dl className="facts">
          <div>
            <dt>Portal ID</dt>
            <dd className="mono">{connection.portalId}</dd>
          </div>
          <div>
            <dt>Connected with</dt>
            <dd>{connection.kind === 'oauth' ? 'HubSpot app (OAuth)' : 'Private-app token'}</dd>
          </div>
          <div>
            <dt>Connected since</dt>
            <dd>{Number.isNaN(since.getTime()) ? connection.connectedAt : formatDateTime(since)}</dd>
          </div>
        </dl>
        {connection.scopes.length > 0 && (
          <details>
            <summary className="small muted">{connection.scopes.length} scopes granted</summary>
            <ul className="chips" aria-label="Granted scopes">
              {connection.scopes.map((s) => (
                <li key={s} className="chip">
                  {s}
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
    </Card>
  );
}
