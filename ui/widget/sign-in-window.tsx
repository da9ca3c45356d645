/**
 * The sign-in window the calling widget opens (`/widget/sign-in`, a top-level
 * Spokes page, so its storage is Spokes' own). It takes the widget's secret by
 * postMessage from its opener — only from a Spokes window — then either passes
 * on the pop-up page's session this browser already holds (the personal link,
 * when it is the same HubSpot user) or sends the person through HubSpot's
 * sign-in. HubSpot brings them back here with the outcome in the fragment.
 * See sign-in.ts (the widget's half) and agent-sign-in.ts (the server's).
 */
import { useEffect, useState } from 'react';
import { Spinner } from '../shared/components/spinner.tsx';
import { agentRequest, AgentApiError } from '../shared/agent-request.ts';
import { storedSession as pagesSession } from '../shared/agent-api.ts';
import { z } from 'zod';
import { sessionIsFor, type HubSpotUser } from './widget-api.ts';
import type { SignInMessage } from './sign-in.ts';

type View = { kind: 'starting' } | { kind: 'no-widget' } | { kind: 'hubspot' } | { kind: 'done' } | { kind: 'failed'; message: string };

const WORDING = {
  network: 'Spokes did not answer. Check your connection and try again.',
  unexpected: 'Spokes sent an answer this window does not understand.',
};
/** How long the window waits for the widget that opened it to answer. */
const OPENER_WAIT_MS = 5_000;

function tellOpener(message: SignInMessage): void {
  try {
    window.opener?.postMessage(message, location.origin);
  } catch {
    // The link to the widget was cut: it collects the session by itself.
  }
}

async function start(handoff: string, hubspot: HubSpotUser, show: (v: View) => void): Promise<void> {
  // The pop-up page's session of this browser, if it is this HubSpot user: no need to ask HubSpot.
  const existing = pagesSession();
  if (existing && sessionIsFor(existing.agent, hubspot)) {
    try {
      await agentRequest('POST', '/agent-api/sign-in/from-session', z.object({ ok: z.literal(true) }), {
        token: existing.token,
        body: { handoff },
        wording: WORDING,
      });
      tellOpener({ type: 'spokes-sign-in-finished' });
      show({ kind: 'done' });
      window.setTimeout(() => window.close(), 800);
      return;
    } catch (err) {
      // Revoked or expired: HubSpot it is.
      if (!(err instanceof AgentApiError) || (err.status !== 401 && err.status !== 409)) throw err;
    }
  }
  const { authorizeUrl } = await agentRequest('POST', '/agent-api/sign-in/hubspot', z.object({ authorizeUrl: z.string().url() }), {
    body: { handoff },
    wording: WORDING,
  });
  show({ kind: 'hubspot' });
  location.assign(authorizeUrl);
}

export function SignInWindow() {
  const [view, setView] = useState<View>({ kind: 'starting' });

  useEffect(() => {
    const outcome = new URLSearchParams(location.hash.slice(1));
    if (outcome.has('done') || outcome.has('error')) {
      // Back from HubSpot: the widget collects the session (it polls too, in case this message cannot reach it).
      history.replaceState(null, '', location.pathname);
      tellOpener({ type: 'spokes-sign-in-finished' });
      if (outcome.has('done')) {
        setView({ kind: 'done' });
        window.setTimeout(() => window.close(), 800);
      } else {
        setView({ kind: 'failed', message: outcome.get('error') || 'Signing in failed.' });
      }
      return;
    }
    if (!window.opener) {
      setView({ kind: 'no-widget' });
      return;
    }
    const onMessage = (event: MessageEvent<SignInMessage>) => {
      // Only the Spokes widget that opened this window may start it.
      if (event.origin !== location.origin || event.source !== window.opener || event.data?.type !== 'spokes-sign-in-start') return;
      window.removeEventListener('message', onMessage);
      window.clearTimeout(timer);
      start(event.data.handoff, event.data.hubspot, setView).catch((err: unknown) =>
        setView({ kind: 'failed', message: err instanceof AgentApiError ? err.message : 'Signing in failed. Close this window and try again.' }),
      );
    };
    window.addEventListener('message', onMessage);
    const timer = window.setTimeout(() => setView({ kind: 'no-widget' }), OPENER_WAIT_MS);
    tellOpener({ type: 'spokes-sign-in-hello' });
    return () => {
      window.removeEventListener('message', onMessage);
      window.clearTimeout(timer);
    };
  }, []);

  return (
    <main className="w-window" data-testid="sign-in-window" data-state={view.kind}>
      <div className="w-window-card">
        <div className="w-brand">
          <svg className="w-logo" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#1f5fd6" />
            <g stroke="#fff" strokeWidth="2.4" strokeLinecap="round">
              <path d="M16 16L16 7M16 16l7.8 4.5M16 16l-7.8 4.5" />
            </g>
            <circle cx="16" cy="16" r="3.6" fill="#fff" />
          </svg>
          <div className="w-brand-name">Spokes phone</div>
        </div>
        <Body view={view} />
      </div>
    </main>
  );
}

function Body({ view }: { view: View }) {
  switch (view.kind) {
    case 'starting':
    case 'hubspot':
      return (
        <p className="w-window-text">
          <Spinner label="Signing in" /> {view.kind === 'hubspot' ? 'Opening HubSpot…' : 'Signing you in…'}
        </p>
      );
    case 'done':
      return (
        <>
          <h1>You're signed in</h1>
          <p className="w-window-text">Back to HubSpot: the calling widget is ready. This window closes by itself.</p>
        </>
      );
    case 'no-widget':
      return (
        <>
          <h1>Sign in from the calling widget</h1>
          <p className="w-window-text">
            This window signs you in to the Spokes calling widget. Open a record in HubSpot, click <b>Sign in with HubSpot</b> in the Spokes phone panel, and
            this window opens by itself.
          </p>
        </>
      );
    case 'failed':
      return (
        <>
          <h1>Not signed in</h1>
          <p className="w-window-text" role="alert" data-testid="sign-in-error">
            {view.message}
          </p>
          <button type="button" className="button button-secondary" onClick={() => window.close()}>
            Close this window
          </button>
        </>
      );
  }
}
