/**
 * The calling widget (`/widget/`, C1–C5): what a salesperson sees in HubSpot's
 * call panel. Screens follow the controller's state: waiting for HubSpot,
 * signing in, not set up (with how to get bound), the dial pad, a call, and
 * the notes and outcome after it. The content's height drives the iframe's
 * (resizeWidget).
 */
import { useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { Spinner } from '../shared/components/spinner.tsx';
import type { WidgetController, WidgetState } from './controller.ts';
import { CallView } from './call-view.tsx';
import { DialPad } from './dial-pad.tsx';
import { SignedOutView } from './signed-out-view.tsx';
import { WrapUp } from './wrap-up.tsx';

export function App({ controller }: { controller: WidgetController }) {
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  const root = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const el = root.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => controller.resize(el.getBoundingClientRect().height));
    observer.observe(el);
    return () => observer.disconnect();
  }, [controller]);

  return (
    <div className="w-root" ref={root} data-testid="widget" data-screen={state.screen.kind}>
      <Header state={state} onSignOut={() => controller.signOut()} />
      {state.notice && <NoticeBanner state={state} onClose={() => controller.dismissNotice()} />}
      <main className="w-main">
        <Body state={state} controller={controller} />
      </main>
    </div>
  );
}

function Body({ state, controller }: { state: WidgetState; controller: WidgetController }) {
  switch (state.screen.kind) {
    case 'waiting':
      return (
        <Centered>
          <Spinner label="Connecting to HubSpot" /> <span className="muted">Connecting to HubSpot…</span>
        </Centered>
      );
    case 'signing-in':
      if (state.screen.inWindow) {
        return (
          <div className="w-empty" data-testid="signing-in-window">
            <Centered>
              <Spinner label="Signing in" /> <span className="muted">Finish signing in in the window that opened…</span>
            </Centered>
            <button type="button" className="button button-secondary" onClick={() => controller.cancelSignIn()}>
              Cancel
            </button>
          </div>
        );
      }
      return (
        <Centered>
          <Spinner label="Signing in" /> <span className="muted">Signing in to Spokes…</span>
        </Centered>
      );
    case 'outside-hubspot':
      return (
        <div className="w-empty" data-testid="outside-hubspot">
          <h2>This is the Spokes calling widget</h2>
          <p className="muted">
            It works inside HubSpot: open a contact, click <b>Call</b> and choose the Spokes app. Your Spokes admin registers it on the Spokes HubSpot page.
          </p>
        </div>
      );
    case 'signed-out':
      return <SignedOutView screen={state.screen} hubspot={state.hubspot} onSignIn={() => controller.signIn()} />;
    case 'ready':
      if (state.call?.stage === 'ended') return <WrapUp call={state.call} controller={controller} />;
      if (state.call) return <CallView call={state.call} controller={controller} />;
      return <DialPad onCall={(n) => void controller.dial(n)} disabled={state.stream === 'off'} />;
  }
}

function Header({ state, onSignOut }: { state: WidgetState; onSignOut: () => void }) {
  const live = state.stream === 'connected';
  return (
    <header className="w-header">
      <div className="w-brand">
        <svg className="w-logo" viewBox="0 0 32 32" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="#1f5fd6" />
          <g stroke="#fff" strokeWidth="2.4" strokeLinecap="round">
            <path d="M16 16L16 7M16 16l7.8 4.5M16 16l-7.8 4.5" />
          </g>
          <circle cx="16" cy="16" r="3.6" fill="#fff" />
        </svg>
        <div>
          <div className="w-brand-name">Spokes phone</div>
          {state.agent && (
            <div className="w-agent" data-testid="agent">
              {state.agent.name} · ext {state.agent.extension}
            </div>
          )}
        </div>
      </div>
      {state.agent && (
        <div className="w-header-right">
          <span
            className={`w-live ${live ? 'w-live-on' : ''}`}
            data-testid="stream-state"
            data-state={state.stream}
            title={live ? 'Receiving call events from your phone system' : 'Reconnecting to Spokes…'}
          >
            {live ? 'Online' : 'Reconnecting…'}
          </span>
          <button type="button" className="w-link" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      )}
    </header>
  );
}

function NoticeBanner({ state, onClose }: { state: WidgetState; onClose: () => void }) {
  const notice = state.notice!;
  // Success notes fade by themselves; problems stay until read.
  useEffect(() => {
    if (notice.tone !== 'success') return;
    const t = window.setTimeout(onClose, 6_000);
    return () => window.clearTimeout(t);
  }, [notice, onClose]);
  return (
    <div
      className={`w-notice w-notice-${notice.tone}`}
      role={notice.tone === 'danger' ? 'alert' : 'status'}
      data-testid="widget-notice"
      data-tone={notice.tone}
    >
      <span>{notice.text}</span>
      <button type="button" className="w-notice-close" aria-label="Dismiss" onClick={onClose}>
        ×
      </button>
    </div>
  );
}

function Centered({ children }: { children: React.ReactNode }) {
  return <div className="w-centered">{children}</div>;
}
