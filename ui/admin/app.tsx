/**
 * The admin app: session first, then either the sign-in page or the shell
 * with the page for the current path (from the registry, ui/admin/pages.tsx).
 */
import { useEffect } from 'react';
import { ToastProvider } from '../shared/components/toasts.tsx';
import { Spinner } from '../shared/components/spinner.tsx';
import { navigate, safeNext, useLocation } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';
import { Shell } from './shell.tsx';
import { SignInPage } from './sign-in-page.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { ADMIN_PAGES, HOME_PATH, pageFor, type AdminPage } from './pages.tsx';
import { InvitePage } from './users/invite-page.tsx';

export const SIGN_IN = '/admin/sign-in';
/** Opened from an invitation link, signed in or not. */
export const INVITE = '/admin/invite';

export function App() {
  return (
    <ToastProvider>
      <SessionProvider>
        <Pages />
      </SessionProvider>
    </ToastProvider>
  );
}

function Pages() {
  const { state, can } = useSession();
  const { path, search } = useLocation();
  const onSignIn = path === SIGN_IN;
  const onInvite = path === INVITE;

  useEffect(() => {
    if (onInvite) return;
    if (state === 'signed-out' && !onSignIn) {
      navigate(`${SIGN_IN}?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    } else if (state === 'signed-in' && onSignIn) {
      navigate(safeNext(search.get('next')), { replace: true });
    } else if (state === 'signed-in' && path === '/admin') {
      navigate(HOME_PATH, { replace: true });
    }
  }, [state, onSignIn, onInvite, path, search]);

  if (state === 'loading') {
    return (
      <div className="page-loading">
        <Spinner label="Loading" />
      </div>
    );
  }
  if (onInvite) return <InvitePage />;
  if (state === 'signed-out') return onSignIn ? <SignInPage /> : null;
  if (onSignIn || path === '/admin') return null;
  const Page = pageFor(path)?.component ?? NotFoundPage;
  return (
    <Shell path={path} nav={(ADMIN_PAGES as readonly AdminPage[]).filter((p) => !p.role || can(p.role))}>
      <Page />
    </Shell>
  );
}
