/**
 * Every HubSpot call Spokes makes goes through `HubSpotApi.call`: a current
 * access token, one slot from the account's shared rate budget per request
 * (client middleware, so batch helpers and paging count too), and HubSpot's
 * errors turned into Spokes errors. A 401 refreshes the token once and
 * retries; a 429 holds every worker back and, when asked, waits and retries
 * instead of failing. The budget already keeps Spokes under the limits, so a
 * lone 429 (a blip, or another app of a private-app account) holds back for a
 * second; 429s that keep coming double the hold, up to HubSpot's whole window.
 */
import { Client } from '@hubspot/api-client';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { AuthExpiredError, RemoteRateLimitedError } from '../errors.ts';
import type { RateBudget, BudgetKind, AppTier } from './rate-budget.ts';
import type { TokenKeeper } from './tokens.ts';
import { hubspotErrorBody, mapHubSpotError } from './errors.ts';

export interface HubSpotApiOptions {
  tokens: TokenKeeper;
  budget: RateBudget;
  log: Logger;
  metrics?: Metrics;
}

export interface CallOptions {
  /** How many 429s to wait out before giving up (jobs usually let the queue retry instead). */
  rateLimitRetries?: number;
  signal?: AbortSignal;
  /** A budget slot taken ahead (`reserve`): the call's first request spends it instead of waiting for one. */
  reserved?: Reservation;
}

/** A slot of the account's rate budget taken before the request it pays for is built. */
export interface Reservation {
  readonly portalId: number;
  readonly kind: BudgetKind;
  /** False until a request has spent it. */
  spent: boolean;
}

/** The reservation the requests of one `call` may spend (the client's middleware is shared by every call). */
const prepaid = new AsyncLocalStorage<Reservation>();

interface RequestContextLike {
  getUrl(): string;
  getHttpMethod(): string;
}

/** The first hold after a quiet spell; each 429 within the policy's window of the previous one doubles it. */
const FIRST_HOLD_MS = 1_000;

export class HubSpotApi {
  readonly #opts: HubSpotApiOptions;
  #cached: { token: string; client: Client } | undefined;
  /** Per portal and budget kind: when the last 429 came and how long it held back. */
  readonly #holds = new Map<string, { at: number; ms: number }>();

  constructor(opts: HubSpotApiOptions) {
    this.#opts = opts;
  }

  /** The connected account's portal id. */
  async portalId(): Promise<number> {
    return (await this.#opts.tokens.accessToken()).connection.portalId;
  }

  /**
   * The scopes HubSpot granted the connection: an OAuth install says which (token exchange), a private
   * app's are not told to Spokes (null: a missing one shows as HubSpot's 403 when it is used).
   */
  async grantedScopes(): Promise<string[] | null> {
    const { connection } = await this.#opts.tokens.accessToken();
    return connection.kind === 'oauth' ? [...connection.scopes] : null;
  }

  /**
   * Waits for a slot of the connected account's budget now, for a request built later: a batch
   * formed once its slot is there holds every input that arrived while it waited.
   */
  async reserve(kind: BudgetKind, signal?: AbortSignal): Promise<Reservation> {
    const { connection } = await this.#opts.tokens.accessToken();
    await this.#opts.budget.take(connection.portalId, kind, connection.kind, signal);
    return { portalId: connection.portalId, kind, spent: false };
  }

  async call<T>(what: string, fn: (client: Client, portalId: number) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    let rateLimited = 0;
    let rejected: string | undefined;
    for (;;) {
      const { accessToken, connection } = await this.#opts.tokens.accessToken({ rejected });
      const client = this.#client(accessToken, connection.baseUrl, connection.portalId, connection.kind);
      try {
        const { reserved } = opts;
        return await (reserved && !reserved.spent ? prepaid.run(reserved, () => fn(client, connection.portalId)) : fn(client, connection.portalId));
      } catch (err) {
        const mapped = mapHubSpotError(err, what);
        if (mapped instanceof AuthExpiredError && rejected === undefined && connection.kind === 'oauth') {
          // §1.2: a 401 is "not a valid indicator" on its own; refresh once and try again.
          rejected = accessToken;
          continue;
        }
        if (mapped instanceof AuthExpiredError && connection.kind === 'private_app') {
          await this.#opts.tokens.accessToken({ rejected: accessToken }).catch(() => {});
        }
        if (mapped instanceof RemoteRateLimitedError) {
          const kind = hubspotErrorBody(err)?.policyName === 'SECONDLY' ? 'search' : 'general';
          const holdMs = this.#holdFor(`${connection.portalId}:${kind}`, mapped.retryAfterMs);
          await this.#opts.budget.penalize(connection.portalId, kind, connection.kind, holdMs);
          this.#opts.log.warn({ what, holdMs, windowMs: mapped.retryAfterMs }, 'HubSpot answered 429 despite the budget');
          if (rateLimited++ < (opts.rateLimitRetries ?? 0)) {
            await sleep(holdMs, undefined, { signal: opts.signal });
            continue;
          }
        }
        throw mapped;
      }
    }
  }

  /** How long to hold back after a 429 whose policy's window is `windowMs`. */
  #holdFor(key: string, windowMs: number): number {
    const now = Date.now();
    const last = this.#holds.get(key);
    // A daily cap is not a blip: wait it out.
    const ms = windowMs > 60_000 ? windowMs : last && now - last.at < windowMs ? Math.min(windowMs, last.ms * 2) : Math.min(windowMs, FIRST_HOLD_MS);
    this.#holds.set(key, { at: now, ms });
    return ms;
  }

  #client(accessToken: string, baseUrl: string, portalId: number, tier: AppTier): Client {
    if (this.#cached?.token === accessToken) return this.#cached.client;
    const { budget, metrics } = this.#opts;
    const client = new Client({
      accessToken,
      basePath: baseUrl,
      // Retries are ours (budget-aware, and jobs retry through the queue).
      numberOfApiCallRetries: 0,
      middleware: [
        {
          async pre(ctx: unknown) {
            const c = ctx as RequestContextLike;
            const kind = budgetKind(c.getHttpMethod(), c.getUrl());
            const reserved = prepaid.getStore();
            if (reserved && !reserved.spent && reserved.portalId === portalId && reserved.kind === kind) reserved.spent = true;
            else await budget.take(portalId, kind, tier);
            return ctx;
          },
          post(ctx: unknown) {
            const status = (ctx as { httpStatusCode?: number }).httpStatusCode ?? 0;
            metrics?.remoteRequests.inc({ system: 'hubspot', kind: 'api', status: String(status) });
            return ctx;
          },
        },
      ],
    });
    this.#cached = { token: accessToken, client };
    return client;
  }
}

/** §3/§8: searches have their own per-second bucket. */
export function budgetKind(method: string, url: string): BudgetKind {
  return method.toUpperCase() === 'POST' && /\/crm\/v3\/objects\/[^/]+\/search(\?|$)/.test(url) ? 'search' : 'general';
}
