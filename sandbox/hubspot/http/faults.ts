/**
 * Fault injection for reliability tests (ARCHITECTURE.md "The sandbox"): a share of
 * HubSpot API calls answer 429 (with the TEN_SECONDLY_ROLLING body the official client
 * retries), 5xx, arrive late, or lose their connection. `{}` clears everything.
 */
import { z } from 'zod';
import { apiError, type HubSpotApiError, rateLimitError } from '../errors.ts';
import { RATE_LIMIT_MESSAGES } from '../manifest.ts';
import { createRandom } from '../random.ts';

const probability = z.number().min(0).max(1);

export const faultsSchema = z
  .object({
    rateLimitProbability: probability.optional(),
    serverErrorProbability: probability.optional(),
    /** Statuses picked from for injected server errors. */
    serverErrorStatuses: z.array(z.number().int().min(500).max(599)).min(1).optional(),
    dropConnectionProbability: probability.optional(),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Extra random latency up to this many ms on top of `latencyMs`. */
    latencyJitterMs: z.number().int().min(0).max(120_000).optional(),
    /** Only requests whose path starts with one of these are affected (default: every HubSpot API path). */
    pathPrefixes: z.array(z.string().startsWith('/')).optional(),
    seed: z.union([z.number(), z.string()]).optional(),
  })
  .strict();

export type FaultSettings = z.infer<typeof faultsSchema>;

export type FaultDecision = { kind: 'none'; delayMs: number } | { kind: 'drop'; delayMs: number } | { kind: 'error'; delayMs: number; error: HubSpotApiError };

export class FaultInjector {
  private settings: FaultSettings = {};
  private random = createRandom(1);
  injected = { rateLimit: 0, serverError: 0, dropped: 0, delayed: 0 };

  configure(settings: FaultSettings): void {
    this.settings = settings;
    this.random = createRandom(settings.seed ?? 1);
  }

  current(): FaultSettings {
    return this.settings;
  }

  decide(path: string): FaultDecision {
    const s = this.settings;
    if (s.pathPrefixes && !s.pathPrefixes.some((p) => path.startsWith(p))) return { kind: 'none', delayMs: 0 };
    const delayMs = (s.latencyMs ?? 0) + (s.latencyJitterMs ? Math.floor(this.random() * s.latencyJitterMs) : 0);
    if (delayMs > 0) this.injected.delayed++;
    if (s.dropConnectionProbability && this.random() < s.dropConnectionProbability) {
      this.injected.dropped++;
      return { kind: 'drop', delayMs };
    }
    if (s.rateLimitProbability && this.random() < s.rateLimitProbability) {
      this.injected.rateLimit++;
      return {
        kind: 'error',
        delayMs,
        error: rateLimitError('TEN_SECONDLY_ROLLING', RATE_LIMIT_MESSAGES.TEN_SECONDLY_ROLLING, 'publicapi:sandbox-injected-ten-secondly'),
      };
    }
    if (s.serverErrorProbability && this.random() < s.serverErrorProbability) {
      this.injected.serverError++;
      const statuses = s.serverErrorStatuses ?? [500, 502, 503, 504];
      const status = statuses[Math.floor(this.random() * statuses.length)];
      return { kind: 'error', delayMs, error: apiError(status, 'INTERNAL_ERROR', status === 502 || status === 504 ? 'Gateway timeout' : 'internal error') };
    }
    return { kind: 'none', delayMs };
  }
}
