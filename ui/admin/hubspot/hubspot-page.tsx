/**
 * The HubSpot page (T1, T2): the app set-up steps, the OAuth connect flow in a
 * new tab, the private-app alternative, and the connection's status.
 */
import { useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { PageHeader } from '../shell.tsx';
import { ConnectionCard } from './connection-card.tsx';
import type { CredentialsInput } from './credentials-form.tsx';
import { hubspotApi, type ApiHubSpot } from './hubspot-api.ts';
import { openPlaceholderTab, sendTabTo } from './open-hubspot-tab.ts';
import { PrivateAppForm } from './private-app-form.tsx';
import { SetupSteps } from './setup-steps.tsx';
import { useHubSpot } from './use-hubspot.ts';
import { CallingWidgetCard } from './calling-widget-card.tsx';

type Busy = 'connect' | 'token' | 'disconnect' | undefined;

export function HubSpotPage() {
  const toasts = useToasts();
  const connectedToast = (s: ApiHubSpot) => {
    if (s.connection) toasts.show('success', `Connected to HubSpot account ${s.connection.accountName} (portal ${s.connection.portalId}).`);
  };
  const hub = useHubSpot(connectedToast);
  const [busy, setBusy] = useState<Busy>();
  const [saveErrors, setSaveErrors] = useState<Record<string, string>>({});
  const [actionError, setActionError] = useState<string | undefined>();
  const [tokenOpen, setTokenOpen] = useState(false);
  const [tokenError, setTokenError] = useState<string | undefined>();
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  // Bumped by every successful save: the credentials form starts over from what is saved.
  const [savedVersion, setSavedVersion] = useState(0);
  const tokenRef = useRef<HTMLDivElement>(null);
  const { state } = hub;

  /** Saves the app when asked to, then opens HubSpot's authorize page in a new tab. */
  const connect = async (save?: CredentialsInput) => {
    // Opened now, inside the click: browsers block tabs opened after an await.
    const tab = openPlaceholderTab();
    setBusy('connect');
    setSaveErrors({});
    setActionError(undefined);
    try {
      if (save && (save.clientSecret !== undefined || save.clientId !== state?.app.clientId)) {
        hub.accept(await hubspotApi.saveApp(save));
        setSavedVersion((v) => v + 1);
      }
      const { authorizeUrl } = await hubspotApi.authorize();
      if (tab && !tab.closed) sendTabTo(tab, authorizeUrl);
      hub.startWaiting({ tab: tab && !tab.closed ? tab : null, authorizeUrl, startedAt: Date.now() });
    } catch (err) {
      tab?.close();
      if (err instanceof ApiError && err.details.length) setSaveErrors(err.fieldErrors());
      else setActionError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  const submitToken = async (token: string) => {
    setBusy('token');
    setTokenError(undefined);
    setActionError(undefined);
    try {
      const next = await hubspotApi.connectWithToken(token);
      hub.accept(next);
      setTokenOpen(false);
      connectedToast(next);
    } catch (err) {
      setTokenError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  const disconnect = async () => {
    setBusy('disconnect');
    setActionError(undefined);
    try {
      await hubspotApi.disconnect();
      setConfirmDisconnect(false);
      toasts.show('success', 'HubSpot is disconnected.');
      await hub.refresh();
    } catch (err) {
      setConfirmDisconnect(false);
      setActionError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  const reconnect = () => {
    if (state?.connection?.kind === 'private_app') {
      setTokenOpen(true);
      tokenRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      return;
    }
    void connect();
  };

  return (
    <div className="page">
      <PageHeader
        title="HubSpot"
        description="The HubSpot account Spokes logs calls to and syncs contacts with."
        status={state && <StatusBadge state={state} waiting={!!hub.waiting} />}
      />
      {!state && !hub.loadError && (
        <div className="row muted">
          <Spinner /> Loading…
        </div>
      )}
      {hub.loadError && (
        <Alert tone="danger" title="Could not load the HubSpot settings">
          {hub.loadError}
        </Alert>
      )}
      {state && (
        <>
          {state.sandbox && (
            <Alert tone="info" title="Sandbox mode">
              Spokes is running against its built-in HubSpot sandbox, a local stand-in for HubSpot, and connected itself to the sandbox's test account. Nothing
              you do here reaches a real HubSpot account, and every step below works the same way, so you can try them safely. To connect your real HubSpot
              account, restart Spokes with <code>SPOKES_SANDBOX=off</code>.
            </Alert>
          )}
          {actionError && <Alert tone="danger">{actionError}</Alert>}
          {state.connection && (
            <ConnectionCard
              connection={state.connection}
              reconnecting={busy === 'connect'}
              onReconnect={reconnect}
              onDisconnect={() => setConfirmDisconnect(true)}
            />
          )}
          <SetupSteps
            key={savedVersion}
            state={state}
            collapsed={state.connection?.status === 'connected' && !hub.waiting}
            errors={saveErrors}
            saving={busy === 'connect'}
            waiting={hub.waiting}
            tabClosed={hub.tabClosed}
            authError={hub.authError}
            onSave={(input) => void connect(input)}
            onConnect={() => void connect()}
            onCancelWait={hub.stopWaiting}
          />
          <div ref={tokenRef}>
            <PrivateAppForm open={tokenOpen} onToggle={setTokenOpen} busy={busy === 'token'} error={tokenError} onSubmit={(t) => void submitToken(t)} />
          </div>
          <CallingWidgetCard />
          <ConfirmDialog
            open={confirmDisconnect}
            title="Disconnect HubSpot?"
            confirmLabel="Disconnect"
            busy={busy === 'disconnect'}
            onConfirm={() => void disconnect()}
            onCancel={() => setConfirmDisconnect(false)}
          >
            Spokes stops logging calls and syncing with {state.connection ? <b>{state.connection.accountName}</b> : 'HubSpot'} until you connect again. The
            app's Client ID and Client Secret stay saved.
          </ConfirmDialog>
        </>
      )}
    </div>
  );
}

function StatusBadge({ state, waiting }: { state: ApiHubSpot; waiting: boolean }) {
  if (waiting) return <Badge tone="warning">Waiting for HubSpot…</Badge>;
  if (!state.connection) return <Badge tone="neutral">Not connected</Badge>;
  if (state.connection.status === 'needs_reauthorization') return <Badge tone="danger">Needs re-authorization</Badge>;
  return <Badge tone="success">Connected</Badge>;
}
