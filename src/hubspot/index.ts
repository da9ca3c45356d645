/**
 * The HubSpot connection (T1, T2, X4): built once per process from the
 * configuration, shared by every connector through `services.hubspot`.
 */
import { refreshTokenJob } from './jobs.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { HubSpotService } from './service.ts';
import { createRateBudget } from './rate-budget.ts';
import { refreshDelaySeconds } from './jobs.ts';
import { HUBSPOT } from './manifest.ts';
import { requestPhoneIndexSync } from './phone/index.ts';

export { HubSpotService } from './service.ts';
export { hubspotJobs } from './jobs.ts';
export { registerHubSpotRoutes } from './routes.ts';
export type { HubSpotStatus } from './service.ts';

export interface CreateHubSpotOptions {
  config: Config;
  database: Database;
  secretBox: SecretBox;
  log: Logger;
  metrics?: Metrics;
  /** API base URL for new connections: the sandbox's in sandbox mode. */
  baseUrl: string;
  sandbox: boolean;
  /** Resolved lazily: the queue is built after the service. */
  queue: () => JobQueue | undefined;
}

export async function createHubSpot(opts: CreateHubSpotOptions): Promise<{ hubspot: HubSpotService; close(): Promise<void> }> {
  const budget = await createRateBudget({
    databaseUrl: opts.config.databaseUrl,
    limits: {
      tenSecondly: { oauth: HUBSPOT.limits.oauthTenSecondly, private_app: HUBSPOT.limits.privateAppTenSecondly },
      searchPerSecond: HUBSPOT.limits.searchPerSecond,
    },
  });
  const hubspot = new HubSpotService({
    database: opts.database,
    secretBox: opts.secretBox,
    log: opts.log.child({ component: 'hubspot' }),
    metrics: opts.metrics,
    budget,
    baseUrl: opts.baseUrl,
    publicUrl: opts.config.publicUrl,
    sandbox: opts.sandbox,
    async onConnected() {
      const queue = opts.queue();
      if (!queue) return;
      // Paused jobs resume now rather than at the next gate check, and a new account's index is built.
      await queue.refreshGates();
      await requestPhoneIndexSync(queue, 'full');
    },
    async onUnusable() {
      await opts.queue()?.refreshGates();
    },
    async scheduleRefresh(expiresAt) {
      const queue = opts.queue();
      if (!queue) return;
      await queue.enqueue(refreshTokenJob, { expiresAt: expiresAt.toISOString() }, { startAfterSeconds: refreshDelaySeconds(expiresAt) });
    },
  });
  return { hubspot, close: () => budget.close() };
}
