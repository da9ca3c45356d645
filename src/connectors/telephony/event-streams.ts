/**
 * T7: live call events as server-sent events, for the pop-up page, the calling
 * widget and the admin API. Every open stream is tracked, so that revoking
 * agent sign-ins ends theirs and a shutting-down server ends them all at once
 * (an open stream would otherwise hold `close()` until the browser went away).
 */
import type { FastifyReply } from 'fastify';
import type { LiveCallEvent } from './live.ts';

/** A comment this often keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

export type EventStreamGroup = 'agent' | 'admin';

export interface EventStreamOptions {
  group: EventStreamGroup;
  /** The salesperson whose stream it is (agent streams): revoking them ends it. */
  owner?: string;
  /** Subscribes `send` to the events; returns the unsubscribe function. */
  subscribe: (send: (e: LiveCallEvent) => void) => () => void;
  /** The stream ends then (the sign-in's expiry). */
  expiresAt?: Date;
  /**
   * An id without data moves the client's Last-Event-ID: a drop before the first
   * event still resumes without a gap. Null when the client resumes with its own.
   */
  startId?: number | null;
}

export class EventStreams {
  readonly #open = new Map<() => void, { group: EventStreamGroup; owner?: string }>();

  /** Takes the reply over and writes events until the client goes away, the stream expires or is ended. */
  open(reply: FastifyReply, opts: EventStreamOptions): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n: connected\n${opts.startId == null ? '' : `id: ${opts.startId}\n`}\n`);
    const unsubscribe = opts.subscribe((e) => res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const end = () => res.end();
    const expiry = opts.expiresAt && setTimeout(end, Math.min(Math.max(opts.expiresAt.getTime() - Date.now(), 0), 2 ** 31 - 1));
    this.#open.set(end, { group: opts.group, owner: opts.owner });
    res.on('close', () => {
      clearInterval(keepAlive);
      clearTimeout(expiry);
      this.#open.delete(end);
      unsubscribe();
    });
  }

  /** Ends the streams of a group (or all); clients reconnect by themselves and sign in again if they must. */
  endAll(group?: EventStreamGroup): void {
    for (const [end, s] of [...this.#open]) if (!group || s.group === group) end();
  }

  /** Ends one salesperson's agent streams (their sign-ins were revoked). */
  endOwner(ownerId: string): void {
    for (const [end, s] of [...this.#open]) if (s.group === 'agent' && s.owner === ownerId) end();
  }

  get size(): number {
    return this.#open.size;
  }
}
