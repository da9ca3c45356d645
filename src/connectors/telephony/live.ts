/**
 * T7: live call events per HubSpot user, for the pop-up page and the calling
 * widget. The process that holds the PBX event stream publishes; every
 * subscriber of a user (a server-sent-events connection) receives the user's
 * events. Recent events are kept briefly so a reconnecting page misses nothing.
 */
import { EventEmitter } from 'node:events';

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

export class LiveBus {
  readonly #emitter = new EventEmitter();
  readonly #recent: LiveCallEvent[] = [];
  #seq = 0;

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  publish(event: Omit<LiveCallEvent, 'seq'>): LiveCallEvent {
    const full = { ...event, seq: ++this.#seq };
    this.#recent.push(full);
    if (this.#recent.length > KEEP) this.#recent.shift();
    this.#emitter.emit(`owner:${event.ownerId}`, full);
    this.#emitter.emit('any', full);
    return full;
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
