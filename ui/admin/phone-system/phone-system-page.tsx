/**
 * The Phone system page (T3–T10): a Yeastar P-Series PBX connected to HubSpot,
 * laid out like the PBX's own HubSpot integration page — status and the enable
 * switch at the top, "Disconnect phone system" at the top right (Yeastar's page calls it
 * "Integrate another CRM"), user binding,
 * contact settings — plus what Spokes did: the last calls and the sync errors.
 */
import { useState } from 'react';
import { errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { AgentLinksCard } from '../agent-links/agent-links-card.tsx';
import { Link } from '../router.tsx';
import { PageHeader } from '../shell.tsx';
import { BindingsCard } from './bindings-card.tsx';
import { CallsCard } from './calls-card.tsx';
import { ConnectionForm } from './connection-form.tsx';
import { ContactSettingsCard } from './contact-settings-card.tsx';
import { PbxCard, streamHealth, type HubSpotState } from './pbx-card.tsx';
import { RecordingLinksCard } from './recording-links-card.tsx';
import { phoneApi, type ApiPhoneStatus, type ConnectInput } from './phone-api.ts';
import { usePhoneSystem } from './use-phone-system.ts';
import { SyncErrorsCard } from './sync-errors-card.tsx';
import { useManagerOnly } from '../session.tsx';

export function PhoneSystemPage() {
  const managerOnly = useManagerOnly();
  const toasts = useToasts();
  const phone = usePhoneSystem();
  const { status } = phone;
  const connection = status?.connection;
  const [switching, setSwitching] = useState(false);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>();

  const connect = async (input: ConnectInput) => {
    const next = await phoneApi.connect(input);
    phone.accept(next);
    toasts.show('success', `Connected to the PBX at ${new URL(next.connection!.baseUrl).host}.`);
  };

  const switchIntegration = async (enabled: boolean) => {
    setSwitching(true);
    setActionError(undefined);
    try {
      phone.accept(await phoneApi.setEnabled(enabled));
      toasts.show(
        'success',
        enabled
          ? 'HubSpot integration enabled: calls are logged from now on.'
          : 'HubSpot integration disabled: nothing is logged or synced until you switch it on.',
      );
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setSwitching(false);
    }
  };

  const disconnect = async () => {
    setDisconnecting(true);
    setActionError(undefined);
    try {
      phone.accept(await phoneApi.disconnect());
      setConfirmDisconnect(false);
      toasts.show('success', 'The PBX is disconnected and the integration settings are cleared.');
      void phone.refreshActivity();
    } catch (err) {
      setConfirmDisconnect(false);
      setActionError(errorMessage(err));
    } finally {
      setDisconnecting(false);
    }
  };

  const phonebook = status?.settings?.contactSync.phonebookName;
  const hubspotState: HubSpotState = phone.hubspot?.state ?? 'unknown';
  // Changes with every saved binding: a newly bound user gets their pop-up link.
  const bindingsKey = phone.directory.data?.users.map((u) => `${u.ownerId}:${u.extension ?? ''}`).join(',');
  return (
    <div className="page page-wide">
      <PageHeader
        title="Phone system"
        description="Your Yeastar P-Series PBX and HubSpot: calls logged, callers recognised, contacts kept in step."
        status={
          status && (
            <div className="header-actions">
              <HeaderBadges status={status} hubspot={hubspotState} />
              {connection && (
                <Button variant="danger-outline" size="small" onClick={() => setConfirmDisconnect(true)} {...managerOnly}>
                  Disconnect phone system
                </Button>
              )}
            </div>
          )
        }
      />
      {!status && !phone.statusError && (
        <div className="row muted">
          <Spinner /> Loading…
        </div>
      )}
      {phone.statusError && (
        <Alert
          tone="danger"
          title="Could not load the phone system"
          actions={
            <Button size="small" onClick={() => void phone.refreshStatus()}>
              Try again
            </Button>
          }
        >
          {phone.statusError}
        </Alert>
      )}
      {status && (
        <>
          {phone.hubspot?.sandbox && <SandboxBanner status={status} />}
          {(hubspotState === 'not_connected' || hubspotState === 'needs_reauthorization') && (
            <Alert
              tone={connection?.enabled ? 'danger' : 'warning'}
              title={hubspotState === 'not_connected' ? 'HubSpot is not connected' : 'HubSpot needs re-authorization'}
              actions={
                <Link to="/admin/hubspot" className="button button-secondary button-small">
                  Open the HubSpot page
                </Link>
              }
            >
              Spokes needs HubSpot to list your users and to log calls.{' '}
              {connection ? 'No call is logged until HubSpot is connected again.' : 'Connect HubSpot too; the PBX can be connected meanwhile.'}
            </Alert>
          )}
          {actionError && <Alert tone="danger">{actionError}</Alert>}
          {connection ? (
            <>
              <PbxCard
                status={status}
                connection={connection}
                hubspot={hubspotState}
                switching={switching}
                onSwitch={(v) => void switchIntegration(v)}
                onUpdateCredentials={connect}
              />
              <BindingsCard
                directory={phone.directory}
                onRefresh={() => void phone.loadDirectory()}
                onSaved={async () => {
                  await Promise.all([phone.loadDirectory(), phone.refreshStatus()]);
                }}
              />
              {status.settings && <ContactSettingsCard settings={status.settings} onSaved={phone.accept} activity={status.today.logged} />}
              <AgentLinksCard reloadKey={bindingsKey} />
              <RecordingLinksCard />
            </>
          ) : (
            <ConnectCard status={status} onConnect={connect} />
          )}
          {(connection || (phone.calls.data?.length ?? 0) > 0) && (
            <CallsCard calls={phone.calls} ownerNames={phone.ownerNames} today={connection ? status.today : undefined} />
          )}
          {connection && (
            <SyncErrorsCard errors={phone.syncErrors} onDismissed={(id) => phone.setSyncErrors((s) => ({ ...s, data: s.data?.filter((e) => e.id !== id) }))} />
          )}
          <ConfirmDialog
            open={confirmDisconnect}
            title="Disconnect the phone system?"
            confirmLabel="Disconnect"
            busy={disconnecting}
            onConfirm={() => void disconnect()}
            onCancel={() => setConfirmDisconnect(false)}
          >
            <p>
              Spokes disconnects from the PBX
              {connection && (
                <>
                  {' '}
                  at <b>{connection.baseUrl}</b>
                </>
              )}{' '}
              and clears all integration settings:
            </p>
            <ul className="dialog-list">
              <li>the PBX address, Client ID and secrets;</li>
              <li>the user bindings;</li>
              <li>the contact sync and auto-create settings, and the sync errors.</li>
            </ul>
            <p>
              {phonebook ? (
                <>
                  The phonebook <b>{phonebook}</b> and its contacts stay on the PBX
                </>
              ) : (
                <>Phonebooks and their contacts stay on the PBX</>
              )}
              ; Spokes no longer updates them, so they become editable again. Calls already logged stay in HubSpot.
            </p>
          </ConfirmDialog>
        </>
      )}
    </div>
  );
}

function HeaderBadges({ status, hubspot }: { status: ApiPhoneStatus; hubspot: HubSpotState }) {
  const c = status.connection;
  if (!c) return <Badge tone="neutral">Not connected</Badge>;
  const stream = streamHealth(c, hubspot);
  // "Connected" only while calls can flow; otherwise the problem, in two words.
  return (
    <>
      {c.enabled && (stream.tone === 'danger' || stream.tone === 'warning') ? (
        <Badge tone={stream.tone}>{stream.badge}</Badge>
      ) : (
        <Badge tone="success">Connected</Badge>
      )}
      {c.enabled ? <Badge tone="success">Enabled</Badge> : <Badge tone="warning">Disabled</Badge>}
    </>
  );
}

function SandboxBanner({ status }: { status: ApiPhoneStatus }) {
  const base = status.connection?.baseUrl;
  return (
    <Alert tone="info" title="Sandbox mode">
      {base ? (
        <>
          The phone system is Spokes' built-in PBX emulator, a local stand-in for a Yeastar P-Series: nothing here reaches a real phone system. Make a test call
          with <code>POST {base}/sandbox/calls</code>, for example <code>{'{"direction":"inbound","external":"+14155550100","extension":"1001"}'}</code>.
        </>
      ) : (
        <>
          Spokes runs with its built-in PBX emulator. To connect it again, use the emulator's address, Client ID and Client Secret from{' '}
          <code>GET /api/sandbox</code> on this machine (the <code>yeastar</code> key).
        </>
      )}
    </Alert>
  );
}

/** Not connected yet: where the credentials are on the PBX, and the form. */
function ConnectCard({ status, onConnect }: { status: ApiPhoneStatus; onConnect: (input: ConnectInput) => Promise<void> }) {
  return (
    <Card
      title="Connect your Yeastar P-Series PBX"
      labelledBy="connect-title"
      description="Software or Cloud edition, or an Appliance P550, P560 or P570: the editions with the OpenAPI."
    >
      <ol className="steps">
        <li className="step">
          <div className="step-body">
            <div className="step-title">On the PBX web portal, open Integrations &gt; API and switch the API on.</div>
            <p className="muted">
              The page shows a <b>Client ID</b> and a <b>Client Secret</b>. If you restrict API access by IP address there, allow the address Spokes connects
              from.
            </p>
          </div>
        </li>
        <li className="step">
          <div className="step-body">
            <div className="step-title">Under Advanced Settings, monitor the extensions and trunks to log.</div>
            <p className="muted">
              In <b>Extension Status Monitor</b> and <b>Trunk Status Monitor</b>, tick every extension whose calls should reach HubSpot and the trunks they use:
              the PBX reports calls only for monitored extensions and trunks.
            </p>
          </div>
        </li>
        <li className="step">
          <div className="step-body">
            <div className="step-title">Paste the PBX address, Client ID and Client Secret here and connect.</div>
            <ConnectionForm webhookUrl={status.webhookUrl} submitLabel="Connect" onSubmit={onConnect} />
          </div>
        </li>
      </ol>
    </Card>
  );
}
