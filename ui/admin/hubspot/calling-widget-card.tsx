/**
 * HubSpot page → Calling widget (C1): the app id and developer API key that
 * authorise the calling settings (the key is never shown again once saved),
 * the settings HubSpot holds, register / save changes / delete, and the
 * localStorage snippet that shows the widget in one browser while isReady is off.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { CopyField } from '../../shared/components/copy-field.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { callingApi, overrideSnippet, type ApiCalling, type CallingSettingsInput } from './calling-api.ts';
import './calling-widget.css';
import { useManagerOnly } from '../session.tsx';

type Form = Omit<CallingSettingsInput, 'width' | 'height'> & { width: string; height: string };

const FLAGS: Array<{ key: 'isReady' | 'supportsInboundCalling' | 'supportsCustomObjects' | 'usesCallingWindow' | 'usesRemote'; label: string; hint: string }> =
  [
    {
      key: 'isReady',
      label: 'Ready for every user (isReady)',
      hint: 'Off while you test: HubSpot then offers the widget only in browsers with the override below.',
    },
    { key: 'supportsInboundCalling', label: 'Inbound calls', hint: 'Salespeople see incoming calls in HubSpot.' },
    { key: 'supportsCustomObjects', label: 'Custom objects', hint: 'Calls can be placed from custom-object records (the widget creates the engagement).' },
    {
      key: 'usesCallingWindow',
      label: 'Calling window',
      hint: 'HubSpot hosts the widget in a separate window. Spokes works as a record-page widget: leave off.',
    },
    { key: 'usesRemote', label: 'Calling remote', hint: 'Show the widget in the calling remote of the navigation bar. Leave off.' },
  ];

/** The nine settings fields only (HubSpot's answer also carries createdAt/updatedAt, which a request must not). */
function toForm(s: CallingSettingsInput): Form {
  const { name, url, width, height, isReady, supportsCustomObjects, supportsInboundCalling, usesCallingWindow, usesRemote } = s;
  return { name, url, width: String(width), height: String(height), isReady, supportsCustomObjects, supportsInboundCalling, usesCallingWindow, usesRemote };
}

export function CallingWidgetCard() {
  const managerOnly = useManagerOnly();
  const toasts = useToasts();
  const [state, setState] = useState<ApiCalling | undefined>();
  const [widgetUrl, setWidgetUrl] = useState<string | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [form, setForm] = useState<Form | undefined>();
  const [appId, setAppId] = useState('');
  const [key, setKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [actionError, setActionError] = useState<string | undefined>();
  const [busy, setBusy] = useState<'credentials' | 'save' | 'delete' | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);

  const accept = (next: ApiCalling, url = widgetUrl) => {
    setState(next);
    setAppId(next.credentials ? String(next.credentials.appId) : '');
    setKey('');
    const base = next.settings ?? { ...next.defaults, url: url ?? '' };
    setForm(toForm(next.settings ? base : { ...base, url: url ?? '' }));
  };

  useEffect(() => {
    void (async () => {
      try {
        const [next, url] = await Promise.all([callingApi.get(), callingApi.widgetUrl().catch(() => undefined)]);
        setWidgetUrl(url);
        accept(next, url);
      } catch (err) {
        setLoadError(errorMessage(err));
      }
    })();
  }, []);

  const run = async (what: 'credentials' | 'save' | 'delete', action: () => Promise<ApiCalling>, done: string) => {
    setBusy(what);
    setErrors({});
    setActionError(undefined);
    try {
      accept(await action());
      toasts.show('success', done);
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(err.fieldErrors());
      setActionError(errorMessage(err));
    } finally {
      setBusy(undefined);
      setConfirmDelete(false);
    }
  };

  const saveCredentials = (e: FormEvent) => {
    e.preventDefault();
    void run(
      'credentials',
      () => callingApi.saveCredentials({ appId: appId.trim(), developerApiKey: key.trim() || undefined }),
      'HubSpot accepted the app id and developer API key.',
    );
  };

  const saveSettings = (e: FormEvent) => {
    e.preventDefault();
    if (!form || !state) return;
    const settings: CallingSettingsInput = { ...form, name: form.name.trim(), url: form.url.trim(), width: Number(form.width), height: Number(form.height) };
    if (state.settings) void run('save', () => callingApi.update(settings), 'Calling settings saved in HubSpot.');
    else void run('save', () => callingApi.register(settings), 'The calling widget is registered with HubSpot.');
  };

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => (f ? { ...f, [k]: v } : f));
  const registered = state?.settings;
  const stale = !!(registered && widgetUrl && registered.url !== widgetUrl);

  return (
    <Card
      title="Calling widget"
      labelledBy="calling-widget-title"
      className="calling-widget-card"
      description="Salespeople call from HubSpot records with the Spokes widget. Register it in your HubSpot app's calling settings."
      actions={
        state &&
        (registered ? (
          registered.isReady ? (
            <Badge tone="success">Registered</Badge>
          ) : (
            <Badge tone="warning">Registered · testing</Badge>
          )
        ) : (
          <Badge tone="neutral">Not registered</Badge>
        ))
      }
    >
      {!state && !loadError && (
        <div className="row muted">
          <Spinner /> Loading…
        </div>
      )}
      {loadError && (
        <Alert tone="danger" title="Could not load the calling settings">
          {loadError}
        </Alert>
      )}
      {state && (
        <div className="stack" data-testid="calling-widget">
          {actionError && <Alert tone="danger">{actionError}</Alert>}
          {state.error && (
            <Alert tone="warning" title="HubSpot did not return the calling settings">
              {state.error}
            </Alert>
          )}

          {state.credentials?.source === 'sandbox' ? (
            <p className="muted">
              Sandbox mode: Spokes uses the sandbox's own app (id <span className="mono">{state.credentials.appId}</span>) and registered the widget by itself.
            </p>
          ) : (
            <form className="stack-tight" onSubmit={saveCredentials} noValidate data-testid="calling-credentials">
              <p className="muted small">
                From your HubSpot developer account: the app's id (Apps → your app) and the account's developer API key (Apps → Get HubSpot API key).
              </p>
              <div className="calling-credentials">
                <TextField label="App ID" value={appId} onChange={setAppId} inputMode="numeric" mono error={errors.appId} placeholder="e.g. 3100001" />
                <TextField
                  label="Developer API key"
                  type="password"
                  value={key}
                  onChange={setKey}
                  mono
                  autoComplete="off"
                  spellCheck={false}
                  error={errors.developerApiKey}
                  placeholder={state.credentials ? 'Saved: enter a new key to replace it' : 'Paste the key'}
                />
              </div>
              <div className="form-actions">
                <Button type="submit" variant="secondary" busy={busy === 'credentials'} {...managerOnly}>
                  Save app and key
                </Button>
              </div>
            </form>
          )}

          {state.credentials && form && (
            <form className="stack-tight" onSubmit={saveSettings} noValidate data-testid="calling-settings-form">
              {stale && (
                <Alert tone="warning" title="The registered widget URL is out of date">
                  HubSpot holds another address than the one this Spokes serves the widget at (an older Spokes put a key in it; Spokes' address may have
                  changed). Save to register the current URL.
                </Alert>
              )}
              <div className="calling-grid">
                <TextField
                  label="Name in HubSpot"
                  value={form.name}
                  onChange={(v) => set('name', v)}
                  error={errors.name}
                  hint="Shown in HubSpot's “Call from” menu."
                />
                <TextField label="Width (px)" value={form.width} onChange={(v) => set('width', v)} inputMode="numeric" error={errors.width} />
                <TextField label="Height (px)" value={form.height} onChange={(v) => set('height', v)} inputMode="numeric" error={errors.height} />
              </div>
              <TextField
                label="Widget URL"
                value={form.url}
                onChange={(v) => set('url', v)}
                mono
                error={errors.url}
                hint={
                  widgetUrl && form.url !== widgetUrl ? (
                    <>
                      Spokes serves the widget at <span className="mono">{widgetUrl}</span>.{' '}
                      <button type="button" className="link-button" onClick={() => set('url', widgetUrl)}>
                        Use it
                      </button>
                    </>
                  ) : (
                    'Served by this Spokes; each salesperson signs in to it with their HubSpot account.'
                  )
                }
              />
              <div className="calling-flags">
                {FLAGS.map((f) => (
                  <Flag key={f.key} checked={form[f.key]} onChange={(v) => set(f.key, v)} label={f.label} hint={f.hint} />
                ))}
              </div>
              <div className="form-actions">
                <Button type="submit" variant="primary" busy={busy === 'save'}>
                  {registered ? 'Save changes' : 'Register widget'}
                </Button>
                {registered && (
                  <Button variant="danger-outline" onClick={() => setConfirmDelete(true)}>
                    Delete registration
                  </Button>
                )}
                {registered && <span className="muted small">Last changed in HubSpot {formatDateTime(registered.updatedAt)}</span>}
              </div>
            </form>
          )}

          {form?.url && (
            <CopyField
              label="Test in one browser (DevTools console on app.hubspot.com)"
              value={overrideSnippet(state.overrideKey, form.name || state.defaults.name, form.url)}
              hint={
                <>
                  HubSpot's override for local testing: it shows the widget in this browser even while “Ready for every user” is off. Remove it with{' '}
                  <span className="mono">localStorage.removeItem({JSON.stringify(state.overrideKey)})</span>.
                </>
              }
            />
          )}
          <ConfirmDialog
            open={confirmDelete}
            title="Delete the calling widget's registration?"
            confirmLabel="Delete"
            busy={busy === 'delete'}
            onConfirm={() => void run('delete', () => callingApi.remove(), 'The calling settings are deleted from HubSpot.')}
            onCancel={() => setConfirmDelete(false)}
          >
            HubSpot stops offering the Spokes widget to every user of the accounts where your app is installed. You can register it again.
          </ConfirmDialog>
        </div>
      )}
    </Card>
  );
}

function Flag({ checked, onChange, label, hint }: { checked: boolean; onChange: (v: boolean) => void; label: string; hint: string }) {
  const id = useId();
  return (
    <div className="calling-flag">
      <input type="checkbox" id={id} checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={`${id}-hint`} />
      <div>
        <label htmlFor={id}>{label}</label>
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      </div>
    </div>
  );
}
