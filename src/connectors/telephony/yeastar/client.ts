/**
 * One small typed client for the Yeastar P-Series OpenAPI: `User-Agent` on
 * every request, `?access_token=` auth, the `{errcode, errmsg}` envelope
 * checked, every response validated with zod. A 10004 TOKEN EXPIRED renews the
 * token and retries once (the PBX refused before doing anything, so a retried
 * POST cannot double up). Every request goes through the operator's address
 * policy (SPOKES_PBX_ADDRESSES, checked on connect) and none follows a redirect:
 * a PBX (or whoever answers for it) must not send the Client Secret or a token
 * on to another address.
 */
import type { z } from 'zod';
import { RemoteRejectedError, RemoteUnavailableError } from '../../../errors.ts';
import { redactUrl, type Logger } from '../../../logger.ts';
import { refusalOf, type AddressPolicy } from '../../../net/address-policy.ts';
import { GuardedHttp } from '../../../net/guarded-http.ts';
import { YeastarEnvelopeError, errcodeOf, errorForEnvelope } from './api-errors.ts';
import { yeastarManifest as M } from './manifest.ts';
import { envelopeSchema, listSchema } from './wire.ts';

export type Query = Record<string, string | number | undefined>;

export interface YeastarHttpOptions {
  baseUrl: string;
  log: Logger;
  /** Which addresses the PBX may be at (the operator's SPOKES_PBX_ADDRESSES). */
  addresses: AddressPolicy;
  /** Tests: replaces the transport (the URL's literal address is still checked, a resolved name is not). */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The PBX address the operator's policy refuses, as an admin reads it. */
export function refusedAddressMessage(reason: string): string {
  return `Spokes may not connect to this PBX address: ${reason}. The operator allows other address ranges with SPOKES_PBX_ADDRESSES.`;
}

/** Requests without token handling: the token manager's get/refresh/del calls go straight through here. */
export class YeastarHttp {
  readonly origin: string;
  readonly host: string;
  readonly log: Logger;
  readonly addresses: AddressPolicy;
  readonly #transport: GuardedHttp;
  readonly #fetch?: typeof fetch;
  readonly #timeoutMs: number;

  constructor(opts: YeastarHttpOptions) {
    const url = new URL(opts.baseUrl);
    this.origin = url.origin;
    this.host = url.host;
    this.log = opts.log;
    this.addresses = opts.addresses;
    this.#transport = new GuardedHttp(opts.addresses);
    this.#fetch = opts.fetch;
    this.#timeoutMs = opts.timeoutMs ?? M.requestTimeoutMs;
  }

  /** Closes idle connections to the PBX. */
  close(): void {
    this.#transport.close();
  }

  apiUrl(path: string, query: Query = {}, token?: string): URL {
    const url = new URL(`${M.apiPath}/${path}`, this.origin);
    if (token !== undefined) url.searchParams.set('access_token', token);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /**
   * Any URL on the PBX (recording files), with the User-Agent and our timeout. Network failures are
   * retryable; their low-level reason (refused, timed out, TLS…) goes to the log, not into the message,
   * which must not tell a closed port from a filtered one to whoever chose the address.
   */
  async fetchRaw(url: URL, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const request = {
      ...init,
      headers: { 'User-Agent': M.userAgent, ...init.headers },
      signal: init.signal ?? AbortSignal.timeout(this.#timeoutMs),
    };
    try {
      if (this.#fetch) {
        this.addresses.assertUrl(url);
        return await this.#fetch(url, { ...request, redirect: 'manual' });
      }
      return await this.#transport.fetch(url, request);
    } catch (err) {
      const refused = refusalOf(err);
      if (refused) throw new RemoteUnavailableError(refusedAddressMessage(refused.message), refused);
      this.log.warn({ path: redactUrl(url.pathname), reason: (err as Error).message }, 'yeastar request failed');
      throw new RemoteUnavailableError(`Spokes could not reach a Yeastar PBX at ${this.origin} (${redactUrl(url.pathname)})`, err);
    }
  }

  /** One OpenAPI call. Resolves with the envelope's body when errcode is 0. */
  async request(method: 'GET' | 'POST', path: string, opts: { query?: Query; body?: unknown; token?: string } = {}): Promise<Record<string, unknown>> {
    const url = this.apiUrl(path, opts.query, opts.token);
    const started = Date.now();
    const res = await this.fetchRaw(
      url,
      method === 'POST' ? { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(opts.body ?? {}) } : { method },
    );
    const text = await res.text().catch((err: unknown) => {
      throw new RemoteUnavailableError(`Yeastar PBX ${this.host}: the answer to ${path} broke off`, err);
    });
    this.log.debug({ method, url: redactUrl(url.toString()), status: res.status, ms: Date.now() - started }, 'yeastar request');
    if (!res.ok) {
      // The PBX itself answers 200 to everything; other statuses come from an overloaded PBX or a proxy in front of it.
      if (res.status >= 300 && res.status < 400)
        throw new RemoteRejectedError(
          `Yeastar PBX ${this.host} answered ${path} with a redirect (HTTP ${res.status}), which Spokes does not follow`,
          res.status,
        );
      const message = `Yeastar PBX ${this.host} answered HTTP ${res.status} to ${path}`;
      if (res.status >= 500 || res.status === 429 || res.status === 408) throw new RemoteUnavailableError(message);
      throw new RemoteRejectedError(message, res.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new RemoteUnavailableError(`Yeastar PBX ${this.host} answered ${path} with something that is not JSON`, err);
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) throw new RemoteRejectedError(`Yeastar PBX ${this.host} answered ${path} without the {errcode, errmsg} envelope`);
    const body = json as Record<string, unknown>;
    if (envelope.data.errcode !== 0) throw errorForEnvelope(new YeastarEnvelopeError(path, body), this.host);
    return body;
  }
}

/** Validates a successful body; a shape we do not know is a permanent problem (another firmware), not a retry. */
export function parseBody<S extends z.ZodType>(host: string, path: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new RemoteRejectedError(`Yeastar PBX ${host} answered ${path} in an unexpected shape (${issue.path.join('.') || 'body'}: ${issue.message})`);
}

/** What the client needs from a token manager. */
export interface TokenSource {
  getToken(): Promise<string>;
  invalidate(token: string): void;
}

export class YeastarClient {
  readonly http: YeastarHttp;
  readonly #tokens: TokenSource;

  constructor(http: YeastarHttp, tokens: TokenSource) {
    this.http = http;
    this.#tokens = tokens;
  }

  get log(): Logger {
    return this.http.log;
  }

  /** Runs `fn` with a valid token; on 10004 renews once and runs it again. */
  async withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#tokens.getToken();
    try {
      return await fn(token);
    } catch (err) {
      if (errcodeOf(err) !== M.errcodes.tokenExpired) throw err;
      this.log.info('yeastar access token refused before its time; renewing once');
      this.#tokens.invalidate(token);
      return fn(await this.#tokens.getToken());
    }
  }

  async get<S extends z.ZodType>(path: string, query: Query, schema: S): Promise<z.output<S>> {
    const body = await this.withToken((token) => this.http.request('GET', path, { query, token }));
    return parseBody(this.http.host, path, schema, body);
  }

  async post<S extends z.ZodType>(path: string, payload: unknown, schema: S): Promise<z.output<S>> {
    const body = await this.withToken((token) => this.http.request('POST', path, { body: payload, token }));
    return parseBody(this.http.host, path, schema, body);
  }

  /** Every row of a paged list (`page`, `page_size`, `total_number`, `data`). */
  async *pages<S extends z.ZodType>(path: string, query: Query, row: S, pageSize: number): AsyncGenerator<z.output<S>> {
    const size = Math.min(Math.max(1, pageSize), M.maxPageSize);
    const schema = listSchema(row);
    let seen = 0;
    for (let page = 1; ; page++) {
      const { total_number: total, data } = await this.get(path, { ...query, page, page_size: size }, schema);
      for (const item of data) yield item;
      seen += data.length;
      if (data.length < size || seen >= total) return;
    }
  }
}
