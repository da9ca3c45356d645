/**
 * T1 + T2: the five steps from "create an app" to "Connect", with everything
 * the admin must paste into HubSpot one click away from the clipboard.
 */
import type { ReactNode } from 'react';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { CopyButton } from '../../shared/components/copy-button.tsx';
import { CopyField } from '../../shared/components/copy-field.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { CredentialsForm, type CredentialsInput } from './credentials-form.tsx';
import type { ApiHubSpot } from './hubspot-api.ts';
import type { Waiting } from './use-hubspot.ts';
import { useManagerOnly } from '../session.tsx';

export function SetupSteps({
  state,
  collapsed,
  errors,
  saving,
  waiting,
  tabClosed,
  authError,
  onSave,
  onConnect,
  onCancelWait,
}: {
  state: ApiHubSpot;
  /** Once connected the steps are done: they fold away behind a summary line. */
  collapsed: boolean;
  errors: Record<string, string>;
  saving: boolean;
  waiting?: Waiting;
  tabClosed: boolean;
  /** Why the last authorization failed, as the callback tab reported it. */
  authError?: string;
  onSave: (input: CredentialsInput) => void;
  onConnect: () => void;
  onCancelWait: () => void;
}) {
  const managerOnly = useManagerOnly();
  const { scopes, app } = state;
  const appSaved = !!app.clientId && app.clientSecretSet;
  const connected = state.connection?.kind === 'oauth' && state.connection.status === 'connected';
  const allScopes = [...scopes.required, ...scopes.optional].join(' ');
  const steps = (
    <ol className="steps">
      <Step title="In your HubSpot developer account, create an app.">
        <p className="muted">
          At{' '}
          <a href="https://developers.hubspot.com/" target="_blank" rel="noopener noreferrer">
            developers.hubspot.com
          </a>
          , open <b>Apps</b> and click <b>Create app</b>. Give it a name your team recognises, such as “Spokes”.
        </p>
      </Step>
      <Step title="Paste the Redirect URL on the app's Auth tab.">
        <CopyField
          label="Redirect URL"
          value={state.redirectUrl}
          hint={
            needsHttps(state.redirectUrl)
              ? 'HubSpot accepts plain http only for localhost: set SPOKES_PUBLIC_URL to the https address admins reach Spokes at.'
              : undefined
          }
        />
        <CopyField label="Webhook URL" value={state.webhookUrl} hint="On the app's Webhooks tab, set this as the target URL." />
      </Step>
      <Step title="Add these scopes on the Auth tab too, in its Scopes section.">
        <div className="scopes-block">
          <div className="row-between">
            <div className="scope-legend">
              <span>{scopes.required.length} required</span>
              {scopes.optional.length > 0 && <span>{scopes.optional.length} optional (dashed)</span>}
            </div>
            <CopyButton text={allScopes} label="Copy all scopes" what="all scopes, space-separated" />
          </div>
          <ul className="chips" aria-label="Scopes to tick">
            {scopes.required.map((s) => (
              <li key={s} className="chip">
                {s}
              </li>
            ))}
            {scopes.optional.map((s) => (
              <li key={s} className="chip chip-optional" title="Optional scope">
                {s}
              </li>
            ))}
          </ul>
        </div>
      </Step>
      <Step title="Paste the Client ID and Client Secret here and save." done={appSaved}>
        <CredentialsForm clientId={app.clientId} secretSaved={app.clientSecretSet} errors={errors} busy={saving} onSubmit={onSave} />
      </Step>
      <Step title="Connect." done={connected}>
        <p className="muted">
          In the tab that opens, pick a <b>standard</b> HubSpot account where you are a Super Admin — not a developer or test account — and click{' '}
          <b>Connect app</b>. This page updates by itself.
        </p>
        {waiting ? (
          <WaitingForHubSpot waiting={waiting} onCancel={onCancelWait} />
        ) : (
          <div className="form-actions">
            <Button
              variant={appSaved ? 'primary' : 'secondary'}
              onClick={onConnect}
              disabled={!appSaved || !!managerOnly.disabled}
              title={managerOnly.title}
              busy={saving}
            >
              {state.connection ? 'Reconnect HubSpot' : 'Connect HubSpot'}
            </Button>
            {!appSaved && <span className="muted small">Save the Client ID and Client Secret first.</span>}
          </div>
        )}
        {authError && !waiting && !connected && (
          <Alert tone="danger" title="Authorization failed">
            {authError}
          </Alert>
        )}
        {tabClosed && !waiting && !connected && !authError && (
          <Alert tone="info">The HubSpot tab was closed before the connection finished. Click Connect to try again.</Alert>
        )}
      </Step>
    </ol>
  );
  if (collapsed) {
    return (
      <details className="collapsible">
        <summary>
          HubSpot app set-up <span className="muted small">Redirect URL, webhook URL, scopes and app credentials</span>
        </summary>
        <div className="collapsible-steps">{steps}</div>
      </details>
    );
  }
  return (
    <Card title="Connect with a HubSpot app" labelledBy="setup-title" description="The recommended way: Spokes gets its own access and refreshes it by itself.">
      {steps}
    </Card>
  );
}

/** T1: the Redirect URL must be https unless it points at this machine. */
function needsHttps(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

function Step({ title, done = false, children }: { title: string; done?: boolean; children: ReactNode }) {
  return (
    <li className={`step${done ? ' step-done' : ''}`}>
      <div className="step-body">
        <div className="step-title">
          {title}
          {done && <span className="visually-hidden"> (done)</span>}
        </div>
        {children}
      </div>
    </li>
  );
}

function WaitingForHubSpot({ waiting, onCancel }: { waiting: Waiting; onCancel: () => void }) {
  if (!waiting.tab && waiting.authorizeUrl) {
    return (
      <Alert
        tone="warning"
        title="Your browser blocked the new tab"
        actions={
          <>
            <a className="button button-primary button-small" href={waiting.authorizeUrl} target="_blank" rel="noopener">
              Open HubSpot's sign-in page
            </a>
            <Button size="small" variant="ghost" onClick={onCancel}>
              Cancel
            </Button>
          </>
        }
      >
        Open HubSpot with the link below, approve the app there, then come back: this page updates by itself.
      </Alert>
    );
  }
  return (
    <div className="alert alert-info waiting" role="status">
      <Spinner />
      <span className="alert-body">Waiting for HubSpot… finish in the tab that opened.</span>
      <Button size="small" variant="ghost" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}
