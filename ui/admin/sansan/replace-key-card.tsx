/**
 * A new Sansan API key for the selected connection, in place: after Sansan refused the old one
 * (revoked or reissued: the connection needs re-authorization) or to rotate it. The key must be of
 * the same Sansan user; tags, mappings and the sync's progress stay, and the sync resumes.
 */
import { useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { sansanApi, type Connection } from './sansan-api.ts';

export function ReplaceKeyCard({ connection, onReplaced }: { connection: Connection; onReplaced: () => Promise<void> }) {
  const refused = connection.state === 'needs_reauthorization';
  const [open, setOpen] = useState(false);
  const [apiKey, setApiKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  if (!refused && !open) {
    return (
      <div className="row">
        {done && <span className="small muted">API key replaced; the sync resumed.</span>}
        <Button size="small" variant="secondary" onClick={() => setOpen(true)}>
          Replace the API key
        </Button>
      </div>
    );
  }
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setFieldError(undefined);
    try {
      await sansanApi.replaceKey(connection.id, apiKey.trim());
      setApiKey('');
      setOpen(false);
      setDone(true);
      await onReplaced();
    } catch (err) {
      const field = err instanceof ApiError ? err.details.find((d) => d.field.endsWith('apiKey')) : undefined;
      if (field) setFieldError(err instanceof ApiError && field.message.startsWith('belongs to') ? err.message : 'Sansan refused this API key.');
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      title="Replace the API key"
      description={`A new key of the same Sansan user (${connection.label}): tags, mappings and the sync's progress stay, and the sync resumes where it stopped.`}
    >
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {refused && (
          <Alert tone="danger" title="Sansan refuses this connection's API key">
            {connection.reason}
          </Alert>
        )}
        {error && <Alert tone="danger">{error}</Alert>}
        <TextField label="New Sansan API key" type="password" autoComplete="off" mono value={apiKey} onChange={setApiKey} error={fieldError} required />
        <div className="row">
          <Button type="submit" variant="primary" busy={busy} disabled={apiKey.trim().length < 8}>
            Check and replace
          </Button>
          {!refused && (
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}
