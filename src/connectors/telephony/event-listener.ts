/**
 * The PBX event stream (T8, T7), run by the platform as the connector's stream
 * `pbx-events`: one process holds it (the runtime's leader election,
 * src/platform/streams.ts), and `run(signal)` lasts until the signal aborts —
 * shutdown, or leadership lost. The stream starts from the last checkpoint, so
 * the gap of a restart or an outage is back-filled. Connect, disconnect,
 * enable and disable reopen (or close) it through `restart()`.
 *
 * No PBX event is logged and passed over: the checkpoint never passes an event
 * that was not handed over. A call record (or a gap) whose hand-over fails —
 * its job cannot be enqueued, whatever the reason — holds the checkpoint
 * before it, the stream is closed and reopened from there, and the reopened
 * stream's first gap back-fills every call since from the PBX's records (the
 * log-call job is idempotent: a call is logged once). Only a record that the
 * PBX itself got wrong (refused for good again by the back-fill) is not
 * logged: the back-fill counts it, and it shows in the log with its id.
 */
import type { Logger } from '../../logger.ts';
import type { PbxStore } from './pbx-store.ts';
import type { PbxRegistry } from './pbx-registry.ts';
import type { EventRouter } from './router.ts';
import type { PbxEvent, PbxEventStream } from './pbx.ts';

/** How often the stream's state is looked at (written only when it changes). */
const STATE_MS = 1_000;
/** How often the checkpoint (events seen until now) is written while subscribed. */
const CHECKPOINT_MS = 5_000;

export interface ListenerDeps {
  log: Logger;
  store: PbxStore;
  registry: PbxRegistry;
  router: EventRouter;
}

export class EventListener {
  readonly #deps: ListenerDeps;
  #stream: PbxEventStream | undefined;
  #wake: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  /** When the first event that could not be handed over arrived: the checkpoint stays before it until a back-fill covers it. */
  #heldSince: Date | undefined;
  /** Failed attempts to hand over the held stretch in a row (reopening backs off). */
  #holdAttempts = 0;
  /** When the event being handled arrived: the checkpoint written meanwhile does not pass it (nor the events queued behind it). */
  #handlingSince: Date | undefined;

  constructor(deps: ListenerDeps) {
    this.#deps = deps;
  }

  /** True while this process holds the stream (the platform runs it in the leader only). */
  get leader(): boolean {
    return !!this.#signal && !this.#signal.aborted;
  }

  /** The connection or the switch changed: reopen (or close) the stream now. */
  async restart(): Promise<void> {
    this.#deps.router.invalidate();
    this.#deps.store.invalidate();
    const stream = this.#stream;
    this.#stream = undefined;
    await stream?.close();
    this.#wake?.();
  }

  /** The platform stream: holds the PBX event stream until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { log, store, registry } = this.#deps;
    this.#signal = signal;
    const onAbort = () => void this.restart();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const connection = await store.get().catch(() => null);
        if (!connection?.enabled) {
          await this.#idle(2_000);
          continue;
        }
        if (this.#heldSince && this.#holdAttempts > 0) {
          // The last hand-over failed: do not spin on a flapping database.
          await this.#idle(Math.min(30_000, 1_000 * 2 ** Math.min(this.#holdAttempts - 1, 5)));
          if (signal.aborted) break;
        }
        let checkpoint: NodeJS.Timeout | undefined;
        try {
          const adapter = await registry.adapter();
          const stream = adapter.events({ since: earliest(connection.eventsSeenUntil ?? connection.loggingSince ?? new Date(), this.#heldSince) });
          this.#stream = stream;
          await store.update({ streamState: 'connecting', lastError: null });
          checkpoint = this.#watch(stream);
          for await (const event of stream) {
            // An event already taken from the stream is handled even if the stream was just replaced or
            // closed (the router ignores it while disabled; jobs are idempotent), so none is dropped.
            const handedOver = await this.#handle(event);
            if (this.#stream !== stream || !handedOver) break;
          }
        } catch (err) {
          if (signal.aborted) break;
          const message = (err as Error).message;
          log.warn({ err: message }, 'PBX event stream failed; retrying');
          await store.update({ streamState: 'error', lastError: message }).catch(() => {});
          await this.#idle(10_000);
        } finally {
          clearInterval(checkpoint);
        }
        if (this.#stream) {
          await this.#stream.close().catch(() => {});
          this.#stream = undefined;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await this.#deps.router.idle();
      await store.update({ streamState: 'disconnected' }).catch(() => {});
    }
  }

  /**
   * Hands one event to the router. False when it could not be handed over for a reason that will pass
   * (the database is unreachable): the checkpoint is held before it and the caller stops reading, to
   * reopen the stream from there once the database answers. An event refused for good (invalid) is
   * logged and passed over; a live pop-up event is only logged (a later back-fill cannot bring it back).
   */
  async #handle(event: PbxEvent): Promise<boolean> {
    const { log, router } = this.#deps;
    const at = event.type === 'gap' ? event.from : event.receivedAt;
    this.#handlingSince = at;
    try {
      await router.handle(event);
      if (event.type === 'gap' && this.#heldSince && event.from <= this.#heldSince) {
        log.info({ heldSince: this.#heldSince.toISOString() }, 'PBX events that could not be handed over are being back-filled');
        this.#heldSince = undefined;
        this.#holdAttempts = 0;
      }
      return true;
    } catch (err) {
      const message = (err as Error).message;
      if (event.type !== 'cdr' && event.type !== 'gap') {
        // A live event (ringing, answered) is for a pop-up now: a back-fill cannot bring it back, and the
        // call's record, which is what gets logged, comes as its own event.
        log.warn({ err: message, type: event.type }, 'could not handle a live PBX event');
        return true;
      }
      this.#heldSince = earliest(at, this.#heldSince);
      this.#holdAttempts++;
      log.error(
        { err: message, type: event.type, heldSince: this.#heldSince.toISOString() },
        'could not hand a PBX call record over; holding the checkpoint, the calls since will be back-filled',
      );
      return false;
    } finally {
      this.#handlingSince = undefined;
    }
  }

  /**
   * Writes the stream's state when it changes (connected, or reconnecting with
   * the reason) and, while subscribed, the checkpoint the next start resumes from.
   */
  #watch(stream: PbxEventStream): NodeJS.Timeout {
    const { store } = this.#deps;
    let written = 'connecting';
    let writtenError: string | null = null;
    let checkpointAt = 0;
    return setInterval(() => {
      if (this.#stream !== stream) return;
      const now = Date.now();
      if (stream.connected) {
        if (written === 'connected' && now - checkpointAt < CHECKPOINT_MS) return;
        written = 'connected';
        writtenError = null;
        checkpointAt = now;
        // Not past an event still being handled, nor past one that could not be handed over.
        const seenUntil = earliest(earliest(new Date(now), this.#handlingSince), this.#heldSince);
        void store.update({ eventsSeenUntil: seenUntil, streamState: 'connected', lastError: null }).catch(() => {});
        return;
      }
      const error = stream.lastError ?? null;
      // Before the first subscription the state stays 'connecting' unless an attempt failed.
      const state = written === 'connecting' && !error ? 'connecting' : 'reconnecting';
      if (state === written && error === writtenError) return;
      written = state;
      writtenError = error;
      void store.update({ streamState: state, lastError: error }).catch(() => {});
    }, STATE_MS);
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

function earliest(a: Date, b: Date | undefined): Date {
  return b && b < a ? b : a;
}
