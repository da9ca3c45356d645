/**
 * The connected HubSpot account as connectors need it (live events, call logging):
 * its id (auto-created contacts, record links) and the app's web address.
 * Read once per few seconds, not for every call: reading the connection
 * means a database row and two decryptions.
 */
import { NotConnectedError } from '../errors.ts';
import { appBaseUrlFor } from './manifest.ts';
import type { HubSpotService } from './service.ts';

export interface PortalInfo {
  portalId: number;
  /** Where record pages live (`https://app.hubspot.com`, or the sandbox). */
  appBase: string;
}

const CACHE_MS = 10_000;

export function portalCache(hubspot: HubSpotService): () => Promise<PortalInfo> {
  let cached: { at: number; value: Promise<PortalInfo> } | undefined;
  return () => {
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
    const value = hubspot.store.connection().then((connection) => {
      if (!connection) throw new NotConnectedError('HubSpot is not connected: connect it on the HubSpot page of the Spokes admin.');
      return { portalId: connection.portalId, appBase: appBaseUrlFor(connection.baseUrl ?? hubspot.baseUrl) };
    });
    const entry = { at: Date.now(), value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
