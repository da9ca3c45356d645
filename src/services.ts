/**
 * What a running Spokes process has, built once by the runtime and handed to
 * the parts that need it (jobs, routes). Each part takes only what it uses.
 */
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { Database } from './db/open.ts';
import type { SecretBox } from './secrets/secret-box.ts';
import type { Metrics } from './metrics.ts';
import type { JobQueue } from './jobs/queue.ts';
import type { HubSpotService } from './hubspot/service.ts';
import type { PhoneIndexing } from './hubspot/phone/index.ts';
import type { Sandboxes } from './sandbox/sandboxes.ts';
import type { Platform } from './platform/platform.ts';

export interface Services {
  config: Config;
  log: Logger;
  database: Database;
  secretBox: SecretBox;
  metrics: Metrics;
  /** Set once the queue is built; jobs may enqueue follow-up jobs through it. */
  queue: JobQueue;
  /** The HubSpot connection every connector writes through (one rate budget per account). */
  hubspot: HubSpotService;
  /** Caller matching without calling HubSpot: every contact's and company's numbers (T4, T5, T7, T8). */
  phone: PhoneIndexing;
  /** The connector platform: connections, sync records, audit log, every platform connector. */
  platform: Platform;
  /** The emulators, when this process runs them (sandbox mode, serving process only). */
  sandboxes?: Sandboxes;
  /** Sandbox mode, serving process: `starting` until the emulators run and everything is wired to them. */
  sandboxStatus?: 'starting' | 'ready';
}
