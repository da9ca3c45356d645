/**
 * The HubSpot page's state, and the wait for the OAuth tab: while a sign-in tab
 * is open the page polls `GET /api/hubspot` every 2 s, and it listens on the
 * `spokes-hubspot` BroadcastChannel, which the callback page posts to on
 * success (the faster path; polling covers browsers that isolate the tab).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../shared/api.ts';
import { CONNECTED_CHANNEL, hubspotApi, type ApiHubSpot } from './hubspot-api.ts';

const POLL_MS = 2000;
// An admin who walked away does not leave the page polling forever.
const GIVE_UP_MS = 15 * 60 * 1000;

export interface Waiting {
  /** The tab we opened; null when the browser blocked it and the admin got a link instead. */
  tab: Window | null;
  authorizeUrl?: string;
  startedAt: number;
}

export function useHubSpot(onConnected: (state: ApiHubSpot) => void) {
  const [state, setState] = useState<ApiHubSpot | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [waiting, setWaiting] = useState<Waiting | undefined>();
  const [tabClosed, setTabClosed] = useState(false);
  const [authError, setAuthError] = useState<string | undefined>(undefined);
  const latest = useRef<ApiHubSpot | undefined>(undefined);
  const waitingRef = useRef<Waiting | undefined>(undefined);
  const connectedCb = useRef(onConnected);
  connectedCb.current = onConnected;

  /** Applies a fresh state; if we were waiting and a new connection is there, the wait is over. */
  const accept = useCallback((next: ApiHubSpot) => {
    const before = latest.current?.connection;
    latest.current = next;
    setState(next);
    setLoadError(undefined);
    const now = next.connection;
    const isNew = now?.status === 'connected' && (before?.status !== 'connected' || before.connectedAt !== now.connectedAt || before.portalId !== now.portalId);
    if (waitingRef.current && isNew) {
      waitingRef.current = undefined;
      setWaiting(undefined);
      connectedCb.current(next);
    }
  }, []);

  const refresh = useCallback(async () => {
    try {
      accept(await hubspotApi.get());
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, [accept]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(CONNECTED_CHANNEL);
    channel.onmessage = (e: MessageEvent) => {
      const data = e.data as { type?: unknown; reason?: unknown } | null;
      if (data?.type === 'hubspot-connected') void refresh();
      // The callback tab says why it failed: stop waiting and show the reason here too.
      if (data?.type === 'hubspot-authorization-failed' && waitingRef.current) {
        waitingRef.current = undefined;
        setWaiting(undefined);
        setAuthError(typeof data.reason === 'string' ? data.reason : 'HubSpot did not authorize Spokes.');
      }
    };
    return () => channel.close();
  }, [refresh]);

  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => {
      if (Date.now() - waiting.startedAt > GIVE_UP_MS) {
        stopWaiting();
        return;
      }
      if (waiting.tab?.closed) {
        // One last look: the tab may have closed right after the callback succeeded.
        stopWaiting();
        setTabClosed(true);
      }
      void refresh();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [waiting, refresh]);

  const startWaiting = useCallback((w: Waiting) => {
    waitingRef.current = w;
    setTabClosed(false);
    setAuthError(undefined);
    setWaiting(w);
  }, []);

  function stopWaiting() {
    waitingRef.current = undefined;
    setWaiting(undefined);
  }

  return { state, loadError, refresh, accept, waiting, startWaiting, stopWaiting, tabClosed, authError };
}
