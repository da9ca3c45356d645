/**
 * The Yeastar event stream over WebSocket (pbx-apis.md §1.3a, "Monitor Events
 * via WebSocket"): `ws(s)://…/openapi/v1.0/subscribe?access_token=`, then
 * `{"topic_list":[…]}`, answered `{"errcode":0}`. The PBX drops a socket after
 * 60 s without traffic, so a `heartbeat` goes out every ~50 s; it needs a valid
 * token to open, and closes when that token expires, so the stream moves to
 * each new token as soon as the token manager has one. After any drop it
 * reconnects with exponential backoff and jitter, and every stretch in which
 * it was not subscribed is reported as a gap for the caller to back-fill.
 */
import WebSocket from 'ws';
import { AuthExpiredError, RemoteRejectedError, RemoteUnavailableError, SpokesError } from '../../../errors.ts';
import { redactUrl, type Logger } from '../../../logger.ts';
import { refusalOf, type AddressPolicy } from '../../../net/address-policy.ts';
import type { PbxEvent, PbxEventOptions, PbxEventStream, PbxGapReason } from '../pbx.ts';
import { decodeEventFrame } from './event-frames.ts';
import { yeastarManifest as M } from './manifest.ts';
import type { PbxClock } from './pbx-clock.ts';
import { refusedAddressMessage } from './client.ts';
import type { YeastarTokenManager } from './token-manager.ts';

export interface EventStreamDeps {
  origin: string;
  /** The operator's address policy: the socket connects only to an address it allows. */
  addresses: AddressPolicy;
  tokens: Pick<YeastarTokenManager, 'getToken' | 'invalidate' | 'onRenewed'>;
  clock: () => Promise<PbxClock>;
  log: Logger;
  topics?: readonly number[];
  /** Called once when the stream closes (by the caller, an abort signal, or a fatal error). */
  onClosed?: () => void;
}

interface Live {
  ws: WebSocket;
  token: string;
  /** A newer token exists: move to it. */
  stale: boolean;
  lastFrameAt: number;
  heartbeat?: NodeJS.Timeout;
}

/** The subscription was refused for a token the PBX no longer honours: renew and try again at once. */
class RetryNow extends Error {}

export class YeastarEventStream implements PbxEventStream {
  readonly #deps: EventStreamDeps;
  readonly #heartbeatMs: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #lookbackMs: number;
  readonly #queue: PbxEvent[] = [];
  #waiters: { resolve: (r: IteratorResult<PbxEvent>) => void; reject: (e: unknown) => void }[] = [];
  #current?: Live;
  #clock?: PbxClock;
  #connecting = false;
  #everSubscribed = false;
  #attempt = 0;
  /** Start of the current gap; undefined while subscribed. */
  #downSince?: Date;
  #reason?: PbxGapReason = 'start';
  #closed = false;
  #failure?: unknown;
  #lastError?: string;
  #wake?: () => void;
  #sleepTimer?: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(deps: EventStreamDeps, opts: PbxEventOptions = {}) {
    this.#deps = deps;
    this.#heartbeatMs = opts.heartbeatMs ?? M.websocket.heartbeatMs;
    this.#initialDelayMs = opts.reconnect?.initialDelayMs ?? M.websocket.reconnectInitialDelayMs;
    this.#maxDelayMs = opts.reconnect?.maxDelayMs ?? M.websocket.reconnectMaxDelayMs;
    this.#lookbackMs = opts.backfillLookbackMs ?? M.backfillLookbackMs;
    this.#downSince = opts.since ?? new Date();
    this.#unsubscribe = deps.tokens.onRenewed((token) => this.#onTokenRenewed(token));
    opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
    if (opts.signal?.aborted) void this.close();
    else void this.#connectLoop();
  }

  get connected(): boolean {
    return this.#current !== undefined && !this.#closed;
  }

  get lastError(): string | undefined {
    return this.connected ? undefined : this.#lastError;
  }

  [Symbol.asyncIterator](): AsyncIterator<PbxEvent> {
    return {
      next: () => this.#next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#deps.onClosed?.();
    this.#stopSleeping();
    const live = this.#current;
    this.#current = undefined;
    if (live) this.#shut(live, 'closed by Spokes');
    for (const w of this.#waiters) w.resolve({ done: true, value: undefined });
    this.#waiters = [];
  }

  #next(): Promise<IteratorResult<PbxEvent>> {
    const value = this.#queue.shift();
    if (value) return Promise.resolve({ done: false, value });
    if (this.#failure !== undefined) {
      const err = this.#failure;
      this.#failure = undefined;
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #push(event: PbxEvent): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ done: false, value: event });
    else this.#queue.push(event);
  }

  #gap(reason: PbxGapReason, from: Date, to: Date): void {
    this.#push({
      type: 'gap',
      reason,
      from,
      to,
      backfill: { from: new Date(from.getTime() - this.#lookbackMs), to: new Date(to.getTime() + M.backfillSkewMs) },
    });
  }

  /** Ends the stream with `err`: the queued events are delivered first, then the iteration throws. */
  #fail(err: unknown): void {
    this.#deps.log.error({ err: (err as Error).message }, 'yeastar event stream stopped');
    const waiters = this.#waiters;
    this.#waiters = [];
    void this.close();
    if (waiters.length > 0) for (const w of waiters) w.reject(err);
    else this.#failure = err;
  }

  async #connectLoop(afterDrop = false): Promise<void> {
    if (this.#connecting || this.#closed) return;
    this.#connecting = true;
    try {
      // Even the first attempt after a drop waits a jittered moment: when a PBX restarts, its clients must not all return at once.
      if (afterDrop) await this.#sleep(this.#backoff());
      while (!this.#closed && (!this.#current || this.#current.stale)) {
        try {
          await this.#openOnce();
          this.#attempt = 0;
        } catch (err) {
          if (this.#closed) return;
          const fatal = err instanceof AuthExpiredError || (err instanceof SpokesError && !err.retryable);
          if (fatal) return this.#fail(err);
          const delay = err instanceof RetryNow ? 0 : this.#backoff();
          this.#lastError = (err as Error).message;
          this.#deps.log.warn({ err: (err as Error).message, retryInMs: Math.round(delay) }, 'yeastar event stream not connected');
          await this.#sleep(delay);
        }
      }
    } finally {
      this.#connecting = false;
    }
  }

  #backoff(): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** this.#attempt);
    this.#attempt += 1;
    // "Equal jitter": at least half the delay, so a crowd of clients does not reconnect in lockstep.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
    });
  }

  #stopSleeping(): void {
    clearTimeout(this.#sleepTimer);
    this.#wake?.();
  }

  /** Opens one socket and subscribes; resolves once the PBX confirmed the topics. */
  async #openOnce(): Promise<void> {
    this.#clock = await this.#deps.clock();
    const token = await this.#deps.tokens.getToken();
    if (this.#closed) return;
    const url = new URL(`${M.apiPath}/${M.paths.subscribe}`, this.#deps.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('access_token', token);
    this.#deps.log.debug({ url: redactUrl(url.toString()) }, 'yeastar event stream connecting');
    try {
      this.#deps.addresses.assertUrl(url);
    } catch (err) {
      throw new RemoteUnavailableError(refusedAddressMessage((err as Error).message), err);
    }
    // ws hands `lookup` to net/tls.connect: the socket goes only to an address the policy checked. No redirects followed.
    const ws = new WebSocket(url, {
      headers: { 'User-Agent': M.userAgent },
      handshakeTimeout: M.websocket.handshakeTimeoutMs,
      followRedirects: false,
      lookup: this.#deps.addresses.lookup,
    } as WebSocket.ClientOptions);
    const live: Live = { ws, token, stale: false, lastFrameAt: Date.now() };

    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.off('open', onOpen).off('message', onMessage).off('close', onClose);
        if (err === undefined) return resolve();
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(() => settle(new RemoteUnavailableError('the PBX did not confirm the event subscription')), M.websocket.handshakeTimeoutMs);
      const onOpen = () => ws.send(JSON.stringify({ topic_list: this.#deps.topics ?? M.topics }));
      const onMessage = (data: WebSocket.RawData) => {
        let reply: { errcode?: unknown; errmsg?: unknown };
        try {
          reply = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (reply.errcode === 0) return settle();
        if (reply.errcode === M.errcodes.tokenExpired) {
          // The token died before the manager expected (revoked, expired early): renew and retry at once.
          this.#deps.tokens.invalidate(token);
          return settle(new RetryNow('the PBX refused the access token for the event stream'));
        }
        if (typeof reply.errcode === 'number') {
          return settle(new RemoteRejectedError(`the PBX refused the event subscription: ${reply.errcode} ${String(reply.errmsg ?? '')}`));
        }
      };
      let socketError: Error | undefined;
      const onClose = (code: number) => {
        const refused = refusalOf(socketError);
        settle(
          refused
            ? new RemoteUnavailableError(refusedAddressMessage(refused.message), refused)
            : new RemoteUnavailableError(`the event socket closed (${code}) before the subscription`),
        );
      };
      // An 'error' is always followed by 'close'; the listener stays for the socket's life so that none goes unhandled.
      ws.on('error', (err) => {
        socketError ??= err;
        this.#deps.log.debug({ err: err.message }, 'yeastar event socket error');
      });
      ws.on('open', onOpen).on('message', onMessage).on('close', onClose);
    });
    if (this.#closed) return this.#shut(live, 'closed by Spokes');
    this.#adopt(live);
  }

  /** The new socket is subscribed: it takes over, the previous one (if any) is closed, the gap is reported. */
  #adopt(live: Live): void {
    const previous = this.#current;
    this.#current = live;
    this.#everSubscribed = true;
    live.lastFrameAt = Date.now();
    live.ws.on('message', (data, isBinary) => this.#onFrame(live, data, isBinary));
    live.ws.on('close', (code) => this.#onDrop(live, code));
    live.heartbeat = setInterval(() => this.#beat(live), this.#heartbeatMs);
    if (previous) this.#shut(previous, 'moved to a new access token');
    const to = new Date();
    if (this.#downSince) this.#gap(this.#reason ?? 'reconnect', this.#downSince, to);
    this.#downSince = undefined;
    this.#reason = undefined;
    this.#lastError = undefined;
    this.#deps.log.info({ topics: this.#deps.topics ?? M.topics }, 'yeastar event stream subscribed');
  }

  #beat(live: Live): void {
    // Silence for two heartbeats means a half-open connection: cut it and reconnect.
    if (Date.now() - live.lastFrameAt > 2 * this.#heartbeatMs + 10_000) {
      this.#deps.log.warn('yeastar event stream silent; reconnecting');
      live.ws.terminate();
      return;
    }
    if (live.ws.readyState === WebSocket.OPEN) live.ws.send('heartbeat');
  }

  #shut(live: Live, why: string): void {
    clearInterval(live.heartbeat);
    if (live.ws.readyState === WebSocket.OPEN || live.ws.readyState === WebSocket.CONNECTING) live.ws.close(1000, why);
    setTimeout(() => live.ws.terminate(), 1_000).unref();
  }

  #onDrop(live: Live, code: number): void {
    clearInterval(live.heartbeat);
    if (live !== this.#current || this.#closed) return;
    this.#current = undefined;
    // Events may have been lost since the last frame we saw, not only since the close was noticed.
    this.#downSince ??= new Date(live.lastFrameAt);
    this.#reason ??= 'reconnect';
    this.#lastError = `the PBX closed the event socket (${code})`;
    this.#deps.log.warn({ code }, 'yeastar event stream dropped; reconnecting');
    void this.#connectLoop(true);
  }

  #onTokenRenewed(token: string): void {
    if (this.#closed || !this.#everSubscribed) return;
    const live = this.#current;
    if (live && live.token === token) return;
    // Move to the new token now, while the old one may still work (the PBX closes sockets whose token is gone).
    this.#reason = 'token_refresh';
    if (live) {
      live.stale = true;
      this.#downSince ??= new Date();
    } else {
      // The PBX already closed the old socket (it does when a token is refreshed away): skip the drop's backoff.
      this.#stopSleeping();
    }
    void this.#connectLoop();
  }

  #onFrame(live: Live, data: WebSocket.RawData, isBinary: boolean): void {
    live.lastFrameAt = Date.now();
    if (isBinary) return;
    const text = data.toString();
    if (text.includes('heartbeat') && !text.trimStart().startsWith('{')) return;
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.#deps.log.debug({ frame: text.slice(0, 200) }, 'yeastar non-JSON frame ignored');
      return;
    }
    if (typeof (frame as { errcode?: unknown }).errcode === 'number') {
      const errcode = (frame as { errcode: number }).errcode;
      if (errcode === M.errcodes.tokenExpired) this.#deps.tokens.invalidate(live.token);
      if (errcode !== 0) this.#deps.log.warn({ errcode }, 'yeastar event stream error frame');
      return;
    }
    const now = new Date();
    const decoded = decodeEventFrame(frame, this.#clock!, now, { cleanUnstorable: true });
    if (decoded.kind === 'event') {
      // Not dropped, not silently altered: the call is logged with the text cleaned, and the field is named.
      if (decoded.cleaned)
        this.#deps.log.warn(
          { type: decoded.type, field: decoded.cleaned },
          'yeastar event carried text that cannot be stored (a NUL or a lone surrogate); cleaned it',
        );
      return this.#push(decoded.event);
    }
    if (decoded.kind === 'invalid') {
      // An event we cannot read may be a call record: report a gap so that the caller back-fills it.
      this.#deps.log.warn({ type: decoded.type, problem: decoded.problem }, 'yeastar event unreadable; reporting a gap');
      return this.#gap('invalid_event', now, now);
    }
    this.#deps.log.debug({ type: decoded.type }, 'yeastar event ignored');
  }
}
