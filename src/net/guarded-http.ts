/**
 * HTTP requests to a system an admin names by address, under an address policy
 * (address-policy.ts), with a `fetch`-shaped interface: the connection is made
 * only to addresses the policy checked at connect time, and redirects are never
 * followed (a 3xx comes back as it is). Node's `fetch` can do neither without
 * undici's Agent, which is not a dependency; `http.request` takes the policy's
 * `lookup` directly. One keep-alive agent per transport: a pooled connection
 * was checked when it was opened.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { AddressPolicy } from './address-policy.ts';

export interface GuardedRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Statuses whose response may carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export class GuardedHttp {
  readonly policy: AddressPolicy;
  readonly #agents: { http: http.Agent; https: https.Agent };

  constructor(policy: AddressPolicy) {
    this.policy = policy;
    // Idle connections close after 30 s: a PBX is asked a few times a minute at most between bursts.
    this.#agents = { http: new http.Agent({ keepAlive: true, timeout: 30_000 }), https: new https.Agent({ keepAlive: true, timeout: 30_000 }) };
  }

  /** One request; rejects with the socket's error (an AddressRefusedError among them) when it cannot be sent. */
  fetch(url: URL, init: GuardedRequestInit = {}): Promise<Response> {
    this.policy.assertUrl(url);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        {
          method: init.method ?? 'GET',
          headers: { ...init.headers, ...(init.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(init.body)) } : {}) },
          agent: secure ? this.#agents.https : this.#agents.http,
          lookup: this.policy.lookup,
          signal: init.signal,
        },
        (res) => {
          const headers = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          const status = res.statusCode ?? 502;
          const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          if (!body) res.resume();
          try {
            resolve(new Response(body, { status, statusText: res.statusMessage, headers }));
          } catch (err) {
            res.destroy();
            reject(err);
          }
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
  }

  /** Closes idle pooled connections. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
