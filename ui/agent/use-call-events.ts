/**
 * The signed-in page's engine: reads the live events, folds them into today's
 * calls, pops the caller's record on a ring (T7), notices a blocked pop-up,
 * and shows a desktop notification when the salesperson turned them on.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AgentSession, LiveEvent } from '../shared/agent-api.ts';
import { openEventStream, type StreamState } from '../shared/event-stream.ts';
import { applyEvent, loadCalls, saveCalls, type CallRow } from './calls.ts';
import { claimCall, openTab, popTarget, TEST_POPUP_DELAY_MS, TEST_POPUP_PATH, type PopTarget } from './pop-up.ts';
import { notificationsOn, showCallNotification } from './notifications.ts';

export type PopupStatus = 'unknown' | 'allowed' | 'blocked';

export interface CallEvents {
  stream: StreamState;
  calls: CallRow[];
  popups: PopupStatus;
  /** The last pop-up the browser blocked, until the user opens it or dismisses the help. */
  blocked: PopTarget | null;
  openBlocked(): void;
  dismissBlocked(): void;
  /** Opens a test tab as a ringing call would, after TEST_POPUP_DELAY_MS; resolves with what the browser did. */
  testPopup(): Promise<'allowed' | 'blocked'>;
}

const POPUPS_KEY = 'spokes.agent.popups';

/** Claims the call for this tab; several tabs of this page agree through a Web Lock where the browser has them. */
async function claim(callId: string): Promise<boolean> {
  if (navigator.locks) return navigator.locks.request('spokes.agent.popped', () => claimCall(callId));
  return claimCall(callId);
}

export function useCallEvents(session: AgentSession, onRefused: (status: number, message: string) => void): CallEvents {
  const ownerId = session.agent.ownerId;
  const [stream, setStream] = useState<StreamState>('connecting');
  const [calls, setCalls] = useState<CallRow[]>(() => loadCalls(ownerId));
  const [popups, setPopups] = useState<PopupStatus>(() => (localStorage.getItem(POPUPS_KEY) as PopupStatus | null) ?? 'unknown');
  const [blocked, setBlocked] = useState<PopTarget | null>(null);
  const refused = useRef(onRefused);
  refused.current = onRefused;

  const popupsAre = useCallback((status: PopupStatus) => {
    localStorage.setItem(POPUPS_KEY, status);
    setPopups(status);
  }, []);

  useEffect(() => saveCalls(ownerId, calls), [ownerId, calls]);

  useEffect(() => {
    const pop = async (e: LiveEvent) => {
      const target = popTarget(e);
      if (!target || !(await claim(target.callId))) return;
      const opened = openTab(target.url);
      if (opened) {
        popupsAre('allowed');
        setBlocked(null);
      } else {
        popupsAre('blocked');
        setBlocked(target);
      }
      if (notificationsOn()) {
        showCallNotification(target, () => {
          // A click on the notification is a user gesture: the tab opens even where pop-ups are blocked.
          if (!opened && openTab(target.url)) setBlocked(null);
        });
      }
    };
    const events = openEventStream({
      token: session.token,
      onEvent(e) {
        if (e.ownerId !== ownerId) return;
        setCalls((rows) => applyEvent(rows, e));
        void pop(e);
      },
      onState: (state) => setStream(state),
      onRefused: (status, message) => refused.current(status, message),
    });
    return () => events.close();
  }, [session.token, ownerId, popupsAre]);

  return {
    stream,
    calls,
    popups,
    blocked,
    openBlocked() {
      if (blocked && openTab(blocked.url)) setBlocked(null);
    },
    dismissBlocked: () => setBlocked(null),
    testPopup: () =>
      new Promise((resolve) => {
        window.setTimeout(() => {
          const target: PopTarget = { callId: `test-${Date.now()}`, url: new URL(TEST_POPUP_PATH, location.origin).href, caller: 'Test pop-up', kind: 'test' };
          const opened = openTab(target.url);
          popupsAre(opened ? 'allowed' : 'blocked');
          setBlocked(opened ? null : target);
          resolve(opened ? 'allowed' : 'blocked');
        }, TEST_POPUP_DELAY_MS);
      }),
  };
}
