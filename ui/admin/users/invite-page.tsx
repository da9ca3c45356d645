/**
 * `/admin/invite#<token>`: someone opened the link an owner sent them. The
 * token stays in the fragment (never sent with the page request, never in a
 * log or a Referer); the page checks it, the person chooses a password, and
 * is signed in. A used, expired or withdrawn link says so.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { SpokesLogo } from '../../shared/components/spokes-logo.tsx';
import { ROLE_HELP, ROLE_LABEL, usersApi } from './users-api.ts';

export const MIN_PASSWORD_LENGTH = 12;

export function InvitePage() {
  const { adopt } = useSession();
  const [token] = useState(() => location.hash.slice(1));
  const [invite, setInvite] = useState<{ email: string; role: 'owner' | 'manager' | 'member' } | undefined>();
  const [invalid, setInvalid] = useState<string | undefined>();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<{ password?: string; repeat?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!token) {
      setInvalid('This page needs the whole invitation link, as the owner sent it.');
      return;
    }
    usersApi.checkInvite(token).then(setInvite, (err) => setInvalid(errorMessage(err)));
  }, [token]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < MIN_PASSWORD_LENGTH) return setErrors({ password: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.` });
    if (repeat !== password) return setErrors({ repeat: 'The two passwords differ.' });
    setErrors({});
    setBusy(true);
    try {
      const session = await usersApi.acceptInvite(token, password);
      history.replaceState(null, '', '/admin/invite');
      adopt(session);
      navigate('/admin/overview', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.fieldErrors().password) setErrors({ password: err.fieldErrors().password });
      else if (err instanceof ApiError && err.status === 410) setInvalid(err.message);
      else setErrors({ form: errorMessage(err) });
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <div className="sign-in-panel">
        <div className="sign-in-brand">
          <SpokesLogo size={40} />
          <div>
            <div className="sign-in-name">Spokes</div>
            <div className="muted small">HubSpot integration hub</div>
          </div>
        </div>
        <div className="card sign-in-card">
          <div className="card-body stack">
            <h1>Join this Spokes</h1>
            {invalid ? (
              <>
                <Alert tone="danger" title="This link does not work">
                  {invalid}
                </Alert>
                <a href="/admin/sign-in">Go to sign-in</a>
              </>
            ) : !invite ? (
              <Spinner label="Checking the invitation" />
            ) : (
              <form className="stack" onSubmit={submit} noValidate>
                <p className="muted">
                  You are invited as <strong>{invite.email}</strong>, with the <strong>{ROLE_LABEL[invite.role].toLowerCase()}</strong> role:{' '}
                  {ROLE_HELP[invite.role]}. Choose a password: from then on you sign in with your e-mail address and this password.
                </p>
                {errors.form && <Alert tone="danger">{errors.form}</Alert>}
                <input type="email" autoComplete="username" value={invite.email} readOnly hidden />
                <TextField
                  label="New password"
                  type="password"
                  autoComplete="new-password"
                  autoFocus
                  value={password}
                  onChange={setPassword}
                  error={errors.password}
                  hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
                />
                <TextField label="Repeat the password" type="password" autoComplete="new-password" value={repeat} onChange={setRepeat} error={errors.repeat} />
                <Button variant="primary" type="submit" busy={busy} className="sign-in-submit">
                  Set password and sign in
                </Button>
              </form>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
