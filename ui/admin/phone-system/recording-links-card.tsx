/**
 * The Phone system page's control for the links to call recordings (T8): how
 * long they work, and revoking every link at once (a link copied out of
 * HubSpot, for instance). Calls in HubSpot keep playing: HubSpot asks Spokes
 * for a fresh link each time (docs/connectors/yeastar.md).
 */
import { useState } from 'react';
import { z } from 'zod';
import { api, errorMessage } from '../../shared/api.ts';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';

const revokedSchema = z.object({ revoked: z.literal(true), revokedAt: z.string() });

export function RecordingLinksCard() {
  const toasts = useToasts();
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);

  const revoke = async () => {
    setBusy(true);
    try {
      await api('POST', '/api/telephony/recording-links/revoke', { schema: revokedSchema });
      toasts.show('success', 'Every recording link is revoked. Calls in HubSpot still play their recordings.');
    } catch (err) {
      toasts.show('error', errorMessage(err));
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  };

  return (
    <Card
      title="Recording links"
      labelledBy="recording-links-title"
      description="Spokes writes a link to each recorded call into HubSpot. Anyone with a link can play that recording, so links work for 7 days; HubSpot's call timeline asks Spokes for a fresh one each time a recording is played."
      actions={
        <Button variant="danger-outline" size="small" onClick={() => setConfirm(true)}>
          Revoke recording links
        </Button>
      }
    >
      <p className="muted small">Revoke them if a link was shared outside your team. Disconnecting the phone system revokes them too.</p>
      <ConfirmDialog
        open={confirm}
        title="Revoke every recording link?"
        confirmLabel="Revoke"
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setConfirm(false)}
      >
        <p>Every recording link handed out so far stops working at once, including those in HubSpot's call notes.</p>
        <p>Calls in HubSpot still play their recordings: HubSpot asks Spokes for a new link when one of its users plays a call.</p>
      </ConfirmDialog>
    </Card>
  );
}
