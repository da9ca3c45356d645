/**
 * The pop-up page (`/agent/`, T7): signs the salesperson in from their
 * personal link (`#token=…`, kept out of server logs) or from the session
 * saved by an earlier visit, then hands over to the signed-in page.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { Spinner } from '../shared/components/spinner.tsx';
import { fetchMe, signInWithLink, storedSession, storeSession, takeLinkToken, type AgentMe, type AgentSession } from '../shared/agent-api.ts';
import { AgentPage } from './agent-page.tsx';
import { SignedOut } from './signed-out.tsx';

type View = { kind: 'loading' } | { kind: 'signed-out'; reason?: string } | { kind: 'signed-in'; session: AgentSession; me: AgentMe | null };

async function start(): Promise<View> {
  const linkToken = takeLinkToken();
  let session = linkToken ? null : storedSession();
  if (linkToken) {
    try {
      session = await signInWithLink(linkToken);
      storeSession(session);
    } catch (err) {
      return { kind: 'signed-out', reason: err instanceof ApiError ? err.message : 'Signing in failed. Open your link again.' };
    }
  }
  if (!session) return { kind: 'signed-out' };
  try {
    return { kind: 'signed-in', session, me: await fetchMe(session.token) };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 409)) {
      storeSession(null);
      return { kind: 'signed-out', reason: err.message };
    }
    // Spokes unreachable right now: stay signed in; the event stream keeps trying.
    return { kind: 'signed-in', session, me: null };
  }
}

export function App() {
  const [view, setView] = useState<View>({ kind: 'loading' });
  useEffect(() => {
    void start().then(setView);
    // Another personal link opened in this tab (pasted into the address bar).
    const onHash = () => {
      if (new URLSearchParams(location.hash.slice(1)).has('token')) void start().then(setView);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signOut = useCallback((reason?: string) => {
    storeSession(null);
    setView({ kind: 'signed-out', reason });
  }, []);

  switch (view.kind) {
    case 'loading':
      return (
        <div className="agent-loading">
          <Spinner label="Signing in" /> <span className="muted">Signing in…</span>
        </div>
      );
    case 'signed-out':
      return <SignedOut reason={view.reason} />;
    case 'signed-in':
      return <AgentPage session={view.session} me={view.me} onSignOut={signOut} />;
  }
}
