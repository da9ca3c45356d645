/**
 * Step 4: the app's Client ID and Client Secret. The secret is write-only:
 * once saved the field shows "saved" and can be replaced, never read back.
 */
import { useState, type FormEvent } from 'react';
import { Button } from '../../shared/components/button.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { useManagerOnly } from '../session.tsx';

export interface CredentialsInput {
  clientId: string;
  /** Undefined: keep the saved secret. */
  clientSecret?: string;
}

export function CredentialsForm({
  clientId,
  secretSaved,
  errors,
  busy,
  onSubmit,
}: {
  clientId: string | null;
  secretSaved: boolean;
  errors: Record<string, string>;
  busy: boolean;
  onSubmit: (input: CredentialsInput) => void;
}) {
  const managerOnly = useManagerOnly();
  const [id, setId] = useState(clientId ?? '');
  const [secret, setSecret] = useState('');
  const [replacing, setReplacing] = useState(!secretSaved);
  const [local, setLocal] = useState<Record<string, string>>({});

  // The parent remounts this form after a save (a `key`), so it always starts from what is saved.

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!id.trim()) problems.clientId = "Enter the Client ID from the app's Auth tab.";
    if (replacing && !secret.trim()) problems.clientSecret = "Enter the Client Secret from the app's Auth tab.";
    // Another Client ID is another app, whose secret is not the saved one.
    if (!replacing && clientId && id.trim() !== clientId) {
      problems.clientSecret = 'A new Client ID needs its own Client Secret: paste it too.';
      setReplacing(true);
    }
    setLocal(problems);
    if (Object.keys(problems).length) return;
    onSubmit({ clientId: id.trim(), clientSecret: replacing ? secret.trim() : undefined });
  };

  const shown = { ...errors, ...local };
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <TextField
        label="Client ID"
        mono
        value={id}
        onChange={(v) => {
          setId(v);
          setLocal({});
        }}
        error={shown.clientId}
        placeholder="e.g. 5f2b8c1e-3a4d-4e6f-9b0a-1c2d3e4f5a6b"
        autoComplete="off"
        spellCheck={false}
      />
      {replacing ? (
        <TextField
          label="Client Secret"
          type="password"
          mono
          value={secret}
          onChange={(v) => {
            setSecret(v);
            setLocal({});
          }}
          error={shown.clientSecret}
          autoComplete="off"
          spellCheck={false}
          hint={secretSaved ? 'Replaces the saved secret.' : 'Stored encrypted; never shown again.'}
        />
      ) : (
        <div className="field">
          <span className="field-label" id="secret-label">
            Client Secret
          </span>
          <div className="secret-saved" role="group" aria-labelledby="secret-label">
            <span>
              <span aria-hidden="true">••••••••</span> <span className="muted small">saved</span>
            </span>
            <Button size="small" variant="ghost" onClick={() => setReplacing(true)}>
              Replace
            </Button>
          </div>
          {shown.clientSecret && <div className="field-error">{shown.clientSecret}</div>}
        </div>
      )}
      <div className="form-actions">
        <Button variant="primary" type="submit" busy={busy} {...managerOnly}>
          Save and connect
        </Button>
        {secretSaved && replacing && (
          <Button
            variant="ghost"
            onClick={() => {
              setReplacing(false);
              setSecret('');
            }}
          >
            Keep the saved secret
          </Button>
        )}
        <span className="muted small">HubSpot opens in a new tab.</span>
      </div>
    </form>
  );
}
