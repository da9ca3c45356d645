/**
 * The phone index, as the rest of Spokes uses it: `createPhoneIndexing(...)`
 * builds the index (look-ups) and its sync (writes) over the one HubSpot
 * connection; `phoneIndexJobs` and `schedulePhoneIndexSync` keep it fresh.
 */
import type { Database } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { HubSpotService } from '../service.ts';
import { appBaseUrlFor } from '../manifest.ts';
import { PhoneIndex, recordUrl, type PhoneMatch } from './phone-index.ts';
import { PhoneIndexSync, type PhoneIndexSyncOptions } from './index-sync.ts';

export { PhoneIndex, recordUrl } from './phone-index.ts';
export type { LookupResult, LookupOptions, PhoneMatch, PhoneRecord, PhoneObjectType } from './phone-index.ts';
export { PhoneIndexSync } from './index-sync.ts';
export type { SyncMode, TypeReport, PageProgress } from './index-sync.ts';
export { normalizePhone, isWithheld } from './normalize.ts';
export type { NormalizedPhone } from './normalize.ts';
export { phoneIndexJobs, schedulePhoneIndexSync, requestPhoneIndexSync, PHONE_INDEX_SYNC_JOB } from './jobs.ts';

export interface PhoneIndexing {
  index: PhoneIndex;
  sync: PhoneIndexSync;
  /** The HubSpot page of a matched record (pop-ups, T7). */
  urlOf(match: PhoneMatch): string;
}

export interface CreatePhoneIndexingOptions {
  database: Database;
  hubspot: HubSpotService;
  /** `config.defaultRegion`. */
  defaultRegion: string;
  log: Logger;
  /** Overrides for tests and benchmarks (page size, result cap…). */
  sync?: Partial<Omit<PhoneIndexSyncOptions, 'database' | 'api' | 'index' | 'log'>>;
}

export function createPhoneIndexing(opts: CreatePhoneIndexingOptions): PhoneIndexing {
  const { database, hubspot } = opts;
  const index = new PhoneIndex({
    database,
    defaultRegion: opts.defaultRegion,
    currentPortalId: async () => {
      const connection = await hubspot.store.connection();
      return connection?.portalId ?? null;
    },
  });
  const sync = new PhoneIndexSync({ database, api: hubspot.api, index, log: opts.log.child({ component: 'phone-index' }), ...opts.sync });
  return {
    index,
    sync,
    urlOf: (match) => recordUrl(appBaseUrlFor(hubspot.baseUrl), match.portalId, match.objectType, match.objectId),
  };
}
