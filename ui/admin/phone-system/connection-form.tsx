/**
 * The PBX's address and API credentials (Integrations > API on the Yeastar
 * portal). Spokes signs in once to check them; a refusal comes back as the
 * server's own sentence, shown inline, and the form stays editable — Spokes
 * itself refuses to resend credentials the PBX rejected, so the admin cannot
 * walk into the PBX's 5-failure IP block by pressing Connect again.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Checkbox } from '../../shared/components/checkbox.tsx';
import { CopyField } from '../../shared/components/copy-field.tsx';
import { TextField } from '../../shared/components/field.tsx';
import type { ConnectInput } from './phone-api.ts';
import { useManagerOnly } from '../session.tsx';

export function ConnectionForm({
  initial,
  webhookUrl,
  webhookSecretSet = false,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: { baseUrl: string; clientId: string };
  webhookUrl: string;
  /** Updating a connection whose webhook secret is saved. */
  webhookSecretSet?: boolean;
  submitLabel: string;
  /** Rejects with the server's ApiError when the PBX refuses. */
  onSubmit: (input: ConnectInput) => Promise<void>;
  onCancel?: () => void;
}) {
  const managerOnly = useManagerOnly();
  const [baseUrl, setBaseUrl] = useState(initial?.baseUrl ?? '');
  const [clientId, setClientId] = useState(initial?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [removeWebhookSecret, setRemoveWebhookSecret] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const edit = (set: (v: string) => void, field: string) => (v: string) => {
    set(v);
    setFieldErrors(({ [field]: _, ...rest }) => rest);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!baseUrl.trim()) problems.baseUrl = 'Enter the address of the PBX web portal.';
    else if (!/^https?:\/\/\S+$/i.test(baseUrl.trim())) problems.baseUrl = 'Start with https:// (or http://), e.g. https://pbx.example.com:8088.';
    if (!clientId.trim()) problems.clientId = 'Enter the Client ID from Integrations > API on the PBX.';
    // The saved secret is kept for the same PBX and Client ID only: the server never sends it anywhere else.
    const samePbx = !!initial && baseUrl.trim().replace(/\/+$/, '') === initial.baseUrl && clientId.trim() === initial.clientId;
    if (!clientSecret.trim() && !samePbx) {
      problems.clientSecret = initial ? 'Enter the Client Secret: a new PBX address or Client ID needs it.' : 'Enter the Client Secret from the same page.';
    }
    setFieldErrors(problems);
    setRefusal(undefined);
    if (Object.keys(problems).length) return;
    setBusy(true);
    try {
      // Blank secrets are left out: the saved ones are kept.
      await onSubmit({
        baseUrl: baseUrl.trim(),
        clientId: clientId.trim(),
        clientSecret: clientSecret.trim() || undefined,
        webhookSecret: removeWebhookSecret ? null : webhookSecret.trim() || undefined,
      });
    } catch (err) {
      // Input mistakes come back per field; the PBX's refusal (wrong secret, unreachable) is one sentence for the whole form.
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      const refused = err instanceof ApiError && Object.values(fields).some((m) => m === err.message);
      if (err instanceof ApiError && err.details.length && !refused) setFieldErrors(fields);
      else setRefusal(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="PBX connection">
      <TextField
        label="PBX address"
        mono
        value={baseUrl}
        onChange={edit(setBaseUrl, 'baseUrl')}
        error={fieldErrors.baseUrl}
        placeholder="https://pbx.example.com:8088"
        autoComplete="url"
        spellCheck={false}
        inputMode="url"
        hint="The address of the PBX web portal: https://<address>:8088 for Software and Appliance editions, https://<name>.yeastarcloud.com for Cloud."
      />
      <div className="form-grid">
        <TextField
          label="Client ID"
          mono
          value={clientId}
          onChange={edit(setClientId, 'clientId')}
          error={fieldErrors.clientId}
          autoComplete="off"
          spellCheck={false}
        />
        <TextField
          label="Client Secret"
          type="password"
          mono
          value={clientSecret}
          onChange={edit(setClientSecret, 'clientSecret')}
          error={fieldErrors.clientSecret}
          autoComplete="off"
          spellCheck={false}
          hint={
            initial
              ? 'Leave empty to keep the saved one (Spokes never shows it). A new address or Client ID needs it again.'
              : 'Stored encrypted; never shown again.'
          }
        />
      </div>
      <details className="optional-block" open={webhookSecretSet || undefined}>
        <summary>
          Webhook push <span className="muted small">optional: Spokes receives call events over the API without it</span>
        </summary>
        <div className="stack optional-block-body">
          <p className="muted small">
            If you also add a webhook on the PBX (<b>Integrations &gt; API &gt; Webhook Event Push</b>, method POST, events 30011, 30012, 30008 and 30015), give
            it this URL and paste its Secret below. Spokes checks every delivery against it.
          </p>
          <CopyField label="Webhook URL" value={webhookUrl} />
          <TextField
            label="Webhook secret"
            type="password"
            mono
            value={removeWebhookSecret ? '' : webhookSecret}
            onChange={setWebhookSecret}
            autoComplete="off"
            spellCheck={false}
            disabled={removeWebhookSecret}
            hint={
              webhookSecretSet
                ? 'A webhook secret is saved. Leave empty to keep it, or paste a new one to replace it.'
                : 'The 32-character Secret the PBX shows for the webhook.'
            }
          />
          {webhookSecretSet && (
            <Checkbox
              checked={removeWebhookSecret}
              onChange={setRemoveWebhookSecret}
              label="Remove the saved webhook secret"
              hint="Spokes then refuses webhook pushes; call events still arrive over the API."
            />
          )}
        </div>
      </details>
      {refusal && (
        <Alert tone="danger" title="The PBX did not accept the connection">
          {refusal}
        </Alert>
      )}
      <div className="form-actions">
        <Button variant="primary" type="submit" busy={busy} {...managerOnly}>
          {busy ? 'Checking with the PBX…' : submitLabel}
        </Button>
        {onCancel && (
          <Button variant="ghost" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        )}
        <span className="muted small">Spokes signs in to the PBX once to check the credentials.</span>
      </div>
    </form>
  );
}
