/**
 * The Phone system page's data: the connection status, HubSpot users and PBX
 * extensions (loaded on demand: listing them asks both remote systems), and the
 * activity — last calls and sync errors — which, like the status and HubSpot's
 * connection, refreshes every 5 s while the page is visible, so a call shows up
 * without a reload.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { hubspotApi } from '../hubspot/hubspot-api.ts';
import { phoneApi, type ApiCall, type ApiExtension, type ApiPhoneStatus, type ApiPhoneUser, type ApiSyncError } from './phone-api.ts';

const POLL_MS = 5000;
export const CALLS_SHOWN = 10;

export interface Loadable<T> {
  data?: T;
  error?: string;
  /** The error's code, e.g. `not_connected` when HubSpot is not connected. */
  code?: string;
  loading: boolean;
}

export interface Directory {
  users: ApiPhoneUser[];
  extensions: ApiExtension[];
}

export interface HubSpotSummary {
  sandbox: boolean;
  state: 'connected' | 'needs_reauthorization' | 'not_connected';
}

function failed<T>(err: unknown): Loadable<T> {
  return { error: errorMessage(err), code: err instanceof ApiError ? err.code : undefined, loading: false };
}

export function usePhoneSystem() {
  const [status, setStatus] = useState<ApiPhoneStatus | undefined>();
  const [statusError, setStatusError] = useState<string | undefined>();
  const [hubspot, setHubSpot] = useState<HubSpotSummary | undefined>();
  const [directory, setDirectory] = useState<Loadable<Directory>>({ loading: false });
  const [calls, setCalls] = useState<Loadable<ApiCall[]>>({ loading: true });
  const [syncErrors, setSyncErrors] = useState<Loadable<ApiSyncError[]>>({ loading: true });
  // Names of HubSpot users seen this visit: the calls list keeps naming them after a disconnect clears the bindings.
  const [ownerNames, setOwnerNames] = useState<Map<string, string>>(new Map());

  const accept = useCallback((next: ApiPhoneStatus) => {
    setStatus(next);
    setStatusError(undefined);
  }, []);

  const refreshStatus = useCallback(async () => {
    try {
      accept(await phoneApi.status());
    } catch (err) {
      setStatusError(errorMessage(err));
    }
  }, [accept]);

  const refreshHubSpot = useCallback(async () => {
    try {
      const h = await hubspotApi.get();
      setHubSpot({ sandbox: h.sandbox, state: h.connection?.status ?? 'not_connected' });
    } catch {
      // Only the banners depend on it; the page works without.
    }
  }, []);

  /** The Refresh button of the binding table: HubSpot users and PBX extensions, fresh from both systems. */
  // Only the latest load's answer is shown: a slower, older one (started before a save) must not overwrite it.
  const directoryLoads = useRef(0);
  const loadDirectory = useCallback(async () => {
    const load = ++directoryLoads.current;
    setDirectory((d) => ({ ...d, loading: true }));
    try {
      const data = await phoneApi.users();
      if (load !== directoryLoads.current) return;
      setDirectory({ data, loading: false });
      setOwnerNames((names) => new Map([...names, ...data.users.map((u) => [u.ownerId, u.name] as const)]));
    } catch (err) {
      if (load !== directoryLoads.current) return;
      setDirectory((d) => ({ ...failed<Directory>(err), data: d.data }));
    }
  }, []);

  const refreshActivity = useCallback(async () => {
    const [c, e] = await Promise.allSettled([phoneApi.calls(CALLS_SHOWN), phoneApi.syncErrors()]);
    setCalls(c.status === 'fulfilled' ? { data: c.value.calls, loading: false } : (prev) => ({ ...failed<ApiCall[]>(c.reason), data: prev.data }));
    setSyncErrors(e.status === 'fulfilled' ? { data: e.value.errors, loading: false } : (prev) => ({ ...failed<ApiSyncError[]>(e.reason), data: prev.data }));
  }, []);

  useEffect(() => {
    void refreshStatus();
    void refreshHubSpot();
    void refreshActivity();
  }, [refreshStatus, refreshHubSpot, refreshActivity]);

  // Users and extensions come from the PBX: only once it is connected, and again after a (re)connect.
  const connectedAt = status?.connection?.connectedAt;
  useEffect(() => {
    if (connectedAt) void loadDirectory();
    else setDirectory({ loading: false });
  }, [connectedAt, loadDirectory]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      void refreshStatus();
      void refreshHubSpot();
      void refreshActivity();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [refreshStatus, refreshHubSpot, refreshActivity]);

  return { status, statusError, accept, ownerNames, refreshStatus, hubspot, directory, loadDirectory, calls, syncErrors, refreshActivity, setSyncErrors };
}
