/**
 * Fault injection for reliability tests (`POST /sandbox/faults`), as the other
 * emulators offer: 429 bursts, 5xx storms, latency, dropped connections and revoked
 * keys. Each body replaces the previous set; `{}` clears everything. Counts fail the
 * next N API requests; probabilities fail a share of them (seeded, reproducible).
 */
import { z } from 'zod';
import { createRandom } from '../random.ts';

const probability = z.number().min(0).max(1);

export const faultsSchema = z
  .object({
    /** The next N API requests answer 429 with `retry_after`. */
    rateLimitCount: z.number().int().min(1).optional(),
    rateLimitProbability: probability.optional(),
    /** `retry_after` of injected 429s, seconds (default 1). */
    retryAfterSeconds: z.number().int().min(1).max(3_600).optional(),
    /** The next N API requests answer a 5xx … */
    serverErrorCount: z.number().int().min(1).optional(),
    serverErrorProbability: probability.optional(),
    /** … picked from these statuses (default 500, 502, 503, 504). */
    serverErrorStatuses: z.array(z.number().int().min(500).max(599)).min(1).optional(),
    /** The next N API requests lose their connection without an answer. */
    dropConnectionCount: z.number().int().min(1).optional(),
    dropConnectionProbability: probability.optional(),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Extra random latency up to this many ms. */
    latencyJitterMs: z.number().int().min(0).max(120_000).optional(),
    /** These API keys answer 401 as if their user had revoked them in Sansan. */
    revokedApiKeys: z.array(z.string().min(1)).optional(),
    /** Only API paths starting with one of these (after the version, e.g. `/bizCards`) are affected. */
    pathPrefixes: z.array(z.string().startsWith('/')).optional(),
    seed: z.union([z.number(), z.string()]).optional(),
  })
  .strict();

export type Faults = z.infer<typeof faultsSchema>;

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'drop'; delayMs: number }
  | { kind: 'rateLimit'; delayMs: number; retryAfter: number }
  | { kind: 'serverError'; delayMs: number; status: number };

export class FaultInjector {
  private settings: Faults = {};
  private random = createRandom(1);
  private left = { rateLimit: 0, serverError: 0, drop: 0 };
  injected = { rateLimit: 0, serverError: 0, dropped: 0, delayed: 0 };

  configure(settings: Faults): void {
    this.settings = { ...settings };
    this.random = createRandom(settings.seed ?? 1);
    this.left = { rateLimit: settings.rateLimitCount ?? 0, serverError: settings.serverErrorCount ?? 0, drop: settings.dropConnectionCount ?? 0 };
  }

  current(): Faults & { remaining: { rateLimit: number; serverError: number; dropConnection: number } } {
    return { ...this.settings, remaining: { rateLimit: this.left.rateLimit, serverError: this.left.serverError, dropConnection: this.left.drop } };
  }

  isRevoked(key: string): boolean {
    return this.settings.revokedApiKeys?.includes(key) ?? false;
  }

  /** `path` is the part after the version, e.g. `/bizCards/search`. */
  decide(path: string): FaultDecision {
    const s = this.settings;
    if (s.pathPrefixes && !s.pathPrefixes.some((p) => path.startsWith(p))) return { kind: 'none', delayMs: 0 };
    const delayMs = (s.latencyMs ?? 0) + (s.latencyJitterMs ? Math.floor(this.random() * s.latencyJitterMs) : 0);
    if (delayMs > 0) this.injected.delayed++;
    if (this.hit('drop', s.dropConnectionProbability)) {
      this.injected.dropped++;
      return { kind: 'drop', delayMs };
    }
    if (this.hit('rateLimit', s.rateLimitProbability)) {
      this.injected.rateLimit++;
      return { kind: 'rateLimit', delayMs, retryAfter: s.retryAfterSeconds ?? 1 };
    }
    if (this.hit('serverError', s.serverErrorProbability)) {
      this.injected.serverError++;
      const statuses = s.serverErrorStatuses ?? [500, 502, 503, 504];
      return { kind: 'serverError', delayMs, status: statuses[Math.floor(this.random() * statuses.length)] };
    }
    return { kind: 'none', delayMs };
  }

  private hit(kind: 'drop' | 'rateLimit' | 'serverError', probability: number | undefined): boolean {
    if (this.left[kind] > 0) {
      this.left[kind]--;
      return true;
    }
    return probability !== undefined && probability > 0 && this.random() < probability;
  }
}
