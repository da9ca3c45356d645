/**
 * The widget's half of "Sign in with HubSpot" (server: agent-sign-in.ts). The
 * widget is a third-party frame inside HubSpot, so the sign-in happens in a
 * top-level Spokes window it opens (`/widget/sign-in`, sign-in-window.tsx).
 * The widget hands that window a random secret by postMessage — to its own
 * origin only, never in a URL — and collects the session with it once the
 * window is done. It polls as well as listening: HubSpot's pages may cut the
 * window's link back to its opener (Cross-Origin-Opener-Policy), and the
 * session still arrives.
 */
import { WidgetApiError, widgetApi, type AgentSession, type HubSpotUser } from './widget-api.ts';

export const SIGN_IN_WINDOW = '/widget/sign-in';
const POLL_MS = 1_500;
/** The person may take a while at HubSpot (a password, two-factor…). */
const GIVE_UP_MS = 10 * 60_000;

/** Messages between the widget and its sign-in window (same origin only). */
export type SignInMessage =
  | { type: 'spokes-sign-in-hello' }
  | { type: 'spokes-sign-in-start'; handoff: string; hubspot: HubSpotUser }
  | { type: 'spokes-sign-in-finished' };

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export interface PendingSignIn {
  /** Resolves with the session; rejects with a WidgetApiError (`not_bound`, `cancelled`…). */
  session: Promise<AgentSession>;
  cancel(): void;
}

/** Opens the sign-in window. Call it from the click itself: browsers block windows no click opened. */
export function signInWithHubSpot(hubspot: HubSpotUser): PendingSignIn {
  const handoff = randomSecret();
  const popup = window.open(SIGN_IN_WINDOW, 'spokes-sign-in', 'popup,width=520,height=700');
  let stop: (err?: WidgetApiError, session?: AgentSession) => void = () => {};
  const session = new Promise<AgentSession>((resolve, reject) => {
    if (!popup) {
      reject(new WidgetApiError(0, 'popup_blocked', 'Your browser blocked the sign-in window. Allow pop-ups for this page, then click Sign in again.'));
      return;
    }
    let done = false;
    let inFlight = false;
    const started = Date.now();
    const onMessage = (event: MessageEvent<SignInMessage>) => {
      if (event.origin !== location.origin || event.source !== popup) return;
      if (event.data?.type === 'spokes-sign-in-hello') {
        const start: SignInMessage = { type: 'spokes-sign-in-start', handoff, hubspot };
        popup.postMessage(start, location.origin);
      } else if (event.data?.type === 'spokes-sign-in-finished') {
        void collect();
      }
    };
    const timer = window.setInterval(() => void collect(), POLL_MS);
    stop = (err, result) => {
      if (done) return;
      done = true;
      window.clearInterval(timer);
      window.removeEventListener('message', onMessage);
      if (result) resolve(result);
      else reject(err ?? new WidgetApiError(0, 'cancelled', 'Sign-in cancelled.'));
    };
    async function collect(): Promise<void> {
      if (done || inFlight) return;
      if (Date.now() - started > GIVE_UP_MS) return stop(new WidgetApiError(0, 'cancelled', 'The sign-in took too long. Click Sign in again.'));
      inFlight = true;
      try {
        const answer = await widgetApi.collectSignIn(handoff);
        if (answer.ready) stop(undefined, answer.session);
      } catch (err) {
        // Spokes unreachable for a moment: keep waiting. Anything Spokes refused ends the sign-in.
        if (!(err instanceof WidgetApiError) || err.status > 0)
          stop(err instanceof WidgetApiError ? err : new WidgetApiError(0, 'error', 'Signing in failed. Try again.'));
      } finally {
        inFlight = false;
      }
    }
    window.addEventListener('message', onMessage);
  });
  return { session, cancel: () => stop() };
}
