/**
 * A small client of the Sansan Open API (reference §A): `X-Sansan-Api-Key` on
 * every request, the versioned base URL, the `{data, hasMore, nextPageToken}`
 * envelope, and the 10 requests/s per key — paced here (one key's requests
 * leave at most 10 per second from this process) and, when Sansan answers 429
 * anyway, waited out for its `retry_after`. 5xx and lost connections are
 * retried a few times with backoff; a 401 is the key's problem (revoked).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RemoteRejectedError, RemoteUnavailableError } from '../../errors.ts';

export class SansanAuthError extends RemoteRejectedError {}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextPageToken: string | null;
}

export interface SansanTag {
  id: string;
  name: string;
  type: 'private' | 'public' | 'shared';
  owner?: { id: string; name: string | null };
}

export interface SansanUser {
  id: string;
  name: string;
  email: string;
}

/** Per key: the send times of its last requests (sliding one-second window). */
const sent = new Map<string, number[]>();

async function pace(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const now = Date.now();
    const times = (sent.get(key) ?? []).filter((t) => now - t < 1_000);
    if (times.length < perSecond) {
      times.push(now);
      sent.set(key, times);
      return;
    }
    sent.set(key, times);
    await sleep(1_000 - (now - times[0]!) + 2, undefined, { signal });
  }
}

export interface SansanClientOptions {
  apiBaseUrl: string;
  apiKey: string;
  /** Requests per second for this key (Sansan: 10). */
  perSecond?: number;
  signal?: AbortSignal;
}

export class SansanClient {
  readonly #o: Required<Omit<SansanClientOptions, 'signal'>> & { signal?: AbortSignal };
  /** Requests sent and 429s waited out (benchmarks, health). */
  readonly stats = { requests: 0, rateLimited: 0, retries: 0 };

  constructor(o: SansanClientOptions) {
    this.#o = { ...o, perSecond: o.perSecond ?? 10, apiBaseUrl: o.apiBaseUrl.replace(/\/+$/, '') };
  }

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string | number | boolean | string[] | undefined> = {},
    body?: unknown,
  ): Promise<T> {
    const url = new URL(`${this.#o.apiBaseUrl}${path}`);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
    }
    let failures = 0;
    for (;;) {
      await pace(this.#o.apiKey, this.#o.perSecond, this.#o.signal);
      this.stats.requests++;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { 'X-Sansan-Api-Key': this.#o.apiKey, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: this.#o.signal ? AbortSignal.any([this.#o.signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
        });
      } catch (err) {
        this.#o.signal?.throwIfAborted();
        if (++failures > 4) throw new RemoteUnavailableError(`Sansan did not answer ${method} ${path}: ${(err as Error).message}`, err);
        this.stats.retries++;
        await sleep(250 * 2 ** failures, undefined, { signal: this.#o.signal });
        continue;
      }
      const text = await res.text();
      const json = parse(text);
      if (res.ok) return json as T;
      if (res.status === 429) {
        // §A.6: `retry_after` in seconds; wait it out (it does not count as a failure).
        this.stats.rateLimited++;
        const seconds = Number((json as { retry_after?: unknown })?.retry_after ?? res.headers.get('retry-after') ?? 1);
        await sleep(Math.max(100, (Number.isFinite(seconds) ? seconds : 1) * 1_000), undefined, { signal: this.#o.signal });
        continue;
      }
      if (res.status >= 500) {
        if (++failures > 4) throw new RemoteUnavailableError(`Sansan answered ${res.status} to ${method} ${path}`);
        this.stats.retries++;
        await sleep(250 * 2 ** failures, undefined, { signal: this.#o.signal });
        continue;
      }
      const message = (json as { message?: string })?.message ?? `HTTP ${res.status}`;
      if (res.status === 401) throw new SansanAuthError(`Sansan refused the API key: ${message}`, 401, undefined, json);
      throw new RemoteRejectedError(`Sansan refused ${method} ${path} (${res.status}): ${message}`, res.status, undefined, json);
    }
  }

  me(): Promise<SansanUser> {
    return this.request<{ item: SansanUser }>('GET', '/me').then((r) => r.item);
  }

  /** One page of the public and shared tags the key's user sees (`GET /tags`, 100 per page). */
  tags(opts: { nextPageToken?: string; tagName?: string } = {}): Promise<Page<SansanTag>> {
    return this.request<Page<SansanTag>>(
      'GET',
      '/tags',
      opts.nextPageToken ? { nextPageToken: opts.nextPageToken } : { range: 'all', type: ['public', 'shared'], tagName: opts.tagName || undefined, limit: 100 },
    );
  }

  /** The incremental feed: cards updated in the window, oldest first, 300 per page, with tags. */
  cards(window: { from: Date; to: Date }, nextPageToken: string | null): Promise<Page<Record<string, unknown>>> {
    return this.request(
      'GET',
      '/bizCards',
      nextPageToken
        ? { nextPageToken }
        : {
            updatedFrom: window.from.toISOString(),
            updatedTo: window.to.toISOString(),
            range: 'all',
            includeTags: true,
            includePastBizCards: true,
            orderBy: 'updatedAt',
            orderDirection: 'asc',
            limit: 300,
          },
    );
  }

  async card(id: string): Promise<Record<string, unknown> | null> {
    try {
      return (await this.request<{ item: Record<string, unknown> }>('GET', `/bizCards/${encodeURIComponent(id)}`, { includeTags: true })).item;
    } catch (err) {
      if (err instanceof RemoteRejectedError && err.remoteStatus === 404) return null;
      throw err;
    }
  }

  createCard(card: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.request<{ item: Record<string, unknown> }>('POST', '/bizCards', {}, card).then((r) => r.item);
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
