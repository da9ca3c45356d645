/**
 * Booking sources (M1, M8): the one booking connection with a webhook secret
 * per source, and the URL to paste into Cal.com or immedio. Connecting and
 * disconnecting go through the platform's connection routes.
 */
import { useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { CopyField } from '../../shared/components/copy-field.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { bookingApi } from './booking-api.ts';
import type { z } from 'zod';
import type { sourcesSchema } from './booking-api.ts';

type Sources = z.infer<typeof sourcesSchema>;

export function SourcesCard({ sources, onChange }: { sources: Sources; onChange: () => void }) {
  const toasts = useToasts();
  const [calcomSecret, setCalcom] = useState('');
  const [immedioSecret, setImmedio] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string>();

  const connect = async () => {
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const c = await bookingApi.connect({ calcomSecret: calcomSecret || undefined, immedioSecret: immedioSecret || undefined });
      await bookingApi.enable(c.id);
      setCalcom('');
      setImmedio('');
      toasts.show('success', 'Booking sources connected: paste the webhook URLs into Cal.com and immedio.');
      onChange();
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(err.fieldErrors());
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const disconnect = async () => {
    setBusy(true);
    try {
      await bookingApi.disconnect(sources.connectionId!);
      toasts.show('success', 'Disconnected. Meeting-type settings and property lists are kept for when you connect again.');
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  };

  return (
    <Card
      title="Booking sources"
      labelledBy="booking-sources-title"
      description="Cal.com and immedio send each booking, reschedule and cancellation to Spokes, signed with the secret you set there."
      actions={
        sources.connectionId ? (
          <Button variant="danger-outline" size="small" onClick={() => setConfirm(true)}>
            Disconnect booking sources
          </Button>
        ) : undefined
      }
    >
      {error && <Alert tone="danger">{error}</Alert>}
      {sources.connectionId ? (
        <div className="stack">
          {sources.sources.map((s) => (
            <div key={s.source} className="stack-tight">
              <div>
                <strong>{s.name}</strong> <Badge tone={s.configured ? 'success' : 'neutral'}>{s.configured ? 'Receiving' : 'No secret'}</Badge>
              </div>
              {s.configured && s.webhookUrl && (
                <CopyField label={`${s.name} webhook URL`} value={s.webhookUrl} hint={`Signed with the ${s.signatureHeader} header and your secret.`} />
              )}
            </div>
          ))}
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void connect();
          }}
        >
          <TextField
            label="Cal.com webhook secret"
            type="password"
            autoComplete="off"
            value={calcomSecret}
            onChange={setCalcom}
            error={errors.calcomSecret}
            hint="The secret of the webhook in Cal.com (Settings → Developer → Webhooks)."
          />
          <TextField
            label="immedio webhook secret"
            type="password"
            autoComplete="off"
            value={immedioSecret}
            onChange={setImmedio}
            error={errors.immedioSecret}
            hint="The secret for immedio's Webhook連携 (企業設定 → 外部ツール連携)."
          />
          <div>
            <Button variant="primary" type="submit" busy={busy}>
              Connect booking sources
            </Button>
          </div>
        </form>
      )}
      <ConfirmDialog
        open={confirm}
        title="Disconnect the booking sources?"
        confirmLabel="Disconnect"
        busy={busy}
        onConfirm={() => void disconnect()}
        onCancel={() => setConfirm(false)}
      >
        <p>Bookings stop reaching HubSpot. Meeting-type settings and the property lists are kept, and resume when you connect again.</p>
      </ConfirmDialog>
    </Card>
  );
}
