/**
 * Business cards (Sansan ↔ HubSpot, SPEC D1–D8): connect a Sansan API key (or
 * another one, D2), then for the chosen connection pick tags, review the
 * mappings, choose direction and conflict rule, dry-run, save and sync — and
 * watch its health (progress, counts, failing records with resync, merges).
 * A key Sansan refuses is replaced in place (same Sansan user, sync resumes).
 */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, ApiError } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { PageHeader } from '../shell.tsx';
import { HealthCard } from './health-card.tsx';
import { ReplaceKeyCard } from './replace-key-card.tsx';
import { SetupCards } from './setup-cards.tsx';
import { sansanApi, type Connection } from './sansan-api.ts';
import './sansan.css';

export function SansanPage() {
  const [connections, setConnections] = useState<Connection[] | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      const { connections } = await sansanApi.list();
      setConnections(connections);
      setSelected((s) => s ?? connections[0]?.id);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const current = connections?.find((c) => c.id === selected);
  return (
    <div className="page page-wide sansan-page">
      <PageHeader
        title="Business cards"
        description="Sansan business cards become HubSpot contacts: pick tags, review the mappings, dry-run, then save and sync. Changes reach HubSpot within seconds."
        status={current && <SyncBadge connection={current} />}
      />
      {error && <Alert tone="danger">{error}</Alert>}
      <div className="stack">
        {connections && connections.length > 0 && (
          <Card title="Sansan accounts" description="Each API key is its own connection and syncs only the cards its user may see.">
            <div className="row sansan-accounts" role="radiogroup" aria-label="Sansan accounts">
              {connections.map((c) => (
                <Button
                  key={c.id}
                  variant={c.id === selected ? 'primary' : 'secondary'}
                  size="small"
                  aria-pressed={c.id === selected}
                  onClick={() => setSelected(c.id)}
                >
                  {c.label}
                </Button>
              ))}
            </div>
          </Card>
        )}
        <ConnectCard
          another={!!connections?.length}
          onConnected={async (c) => {
            setSelected(c.id);
            await load();
          }}
        />
        {current && <ReplaceKeyCard key={`k-${current.id}`} connection={current} onReplaced={load} />}
        {current && <SetupCards key={current.id} connection={current} onSaved={load} />}
        {current?.settings && <HealthCard key={`h-${current.id}`} connectionId={current.id} state={current.state} onStateChange={load} />}
      </div>
    </div>
  );
}

/** Whether cards flow: a key Sansan refuses (or a connection in error) stops the sync whatever its switch says. */
function SyncBadge({ connection }: { connection: Connection }) {
  if (connection.state === 'needs_reauthorization') return <Badge tone="danger">Sync stopped: replace the API key</Badge>;
  if (connection.state === 'error') return <Badge tone="danger">Sync stopped: error</Badge>;
  return connection.settings?.sync.enabled ? <Badge tone="success">Sync on</Badge> : <Badge tone="neutral">Sync off</Badge>;
}

function ConnectCard({ another, onConnected }: { another: boolean; onConnected: (c: Connection) => Promise<void> }) {
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setFieldError(undefined);
    try {
      const c = await sansanApi.connect(apiKey.trim(), baseUrl.trim() || undefined);
      setApiKey('');
      await onConnected(c);
    } catch (err) {
      const field = err instanceof ApiError ? err.details.find((d) => d.field.endsWith('apiKey')) : undefined;
      if (field) setFieldError('Sansan refused this API key. Copy it again from Sansan (Settings → API key).');
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      title={another ? 'Connect another Sansan account' : 'Connect Sansan'}
      description="The key is checked with Sansan before anything is stored, and never shown again."
    >
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {error && <Alert tone="danger">{error}</Alert>}
        <TextField label="Sansan API key" type="password" autoComplete="off" mono value={apiKey} onChange={setApiKey} error={fieldError} required />
        <TextField label="API base URL" hint="Leave empty for https://api.sansan.com/v3.2" mono value={baseUrl} onChange={setBaseUrl} />
        <div className="row">
          <Button type="submit" variant={another ? 'secondary' : 'primary'} busy={busy} disabled={apiKey.trim().length < 8}>
            Connect
          </Button>
        </div>
      </form>
    </Card>
  );
}
