/**
 * The admin's session as the page sees it: signed in or not, as whom and with
 * which role, and the CSRF token that every mutation sends back
 * (`GET /api/session`). The server checks every role; the page only hides or
 * disables what the role cannot do.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { z } from 'zod';
import { api, onUnauthorized, setCsrfToken } from '../shared/api.ts';

const ROLES = ['owner', 'manager', 'member'] as const;
export type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { member: 1, manager: 2, owner: 3 };

export const apiSession = z.object({
  signedIn: z.boolean(),
  csrfToken: z.string().optional(),
  user: z.object({ id: z.string(), email: z.string(), role: z.enum(ROLES) }).optional(),
});
export type ApiSession = z.infer<typeof apiSession>;
export type SessionUser = NonNullable<ApiSession['user']>;

type SessionState = 'loading' | 'signed-in' | 'signed-out';

interface Session {
  state: SessionState;
  /** Why the admin was sent to the sign-in page, when it was not their choice. */
  notice?: string;
  user?: SessionUser;
  /** Whether the signed-in user's role is at least `role`. */
  can(role: Role): boolean;
  /** `email` empty: the first admin's password (login `admin`). */
  signIn(password: string, email?: string): Promise<void>;
  /** Takes a session the server answered elsewhere (an accepted invitation). */
  adopt(session: ApiSession): void;
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
  const [user, setUser] = useState<SessionUser | undefined>();

  const apply = useCallback((s: ApiSession) => {
    setCsrfToken(s.csrfToken);
    setUser(s.user);
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
    async (password: string, email?: string) => {
      const body = email?.trim() ? { email: email.trim(), password } : { password };
      const s = await api('POST', '/api/session', { body, schema: apiSession, quietUnauthorized: true });
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

  const adopt = useCallback(
    (s: ApiSession) => {
      setNotice(undefined);
      apply(s);
    },
    [apply],
  );

  const can = useCallback((role: Role) => !!user && RANK[user.role] >= RANK[role], [user]);

  const value = useMemo(() => ({ state, notice, user, can, signIn, adopt, signOut, expired }), [state, notice, user, can, signIn, adopt, signOut, expired]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** What a member sees on a button they may not use (the server refuses it anyway, 403). */
export const NEEDS_MANAGER = 'Needs the manager or owner role';

/** Props for a button only managers and owners may use: disabled, with the reason as its tooltip, for members. */
export function useManagerOnly(): { disabled?: true; title?: string } {
  const { can } = useSession();
  return can('manager') ? {} : { disabled: true, title: NEEDS_MANAGER };
}
