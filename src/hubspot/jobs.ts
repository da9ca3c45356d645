/**
 * Background work of the HubSpot connection: refreshing the access token
 * ahead of its expiry, so no request ever waits for a refresh.
 */
import { z } from 'zod';
import { defineJob, defineJobType, type JobDefinition } from '../jobs/job.ts';
import type { HubSpotService } from './service.ts';
import { HUBSPOT } from './manifest.ts';

/** Refreshes the access token ahead of `expiresAt`: enqueued by this object (the payload checked by tsc). */
export const refreshTokenJob = defineJobType({
  name: 'hubspot.refresh-token',
  schema: z.object({ expiresAt: z.iso.datetime() }),
  // One job per token: scheduling it again for the same token is a no-op.
  idempotencyKey: (p) => p.expiresAt,
});

export function hubspotJobs(hubspot: () => HubSpotService): JobDefinition[] {
  const refreshToken = defineJob({
    ...refreshTokenJob,
    retry: { limit: 8, delaySeconds: 5, maxDelaySeconds: 120 },
    leaseSeconds: 60,
    batchSize: 1,
    async run(_payload, ctx) {
      // Refreshes when within the refresh window; another worker (or an API call) may have done it already.
      const { connection } = await hubspot().tokens.accessToken();
      ctx.log.debug({ expiresAt: connection.accessExpiresAt?.toISOString() }, 'HubSpot token checked');
    },
  });
  return [refreshToken] as JobDefinition[];
}

/** Seconds from now until the refresh job should run for a token expiring at `expiresAt`. */
export function refreshDelaySeconds(expiresAt: Date, now = Date.now()): number {
  return Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000) - HUBSPOT.refreshAheadSeconds + 10);
}
