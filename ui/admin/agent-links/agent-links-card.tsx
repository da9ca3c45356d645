/**
 * The Phone system page's section for salespeople's sign-ins (T6, T7): each
 * bound user's personal link to the call pop-up page, revoking one person's
 * sign-ins (a lost laptop, someone who left) or everyone's at once, and the
 * calling widget's URL for HubSpot's calling settings (the widget signs each
 * salesperson in with HubSpot; the URL holds no secret).
 */
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { api, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { CopyButton } from '../../shared/components/copy-button.tsx';
import { CopyField } from '../../shared/components/copy-field.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';

const agentsSchema = z.object({
  generation: z.number(),
  widgetUrl: z.string(),
  agents: z.array(z.object({ ownerId: z.string(), name: z.string(), email: z.string().nullable(), extension: z.string(), signInUrl: z.string() })),
});
type AgentLinks = z.infer<typeof agentsSchema>;
type Agent = AgentLinks['agents'][number];

/** `reloadKey`: reloads the links when it changes (the page passes its bindings, so a new binding gets its link). */
export function AgentLinksCard({ reloadKey }: { reloadKey?: unknown }) {
  const toasts = useToasts();
  const [links, setLinks] = useState<AgentLinks | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [confirm, setConfirm] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [revoking, setRevoking] = useState<Agent | undefined>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setLinks(await api('GET', '/api/telephony/agents', { schema: agentsSchema }));
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void load(), [load, reloadKey]);

  const rotate = async () => {
    setRotating(true);
    try {
      setLinks(await api('POST', '/api/telephony/agents/rotate', { schema: agentsSchema }));
      toasts.show('success', 'Every sign-in is revoked. Send the new links to your team; in HubSpot, each person signs in to the calling widget again.');
    } catch (err) {
      toasts.show('error', errorMessage(err));
    } finally {
      setRotating(false);
      setConfirm(false);
    }
  };

  const revokeOne = async (agent: Agent) => {
    setBusy(true);
    try {
      setLinks(await api('POST', `/api/telephony/agents/${encodeURIComponent(agent.ownerId)}/revoke`, { schema: agentsSchema }));
      toasts.show('success', `${agent.name} is signed out everywhere, and their old link no longer works. Send them their new link.`);
    } catch (err) {
      toasts.show('error', errorMessage(err));
    } finally {
      setBusy(false);
      setRevoking(undefined);
    }
  };

  return (
    <Card
      title="Call pop-ups and the calling widget"
      labelledBy="agent-links-title"
      description="Each person opens their personal link once, in the browser they work in: a tab then opens on the caller's HubSpot record when their phone rings."
      actions={
        <Button variant="danger-outline" size="small" onClick={() => setConfirm(true)} disabled={!links}>
          Revoke all sign-ins
        </Button>
      }
    >
      <div className="stack">
        {error && (
          <Alert
            tone="danger"
            actions={
              <Button size="small" onClick={() => void load()}>
                Try again
              </Button>
            }
          >
            {error}
          </Alert>
        )}
        {!links && !error && (
          <div className="row muted">
            <Spinner /> Loading…
          </div>
        )}
        {links && (
          <>
            {links.agents.length === 0 ? (
              <p className="muted">Nobody is bound to an extension yet. Bind users above; each bound user gets a sign-in link here.</p>
            ) : (
              <div className="table-wrap">
                <table className="table table-stack" aria-label="Sign-in links">
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Extension</th>
                      <th scope="col">Personal sign-in link</th>
                      <th scope="col">
                        <span className="visually-hidden">Revoke</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {links.agents.map((a) => (
                      <tr key={a.ownerId}>
                        <th scope="row">
                          {a.name}
                          {a.email && <div className="muted small">{a.email}</div>}
                        </th>
                        <td className="mono" data-label="Extension">
                          {a.extension}
                        </td>
                        <td data-label="Sign-in link">
                          <CopyButton text={a.signInUrl} label="Copy link" what={`sign-in link for ${a.name}`} />
                        </td>
                        <td className="num" data-label="Revoke">
                          <Button variant="danger-outline" size="small" onClick={() => setRevoking(a)} aria-label={`Revoke sign-ins of ${a.name}`}>
                            Revoke
                          </Button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p className="muted small">
              Send each link to its person only: it signs them in for 30 days and shows their calls. The links stay valid until you revoke them; unbinding
              someone revokes theirs.
            </p>
            <CopyField
              label="Calling widget URL"
              value={links.widgetUrl}
              hint="The URL of the calling app in HubSpot's calling settings. It holds no secret: each salesperson signs in to the widget with their HubSpot account (or with their link, opened in the same browser)."
            />
          </>
        )}
      </div>
      <ConfirmDialog
        open={confirm}
        title="Revoke all sign-ins?"
        confirmLabel="Revoke"
        busy={rotating}
        onConfirm={() => void rotate()}
        onCancel={() => setConfirm(false)}
      >
        <p>Everyone is signed out of the call pop-up page and the calling widget at once, and every sign-in link stops working.</p>
        <p>Afterwards, send the new links to your team. In HubSpot, each person signs in to the calling widget again.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke ${revoking?.name ?? ''}'s sign-ins?`}
        confirmLabel="Revoke"
        busy={busy}
        onConfirm={() => revoking && void revokeOne(revoking)}
        onCancel={() => setRevoking(undefined)}
      >
        <p>
          {revoking?.name} is signed out of the call pop-up page and the calling widget on every device, and their sign-in link stops working. Nobody else is
          affected.
        </p>
        <p>Send them their new link if they should keep working.</p>
      </ConfirmDialog>
    </Card>
  );
}
