/**
 * The Overview: HubSpot, then every connector and each of its connections —
 * state, last activity, open errors — with a link to the page that manages it
 * and to its writes on the Activity page. Refreshes every 10 s while visible.
 */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, sentence } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { Link } from '../router.tsx';
import { PageHeader } from '../shell.tsx';
import { pageOfConnector } from '../pages.tsx';
import { CONNECTION_STATE, formatAgo, formatDateTime } from './format.ts';
import { platformApi, type ApiConnection, type ApiOverview } from './platform-api.ts';

const POLL_MS = 10_000;

const HUBSPOT_STATE = {
  connected: { label: 'Connected', tone: 'success' },
  needs_reauthorization: { label: 'Needs re-authorization', tone: 'warning' },
  not_connected: { label: 'Not connected', tone: 'neutral' },
} as const;

export function OverviewPage() {
  const [overview, setOverview] = useState<ApiOverview | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      setOverview(await platformApi.overview());
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  const connections = overview?.connectors.flatMap((c) => c.connections) ?? [];
  const problems = connections.filter((c) => c.state === 'error' || c.state === 'needs_reauthorization').length;
  return (
    <div className="page page-wide">
      <PageHeader
        title="Overview"
        description="Every connection Spokes manages: its state, its last activity and its errors."
        status={
          overview &&
          (problems ? (
            <Badge tone="warning">{problems === 1 ? '1 connection needs attention' : `${problems} connections need attention`}</Badge>
          ) : (
            <Badge tone="success">No problems</Badge>
          ))
        }
      />
      {error && (
        <Alert tone="danger" title="Could not load the overview">
          {error}
        </Alert>
      )}
      {!overview && !error && (
        <div className="row muted">
          <Spinner /> Loading…
        </div>
      )}
      {overview && (
        <>
          <HubSpotCard hubspot={overview.hubspot} />
          {overview.connectors.map((c) => (
            <ConnectorCard key={c.slug} connector={c} />
          ))}
        </>
      )}
    </div>
  );
}

function HubSpotCard({ hubspot }: { hubspot: ApiOverview['hubspot'] }) {
  const state = HUBSPOT_STATE[hubspot.state];
  const page = pageOfConnector('hubspot');
  return (
    <Card
      title="HubSpot"
      labelledBy="overview-hubspot"
      description="The CRM every connector writes to."
      actions={
        page && (
          <Link className="button button-secondary button-small" to={page.path}>
            Open HubSpot page
          </Link>
        )
      }
    >
      <div className="overview-row">
        <Badge tone={state.tone}>{state.label}</Badge>
        {hubspot.accountName && (
          <span>
            {hubspot.accountName}
            {hubspot.portalId !== null && <span className="muted"> · account {hubspot.portalId}</span>}
          </span>
        )}
        {hubspot.reason && <span className="muted small">{sentence(hubspot.reason)}</span>}
      </div>
    </Card>
  );
}

function ConnectorCard({ connector }: { connector: ApiOverview['connectors'][number] }) {
  const page = pageOfConnector(connector.slug);
  const id = `overview-${connector.slug}`;
  const activity = `/admin/activity?connector=${encodeURIComponent(connector.slug)}`;
  return (
    <Card
      title={connector.name}
      labelledBy={id}
      description={
        <>
          Last write{' '}
          {connector.lastWriteAt ? (
            <time dateTime={connector.lastWriteAt} title={formatDateTime(connector.lastWriteAt)}>
              {formatAgo(connector.lastWriteAt)}
            </time>
          ) : (
            'never'
          )}{' '}
          · <Link to={activity}>See its writes</Link>
        </>
      }
      actions={
        page && (
          <Link className="button button-secondary button-small" to={page.path}>
            Open {page.label} page
          </Link>
        )
      }
    >
      {connector.managedOnItsPage && connector.connections.length === 0 ? (
        <p className="muted">
          Its connection is shown on its own page
          {page ? (
            <>
              {' '}
              (<Link to={page.path}>{page.label}</Link>)
            </>
          ) : (
            ''
          )}
          .
        </p>
      ) : connector.connections.length === 0 ? (
        <p className="muted">No connections yet{connector.connectionsAllowed === 'many' ? ': add as many as you need.' : '.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack" aria-label={`${connector.name} connections`}>
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">State</th>
                <th scope="col">Last activity</th>
                <th scope="col" className="num">
                  Open errors
                </th>
              </tr>
            </thead>
            <tbody>
              {connector.connections.map((c) => (
                <ConnectionRow key={c.id} connection={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function ConnectionRow({ connection: c }: { connection: ApiConnection }) {
  const state = CONNECTION_STATE[c.state] ?? { label: c.state, tone: 'neutral' as const };
  return (
    <tr>
      <th scope="row">
        {c.label}
        <div className="muted small mono">{c.id}</div>
      </th>
      <td data-label="State">
        <div>
          <Badge tone={state.tone}>{state.label}</Badge>
          {c.reason && <div className="muted small overview-reason">{sentence(c.reason)}</div>}
        </div>
      </td>
      <td className="nowrap" data-label="Last activity">
        <div>
          {c.lastActivityAt ? (
            <time dateTime={c.lastActivityAt} title={formatDateTime(c.lastActivityAt)}>
              {formatAgo(c.lastActivityAt)}
            </time>
          ) : (
            <span className="muted">never</span>
          )}
        </div>
      </td>
      <td className="num" data-label="Open errors">
        <div>{c.openErrors ? <span className="count">{c.openErrors}</span> : <span className="muted">0</span>}</div>
      </td>
    </tr>
  );
}
