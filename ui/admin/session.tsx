/**
 * The admin's session as the page sees it: signed in or not, and the CSRF
 * token that every mutation sends back (`GET /api/session`).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { z } from 'zod';
import { api, onUnauthorized, setCsrfToken } from '../shared/api.ts';

const apiSession = z.object({ signedIn: z.boolean(), csrfToken: z.string().optional() });

type SessionState = 'loading' | 'signed-in' | 'signed-out';

interface Session {
  state: SessionState;
  /** Why the admin was sent to the sign-in page, when it was not their choice. */
  notice?: string;
  signIn(password: string): Promise<void>;
  signOut(): Promise<void>;
  /** The server said 401 to some request: the session is gone. */
  expired(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>('loading');
  const [notice, setNotice] = useState<string | undefined>();

  const apply = useCallback((s: z.infer<typeof apiSession>) => {
    setCsrfToken(s.csrfToken);
    setState(s.signedIn ? 'signed-in' : 'signed-out');
  }, []);

  useEffect(() => {
    api('GET', '/api/session', { schema: apiSession }).then(apply, () => setState('signed-out'));
  }, [apply]);

  const expired = useCallback(() => {
    setCsrfToken(undefined);
    setState((current) => {
      if (current === 'signed-in') setNotice('Your session has ended. Sign in again to continue.');
      return 'signed-out';
    });
  }, []);

  useEffect(() => onUnauthorized(expired), [expired]);

  const signIn = useCallback(
    async (password: string) => {
      const s = await api('POST', '/api/session', { body: { password }, schema: apiSession, quietUnauthorized: true });
      setNotice(undefined);
      apply(s);
    },
    [apply],
  );

  const signOut = useCallback(async () => {
    await api('DELETE', '/api/session', { quietUnauthorized: true }).catch(() => {});
    setNotice('You have signed out.');
    setCsrfToken(undefined);
    setState('signed-out');
  }, []);

  const value = useMemo(() => ({ state, notice, signIn, signOut, expired }), [state, notice, signIn, signOut, expired]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
