/**
 * T3: which HubSpot user works on which PBX extension. Per-row drop-downs
 * (saved together), Refresh (users and extensions fresh from both systems),
 * and Auto bind: the e-mail matches are shown in a dialog and saved only
 * once the admin confirms them. The binding decides each call's owner.
 */
import { useMemo, useState } from 'react';
import { errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { Link } from '../router.tsx';
import { phoneApi, type ApiBindingProposal, type ApiExtension } from './phone-api.ts';
import type { Directory, Loadable } from './use-phone-system.ts';

export function extensionLabel(e: ApiExtension): string {
  return `${e.number} - ${e.name}${e.email ? ` (${e.email})` : ''}`;
}

interface ProposalRow extends ApiBindingProposal {
  /** What saving it changes, in words; null when it is already in place. */
  change: string | null;
}

export function BindingsCard({ directory, onRefresh, onSaved }: { directory: Loadable<Directory>; onRefresh: () => void; onSaved: () => Promise<void> }) {
  const toasts = useToasts();
  // Unsaved drop-down choices: owner id → extension (null = unbind).
  const [draft, setDraft] = useState<Map<string, string | null>>(new Map());
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [proposing, setProposing] = useState(false);
  const [proposals, setProposals] = useState<ProposalRow[] | undefined>();
  const [applying, setApplying] = useState(false);
  const data = directory.data;

  const nameOf = useMemo(() => new Map(data?.users.map((u) => [u.ownerId, u.name]) ?? []), [data]);
  const effective = (ownerId: string, saved: string | null) => (draft.has(ownerId) ? draft.get(ownerId)! : saved);
  // Who holds each extension once the draft is applied.
  const holder = useMemo(() => {
    const m = new Map<string, string>();
    for (const u of data?.users ?? []) {
      const ext = draft.has(u.ownerId) ? draft.get(u.ownerId) : u.extension;
      if (ext) m.set(ext, u.ownerId);
    }
    return m;
  }, [data, draft]);

  const choose = (ownerId: string, extension: string | null) => {
    if (!data) return;
    const next = new Map(draft);
    next.set(ownerId, extension);
    // One user per extension: choosing a taken extension unbinds its holder, visibly, in the table.
    const previous = extension ? holder.get(extension) : undefined;
    if (previous && previous !== ownerId) next.set(previous, null);
    for (const u of data.users) if (next.has(u.ownerId) && next.get(u.ownerId) === u.extension) next.delete(u.ownerId);
    setDraft(next);
    setError(undefined);
  };

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await phoneApi.saveBindings(
        [...draft].map(([ownerId, extension]) => ({ ownerId, extension })),
        'manual',
      );
      // The saved values replace the draft in one render (clearing the draft first showed the old values until the reload came back).
      await onSaved();
      setDraft(new Map());
      toasts.show('success', `Bindings saved (${draft.size} ${draft.size === 1 ? 'user' : 'users'} changed).`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  const proposeAutoBind = async () => {
    if (!data) return;
    setProposing(true);
    setError(undefined);
    try {
      const { proposals: found } = await phoneApi.proposeBindings();
      const savedExt = new Map(data.users.map((u) => [u.ownerId, u.extension]));
      const savedHolder = new Map(data.users.filter((u) => u.extension).map((u) => [u.extension!, u.ownerId]));
      const rows: ProposalRow[] = found.map((p) => {
        const current = savedExt.get(p.ownerId) ?? null;
        const taker = savedHolder.get(p.extension);
        let change: string | null = null;
        if (current !== p.extension) {
          change = current ? `Replaces extension ${current}` : 'New binding';
          if (taker && taker !== p.ownerId) change += `; unbinds ${nameOf.get(taker) ?? 'another user'}`;
        }
        return { ...p, change };
      });
      // What would change first; bindings already in place after.
      setProposals([...rows.filter((r) => r.change), ...rows.filter((r) => !r.change)]);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setProposing(false);
    }
  };

  const applyAutoBind = async () => {
    const changed = proposals?.filter((p) => p.change) ?? [];
    setApplying(true);
    try {
      await phoneApi.saveBindings(
        changed.map((p) => ({ ownerId: p.ownerId, extension: p.extension })),
        'auto',
      );
      await onSaved();
      setProposals(undefined);
      setDraft(new Map());
      toasts.show('success', `${changed.length} ${changed.length === 1 ? 'user' : 'users'} bound by e-mail.`);
    } catch (err) {
      setProposals(undefined);
      setError(errorMessage(err));
    } finally {
      setApplying(false);
    }
  };

  const boundCount = data?.users.filter((u) => u.extension).length ?? 0;
  const unboundExtensions = data?.extensions.filter((e) => !e.boundTo) ?? [];
  const toApply = proposals?.filter((p) => p.change).length ?? 0;

  return (
    <Card
      title="User binding"
      labelledBy="bindings-title"
      description="Bind each HubSpot user to their PBX extension: a call is logged with its user as the owner, and calls of unbound extensions are not logged. Auto bind pairs users and extensions with the same e-mail address."
      actions={
        <>
          <Button size="small" onClick={onRefresh} busy={directory.loading} aria-label="Refresh users and extensions">
            <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" aria-hidden="true">
              <path d="M13.5 8a5.5 5.5 0 1 1-1.6-3.9M13.5 2.5v3h-3" />
            </svg>
            Refresh
          </Button>
          <Button size="small" variant="primary" onClick={() => void proposeAutoBind()} busy={proposing} disabled={!data}>
            Auto bind
          </Button>
        </>
      }
      footer={
        data && data.users.length > 0 ? (
          <div className="card-footer-row">
            <span className="muted small">
              {draft.size ? `${draft.size} unsaved ${draft.size === 1 ? 'change' : 'changes'}` : `${boundCount} of ${data.users.length} users bound`}
            </span>
            <div className="row">
              <Button
                variant="ghost"
                onClick={() => {
                  setDraft(new Map());
                  setError(undefined);
                }}
                disabled={!draft.size || saving}
              >
                Discard changes
              </Button>
              <Button variant="primary" onClick={() => void save()} busy={saving} disabled={!draft.size}>
                Save bindings
              </Button>
            </div>
          </div>
        ) : undefined
      }
    >
      <div className="stack">
        {error && <Alert tone="danger">{error}</Alert>}
        {directory.error && (
          <Alert
            tone="danger"
            title="Could not load the users and extensions"
            actions={
              directory.code === 'not_connected' && /hubspot/i.test(directory.error) ? (
                <Link to="/admin/hubspot" className="button button-secondary button-small">
                  Open the HubSpot page
                </Link>
              ) : (
                <Button size="small" onClick={onRefresh}>
                  Try again
                </Button>
              )
            }
          >
            {directory.error}
            {data && ' The table below shows the users and extensions loaded before.'}
          </Alert>
        )}
        {!data && directory.loading && (
          <div className="row muted">
            <Spinner /> Loading HubSpot users and PBX extensions…
          </div>
        )}
        {data && data.users.length > 0 && boundCount === 0 && !draft.size && (
          <Alert tone="warning" title="No user is bound yet">
            Spokes logs no call until users are bound to their extensions. Click <b>Auto bind</b> to pair users and extensions with the same e-mail address, or
            choose extensions below.
          </Alert>
        )}
        {data && data.users.length === 0 && (
          <p className="muted">HubSpot has no active users in this account. Add users in HubSpot (Settings &gt; Users &amp; Teams), then click Refresh.</p>
        )}
        {data && data.users.length > 0 && (
          <div className="table-wrap">
            <table className="table table-stack" aria-label="User binding">
              <thead>
                <tr>
                  <th scope="col">HubSpot user</th>
                  <th scope="col">Extension</th>
                  <th scope="col">Bound</th>
                </tr>
              </thead>
              <tbody>
                {data.users.map((u) => {
                  const ext = effective(u.ownerId, u.extension);
                  const changed = draft.has(u.ownerId);
                  return (
                    <tr key={u.ownerId} className={changed ? 'row-changed' : undefined}>
                      <th scope="row" className="cell-user">
                        {u.label}
                      </th>
                      <td className="cell-select" data-label="Extension">
                        <select
                          className="input"
                          value={ext ?? ''}
                          aria-label={`Extension of ${u.name}`}
                          onChange={(e) => choose(u.ownerId, e.target.value || null)}
                          disabled={saving || applying}
                        >
                          <option value="">Not bound</option>
                          {data.extensions.map((e) => {
                            const other = holder.get(e.number);
                            return (
                              <option key={e.number} value={e.number}>
                                {extensionLabel(e)}
                                {other && other !== u.ownerId ? ` \u2014 bound to ${nameOf.get(other) ?? 'another user'}` : ''}
                              </option>
                            );
                          })}
                        </select>
                      </td>
                      <td className="cell-source" data-label="Bound">
                        {changed ? (
                          <Badge tone="warning">Not saved</Badge>
                        ) : u.source === 'auto' ? (
                          <span title="Bound by Auto bind: same e-mail address">Automatically</span>
                        ) : u.source === 'manual' ? (
                          <span>By hand</span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {data && unboundExtensions.length > 0 && (
          <p className="muted small bindings-note">
            Extensions without a HubSpot user (their calls are not logged): {unboundExtensions.map((e) => `${e.number} ${e.name}`).join(', ')}.
          </p>
        )}
      </div>
      <ConfirmDialog
        open={!!proposals}
        title="Auto bind users by e-mail?"
        wide
        plain
        confirmVariant="primary"
        confirmLabel={toApply ? `Save ${toApply} ${toApply === 1 ? 'binding' : 'bindings'}` : 'Nothing to save'}
        confirmDisabled={!toApply}
        busy={applying}
        onConfirm={() => void applyAutoBind()}
        onCancel={() => setProposals(undefined)}
        cancelLabel={toApply ? 'Cancel' : 'Close'}
      >
        {proposals && proposals.length === 0 && <p>No HubSpot user has the same e-mail address as a PBX extension. Bind users by hand with the drop-downs.</p>}
        {proposals && proposals.length > 0 && (
          <>
            <p className="muted">Each HubSpot user below has the same e-mail address as exactly one PBX extension. Users not listed keep their binding.</p>
            <table className="table table-compact" aria-label="Proposed bindings">
              <thead>
                <tr>
                  <th scope="col">HubSpot user</th>
                  <th scope="col">Extension</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {proposals.map((p) => (
                  <tr key={p.ownerId}>
                    <td>
                      {p.ownerName}
                      {p.email && <div className="muted small">{p.email}</div>}
                    </td>
                    <td>
                      {p.extension} - {p.extensionName}
                    </td>
                    <td>{p.change ?? <span className="muted">Already bound</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {draft.size > 0 && <p className="muted small">Your unsaved changes in the table are discarded.</p>}
          </>
        )}
      </ConfirmDialog>
    </Card>
  );
}
