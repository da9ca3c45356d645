/** "Ours" in T2: a HubSpot private-app access token instead of an OAuth app. */
import { useState, type FormEvent } from 'react';
import { Button } from '../../shared/components/button.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { useManagerOnly } from '../session.tsx';

export function PrivateAppForm({
  open,
  onToggle,
  busy,
  error,
  onSubmit,
}: {
  open: boolean;
  onToggle: (open: boolean) => void;
  busy: boolean;
  error?: string;
  onSubmit: (token: string) => void;
}) {
  const managerOnly = useManagerOnly();
  const [token, setToken] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) {
      setLocal('Paste the access token of your private app.');
      return;
    }
    setLocal(undefined);
    onSubmit(token.trim());
  };
  return (
    <details className="collapsible" open={open} onToggle={(e) => onToggle((e.target as HTMLDetailsElement).open)}>
      <summary>
        Use a private-app access token instead <span className="muted small">no OAuth app needed</span>
      </summary>
      <form className="collapsible-body" onSubmit={submit} noValidate>
        <p className="muted">
          In HubSpot, open <b>Settings → Integrations → Private apps</b>, create an app with the scopes listed above, and copy its access token. Spokes uses it
          as it is; a private-app token does not expire, but HubSpot lets you rotate it — paste the new one here when you do.
        </p>
        <TextField
          label="Access token"
          type="password"
          mono
          value={token}
          onChange={(v) => {
            setToken(v);
            setLocal(undefined);
          }}
          error={local ?? error}
          placeholder="pat-na1-…"
          autoComplete="off"
          spellCheck={false}
        />
        <div className="form-actions">
          <Button variant="primary" type="submit" busy={busy} {...managerOnly}>
            Connect with token
          </Button>
        </div>
      </form>
    </details>
  );
}
