/**
 * Sign-in: e-mail and password for invited users; the password alone for the
 * first admin. Says plainly where that password comes from, because a
 * self-hosting admin may not have seen the first start's output.
 */
import { useState, type FormEvent } from 'react';
import { Alert } from '../shared/components/alert.tsx';
import { Button } from '../shared/components/button.tsx';
import { TextField } from '../shared/components/field.tsx';
import { ApiError, errorMessage } from '../shared/api.ts';
import { useSession } from './session.tsx';
import { SpokesLogo } from '../shared/components/spokes-logo.tsx';

export function SignInPage() {
  const { signIn, notice } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFieldError(undefined);
    setFormError(undefined);
    if (!password) {
      setFieldError('Enter your password.');
      return;
    }
    setBusy(true);
    try {
      await signIn(password, email);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setFieldError(err.message);
      else setFormError(errorMessage(err));
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
        <form className="card sign-in-card" onSubmit={submit} noValidate>
          <div className="card-body stack">
            <div className="stack-tight">
              <h1>Sign in to the admin</h1>
              <p className="muted">Connections and settings of this Spokes installation.</p>
            </div>
            {notice && !formError && <Alert tone="info">{notice}</Alert>}
            {formError && <Alert tone="danger">{formError}</Alert>}
            <TextField
              label="E-mail"
              type="email"
              autoComplete="username"
              autoFocus
              value={email}
              onChange={setEmail}
              hint="Leave it empty to sign in with the admin password."
            />
            <TextField label="Password" type="password" autoComplete="current-password" value={password} onChange={setPassword} error={fieldError} />
            <Button variant="primary" type="submit" busy={busy} className="sign-in-submit">
              Sign in
            </Button>
          </div>
        </form>
        <p className="muted small sign-in-help">
          Invited? Sign in with your e-mail address and the password you chose. The admin password was printed once, as <code>Admin password: …</code>, when
          Spokes first started. Lost it? Restart Spokes with <code>SPOKES_ADMIN_PASSWORD</code> set to a new password.
        </p>
      </div>
    </div>
  );
}
