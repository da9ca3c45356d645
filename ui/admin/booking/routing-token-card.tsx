/**
 * The routing API token for machine callers (a booking flowchart's server):
 * made or replaced by a manager or an owner, shown once, then only its date.
 */
import { useState } from 'react';
import { errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { CopyField } from '../../shared/components/copy-field.tsx';
import { useManagerOnly } from '../session.tsx';
import { formatDateTime } from '../platform/format.ts';
import { bookingApi } from './booking-api.ts';

export function RoutingTokenCard({ createdAt, onChange }: { createdAt: string | null; onChange: () => void }) {
  const managerOnly = useManagerOnly();
  const [shown, setShown] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      title="Routing API token"
      labelledBy="routing-token-title"
      description="For a booking flowchart's server: GET /booking/routing?email=… with Authorization: Bearer <token>. It reads routing data and nothing else."
      actions={
        <>
          <Button size="small" busy={busy} {...managerOnly} onClick={() => void act(async () => setShown((await bookingApi.rotateToken()).token))}>
            {createdAt ? 'Replace token' : 'Create token'}
          </Button>
          {createdAt && (
            <Button
              variant="danger-outline"
              size="small"
              busy={busy}
              {...managerOnly}
              onClick={() =>
                void act(async () => {
                  await bookingApi.removeToken();
                  setShown(undefined);
                })
              }
            >
              Remove token
            </Button>
          )}
        </>
      }
    >
      {error && <Alert tone="danger">{error}</Alert>}
      {shown && <CopyField label="New routing API token" value={shown} hint="Shown once: copy it now. The previous token no longer works." />}
      <p className="muted small">{createdAt ? `A token made ${formatDateTime(createdAt)} is in use.` : 'No token: machine callers are refused.'}</p>
    </Card>
  );
}
