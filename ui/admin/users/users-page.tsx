/**
 * Users: who may use this admin and with which role. Owners invite people by
 * e-mail (the one-time link is shown here to copy: Spokes sends no mail),
 * change roles and remove people; the server refuses to remove or demote the
 * last owner, and signs a removed person out everywhere.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { ConfirmDialog } from '../../shared/components/confirm-dialog.tsx';
import { CopyField } from '../../shared/components/copy-field.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { formatDateTime } from '../platform/format.ts';
import { useSession, type Role } from '../session.tsx';
import { PageHeader } from '../shell.tsx';
import { ROLE_HELP, ROLE_LABEL, usersApi, type ApiInvite, type ApiUser } from './users-api.ts';

const ROLES: Role[] = ['owner', 'manager', 'member'];

export function UsersPage() {
  const { user: me, can } = useSession();
  const [data, setData] = useState<{ users: ApiUser[]; invites: ApiInvite[] } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [removing, setRemoving] = useState<ApiUser | undefined>();
  const [busy, setBusy] = useState(false);
  const toasts = useToasts();

  const load = useCallback(() => {
    usersApi.list().then(
      (d) => {
        setData(d);
        setError(undefined);
      },
      (err) => setError(errorMessage(err)),
    );
  }, []);
  useEffect(() => {
    if (can('owner')) load();
  }, [can, load]);

  if (!can('owner')) {
    return (
      <div className="page">
        <PageHeader title="Users" description="Who may use this admin, and with which role." />
        <Alert tone="info" title="Only owners manage users">
          You are signed in as {me?.email} with the {me?.role} role. Ask an owner to invite someone or to change a role.
        </Alert>
      </div>
    );
  }

  const changeRole = async (u: ApiUser, role: Role) => {
    try {
      await usersApi.setRole(u.id, role);
      toasts.show('success', `${u.email} is now ${ROLE_LABEL[role].toLowerCase()}.`);
    } catch (err) {
      toasts.show('error', errorMessage(err));
    }
    load();
  };

  const remove = async () => {
    if (!removing) return;
    setBusy(true);
    try {
      await usersApi.remove(removing.id);
      toasts.show('success', `${removing.email} was removed and signed out everywhere.`);
    } catch (err) {
      toasts.show('error', errorMessage(err));
    }
    setBusy(false);
    setRemoving(undefined);
    load();
  };

  return (
    <div className="page">
      <PageHeader title="Users" description="Who may use this admin, and with which role." />
      {error && <Alert tone="danger">{error}</Alert>}
      <InviteCard onInvited={load} />
      <Card title="People" description={`${ROLES.map((r) => `${ROLE_LABEL[r]}: ${ROLE_HELP[r]}`).join('. ')}.`}>
        {!data ? (
          <Spinner label="Loading users" />
        ) : (
          <div className="table-wrap">
            <table className="table table-stack" aria-label="Users">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.users.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">
                      {u.email}
                      {u.id === me?.id && <span className="muted small"> (you)</span>}
                    </th>
                    <td data-label="Role">
                      <RoleSelect label={`Role of ${u.email}`} value={u.role} onChange={(r) => void changeRole(u, r)} />
                    </td>
                    <td data-label="Since" className="nowrap">
                      <div>{formatDateTime(u.createdAt)}</div>
                    </td>
                    <td className="cell-actions">
                      <div>
                        <Button size="small" variant="danger-outline" onClick={() => setRemoving(u)} aria-label={`Remove ${u.email}`}>
                          Remove
                        </Button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {data && data.invites.length > 0 && <PendingInvites invites={data.invites} onChange={load} />}
      <ConfirmDialog
        open={!!removing}
        title={`Remove ${removing?.email ?? ''}?`}
        confirmLabel="Remove"
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setRemoving(undefined)}
      >
        They are signed out everywhere at once and can no longer sign in. Invite them again to bring them back.
      </ConfirmDialog>
    </div>
  );
}

function RoleSelect({ label, value, onChange }: { label: string; value: Role; onChange: (role: Role) => void }) {
  return (
    <select className="input users-role-select" aria-label={label} value={value} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABEL[r]}
        </option>
      ))}
    </select>
  );
}

function InviteCard({ onInvited }: { onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [link, setLink] = useState<{ email: string; url: string; expiresAt: string } | undefined>();
  const roleId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFieldError(undefined);
    setFormError(undefined);
    if (!email.trim()) {
      setFieldError('Enter the e-mail address of the person to invite.');
      return;
    }
    setBusy(true);
    try {
      const answer = await usersApi.invite(email.trim(), role);
      setLink({ email: answer.invite.email, url: answer.link, expiresAt: answer.invite.expiresAt });
      setEmail('');
      onInvited();
    } catch (err) {
      if (err instanceof ApiError && err.fieldErrors().email) setFieldError(err.fieldErrors().email);
      else setFormError(errorMessage(err));
    }
    setBusy(false);
  };

  return (
    <Card title="Invite someone" description="Spokes sends no e-mail: copy the link and send it to them yourself. It works once.">
      <form className="stack" onSubmit={submit} noValidate>
        {formError && <Alert tone="danger">{formError}</Alert>}
        <div className="users-invite-row">
          <TextField label="E-mail" type="email" value={email} onChange={setEmail} error={fieldError} autoComplete="off" />
          <div className="field">
            <label className="field-label" htmlFor={roleId}>
              Role
            </label>
            <select id={roleId} className="input" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </div>
          <Button variant="primary" type="submit" busy={busy} className="users-invite-submit">
            Create invitation link
          </Button>
        </div>
        <p className="muted small">
          {ROLE_LABEL[role]}: {ROLE_HELP[role]}.
        </p>
        {link && (
          <Alert tone="success" title={`Invitation for ${link.email}`}>
            <CopyField
              label="Invitation link"
              value={link.url}
              hint={`Shown only now. It works once, until ${formatDateTime(link.expiresAt)}; the person chooses their password when they open it.`}
            />
          </Alert>
        )}
      </form>
    </Card>
  );
}

function PendingInvites({ invites, onChange }: { invites: ApiInvite[]; onChange: () => void }) {
  const toasts = useToasts();
  const withdraw = async (i: ApiInvite) => {
    try {
      await usersApi.withdraw(i.id);
      toasts.show('success', `The invitation for ${i.email} no longer works.`);
    } catch (err) {
      toasts.show('error', errorMessage(err));
    }
    onChange();
  };
  return (
    <Card title="Pending invitations" description="Links not used yet. A lost link cannot be shown again: withdraw it and invite again.">
      <div className="table-wrap">
        <table className="table table-stack" aria-label="Pending invitations">
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invites.map((i) => (
              <tr key={i.id}>
                <th scope="row">
                  {i.email}
                  {i.invitedBy && <div className="muted small">invited by {i.invitedBy}</div>}
                </th>
                <td data-label="Role">
                  <div>
                    <Badge tone="neutral">{ROLE_LABEL[i.role]}</Badge>
                  </div>
                </td>
                <td data-label="Expires" className="nowrap">
                  <div>{formatDateTime(i.expiresAt)}</div>
                </td>
                <td className="cell-actions">
                  <div>
                    <Button size="small" variant="ghost" onClick={() => void withdraw(i)} aria-label={`Withdraw the invitation for ${i.email}`}>
                      Withdraw
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
