/**
 * T7: live call events per HubSpot user, for the pop-up page and the calling
 * widget. The process that holds the PBX event stream publishes; every
 * subscriber of a user (a server-sent-events connection) receives the user's
 * events. Recent events are kept briefly so a reconnecting page misses nothing.
 * On PostgreSQL several processes serve pages: events travel between them by
 * NOTIFY, so a page receives its user's calls whichever process it talks to.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import { connectClient, reconnectDelay } from '../../db/pg-connections.ts';

export interface LiveMatch {
  objectType: 'contact' | 'company';
  objectId: string;
  label: string | null;
  /** The record's page in HubSpot (or in the sandbox). */
  url: string;
  /** True when Spokes created the contact for this unknown caller (T5). */
  autoCreated: boolean;
}

export interface LiveCallEvent {
  /** Monotonic per process: `Last-Event-ID` resumes from it. */
  seq: number;
  type: 'call' | 'call_failed';
  callId: string;
  /** ringing | answered | held | ended (call), or failed. */
  state: 'ringing' | 'answered' | 'held' | 'ended' | 'failed';
  direction: 'inbound' | 'outbound' | 'internal' | null;
  externalNumber: string | null;
  extension: string;
  ownerId: string;
  /** Who is calling (or being called), when the number matched a record or one was created. */
  match: LiveMatch | null;
  /** A HubSpot search for the number, for callers no record matches. */
  searchUrl: string | null;
  /** call_failed: what went wrong, for a salesperson. */
  message?: string;
  reason?: string;
  at: string;
}

const KEEP = 200;
/**
 * Each owner's recent calls (first and latest event), so that a page loading mid-call picks the call
 * up and a request about a call is checked against whose it is. Ended calls are kept a while (a late
 * engagement report), any call at most CALL_MAX_AGE_MS, and at most MAX_CALLS in all.
 */
const ENDED_KEEP_MS = 30 * 60_000;
const CALL_MAX_AGE_MS = 6 * 3600_000;
const MAX_CALLS = 20_000;

/** One owner's view of a call from its live events. */
export interface OwnerCall {
  /** The first event this process saw: when the call reached the owner. */
  first: LiveCallEvent;
  latest: LiveCallEvent;
}

const CHANNEL = 'spokes_live';

export class LiveBus {
  readonly #emitter = new EventEmitter();
  readonly #recent: LiveCallEvent[] = [];
  /** `${ownerId}\u0000${callId}` → the call, oldest first. */
  readonly #calls = new Map<string, OwnerCall & { seenAt: number }>();
  #seq = 0;
  #relay: ((event: LiveCallEvent) => void) | undefined;

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  publish(event: Omit<LiveCallEvent, 'seq'>): LiveCallEvent {
    // Time-based, so that a page resuming with Last-Event-ID after the stream moved to another process still resumes.
    this.#seq = Math.max(this.#seq + 1, Date.now());
    const full = { ...event, seq: this.#seq };
    this.#deliver(full);
    this.#relay?.(full);
    return full;
  }

  #deliver(full: LiveCallEvent): void {
    this.#seq = Math.max(this.#seq, full.seq);
    this.#recent.push(full);
    if (this.#recent.length > KEEP) this.#recent.shift();
    this.#track(full);
    this.#emitter.emit(`owner:${full.ownerId}`, full);
    this.#emitter.emit('any', full);
  }

  /**
   * PostgreSQL: shares events with the other Spokes processes on the database
   * (LISTEN/NOTIFY on a connection of its own, re-opened when it drops).
   * Returns the function that stops it.
   */
  relayThrough(databaseUrl: string, log: Logger): () => Promise<void> {
    const origin = randomUUID();
    let client: pg.Client | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    let attempt = 0;
    // A dropped connection (a database restart, a failover) is re-opened with backoff; events published meanwhile
    // reach this process's pages only (the others miss them, as a page away longer than the replay buffer does).
    const reconnect = () => {
      if (stopped || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, reconnectDelay(attempt++));
      retry.unref();
    };
    const connect = async () => {
      let c: pg.Client | undefined;
      try {
        c = await connectClient(databaseUrl, 'spokes-live-events', (err) => {
          log.warn({ err: err.message }, 'live call events: database connection lost; reconnecting');
          if (client === c) client = undefined;
          c?.end().catch(() => {});
          reconnect();
        });
        c.on('end', () => {
          if (client === c) client = undefined;
          reconnect();
        });
        c.on('notification', (n) => {
          if (n.channel !== CHANNEL || !n.payload) return;
          try {
            const { from, event } = JSON.parse(n.payload) as { from: string; event: LiveCallEvent };
            if (from !== origin) this.#deliver(event);
          } catch (err) {
            log.warn({ err: (err as Error).message }, 'live call events: unreadable notification');
          }
        });
        await c.query(`listen ${CHANNEL}`);
        if (stopped) return void c.end().catch(() => {});
        client = c;
        attempt = 0;
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'live call events: cannot listen; retrying');
        c?.end().catch(() => {});
        reconnect();
      }
    };
    void connect();
    this.#relay = (event) => {
      const payload = JSON.stringify({ from: origin, event });
      // NOTIFY payloads stop at 8,000 bytes; a live event is a few hundred.
      client
        ?.query('select pg_notify($1, $2)', [CHANNEL, payload])
        .catch((err: Error) => log.warn({ err: err.message }, 'live call events: could not share an event'));
    };
    return async () => {
      stopped = true;
      clearTimeout(retry);
      this.#relay = undefined;
      await client?.end().catch(() => {});
    };
  }

  #track(e: LiveCallEvent): void {
    const key = `${e.ownerId}\u0000${e.callId}`;
    const known = this.#calls.get(key);
    // A stale state (events may arrive reordered) never replaces a later one.
    const rank = (state: string) => (state === 'ringing' ? 0 : state === 'ended' || state === 'failed' ? 2 : 1);
    if (known && rank(e.state) < rank(known.latest.state)) return;
    this.#calls.delete(key);
    this.#calls.set(key, { first: known?.first ?? e, latest: e, seenAt: Date.now() });
    const now = Date.now();
    for (const [k, c] of this.#calls) {
      const over = c.latest.state === 'ended' || c.latest.state === 'failed';
      if (this.#calls.size <= MAX_CALLS && now - c.seenAt < (over ? ENDED_KEEP_MS : CALL_MAX_AGE_MS)) break;
      this.#calls.delete(k);
    }
  }

  /** An owner's call as its live events tell it, if this process saw any. */
  callOf(ownerId: string, callId: string): OwnerCall | undefined {
    const c = this.#calls.get(`${ownerId}\u0000${callId}`);
    return c && { first: c.first, latest: c.latest };
  }

  /** An owner's calls that have not ended (newest last). */
  activeCalls(ownerId: string): OwnerCall[] {
    const out: OwnerCall[] = [];
    for (const c of this.#calls.values()) {
      if (c.latest.ownerId === ownerId && c.latest.state !== 'ended' && c.latest.state !== 'failed') out.push({ first: c.first, latest: c.latest });
    }
    return out;
  }

  /** Events for one user; `after` replays those newer than a seq the subscriber saw. Returns the unsubscribe function. */
  subscribe(ownerId: string, listener: (e: LiveCallEvent) => void, after?: number): () => void {
    if (after !== undefined) for (const e of this.#recent) if (e.ownerId === ownerId && e.seq > after) listener(e);
    this.#emitter.on(`owner:${ownerId}`, listener);
    return () => this.#emitter.off(`owner:${ownerId}`, listener);
  }

  /** Every event (tests, benchmarks). */
  onAny(listener: (e: LiveCallEvent) => void): () => void {
    this.#emitter.on('any', listener);
    return () => this.#emitter.off('any', listener);
  }

  /** The latest event of a call, for `GET /api/telephony/calls/:callId`. */
  latest(callId: string): LiveCallEvent | undefined {
    for (let i = this.#recent.length - 1; i >= 0; i--) if (this.#recent[i]!.callId === callId) return this.#recent[i];
    return undefined;
  }

  subscriberCount(ownerId: string): number {
    return this.#emitter.listenerCount(`owner:${ownerId}`);
  }
}
