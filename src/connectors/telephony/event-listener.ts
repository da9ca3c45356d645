/**
 * Holds the PBX event stream open in one process (T8, T7): on PostgreSQL the
 * process that takes an advisory lock is the leader and the others stand by;
 * on the embedded database there is only one process. The stream starts from
 * the last checkpoint, so the gap of a restart or an outage is back-filled.
 * Connect, disconnect, enable and disable restart or stop it.
 *
 * The checkpoint never passes an event that was not handed over: an event
 * whose job cannot be enqueued (the database is unreachable) holds it, the
 * stream stops, and once the database answers it is reopened from there, so
 * its first gap back-fills every call of the outage from the PBX.
 */
import type pg from 'pg';
import { connectClient } from '../../db/pg-connections.ts';
import type { Logger } from '../../logger.ts';
import type { PbxStore } from './pbx-store.ts';
import type { PbxRegistry } from './pbx-registry.ts';
import type { EventRouter } from './router.ts';
import type { PbxEvent, PbxEventStream } from './pbx.ts';
import { isRetryable } from '../../errors.ts';

const LEADER_LOCK_ID = 7_302_117_013;
/** How often the stream's state is looked at (written only when it changes). */
const STATE_MS = 1_000;
/** How often the checkpoint (events seen until now) is written while subscribed. */
const CHECKPOINT_MS = 5_000;
/** How often the leader checks that its lock's connection is alive. */
const LEADER_CHECK_MS = 5_000;

export interface ListenerDeps {
  log: Logger;
  store: PbxStore;
  registry: PbxRegistry;
  router: EventRouter;
  /** Set on PostgreSQL: leadership among processes. */
  databaseUrl?: string;
}

export class EventListener {
  readonly #deps: ListenerDeps;
  #stopped = false;
  #stream: PbxEventStream | undefined;
  #wake: (() => void) | undefined;
  #leaderClient: pg.Client | undefined;
  #loop: Promise<void> | undefined;
  /** When the first event that could not be handed over arrived: the checkpoint stays before it until a back-fill covers it. */
  #heldSince: Date | undefined;
  /** Failed attempts to hand over the held stretch in a row (reopening backs off). */
  #holdAttempts = 0;
  /** When the event being handled arrived: the checkpoint written meanwhile does not pass it (nor the events queued behind it). */
  #handlingSince: Date | undefined;
  /** True while this process holds the stream (tests, /healthz of the connector). */
  leader = false;

  constructor(deps: ListenerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#loop ??= this.#run().catch((err) => this.#deps.log.error({ err: (err as Error).message }, 'PBX event listener stopped'));
  }

  /** The connection or the switch changed: reopen (or close) the stream now. */
  async restart(): Promise<void> {
    this.#deps.router.invalidate();
    const stream = this.#stream;
    this.#stream = undefined;
    await stream?.close();
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.restart();
    await this.#loop;
    await this.#deps.router.idle();
    await this.#leaderClient?.end().catch(() => {});
  }

  async #run(): Promise<void> {
    const { log, store, registry } = this.#deps;
    await this.#becomeLeader();
    while (!this.#stopped) {
      if (!this.leader) {
        // The lock's connection was lost. Give a healthy process the time to take the stream over
        // (they check every LEADER_CHECK_MS), then stand by until the lock is free again.
        const until = Date.now() + LEADER_CHECK_MS + 1_000;
        while (!this.#stopped && Date.now() < until) await this.#idle(until - Date.now());
        await this.#becomeLeader();
        continue;
      }
      const connection = await store.get().catch(() => null);
      if (!connection?.enabled) {
        await this.#idle(2_000);
        continue;
      }
      if (this.#heldSince && this.#holdAttempts > 0) {
        // The database answered again but the last hand-over failed: do not spin on a flapping database.
        await this.#idle(Math.min(30_000, 1_000 * 2 ** Math.min(this.#holdAttempts - 1, 5)));
        if (this.#stopped || !this.leader) continue;
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
        if (this.#stopped) break;
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
    await store.update({ streamState: 'disconnected' }).catch(() => {});
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
        log.info({ heldSince: this.#heldSince.toISOString() }, 'PBX events held while the database was unreachable are being back-filled');
        this.#heldSince = undefined;
        this.#holdAttempts = 0;
      }
      return true;
    } catch (err) {
      const message = (err as Error).message;
      if (!isRetryable(err)) {
        log.error({ err: message, type: event.type }, 'a PBX event was refused and is not logged');
        return true;
      }
      if (event.type !== 'cdr' && event.type !== 'gap') {
        log.warn({ err: message, type: event.type }, 'could not handle a live PBX event');
        return true;
      }
      this.#heldSince = earliest(at, this.#heldSince);
      this.#holdAttempts++;
      log.error(
        { err: message, type: event.type, heldSince: this.#heldSince.toISOString() },
        'could not hand a PBX call record over (is the database reachable?); holding the checkpoint, the calls since will be back-filled',
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

  async #becomeLeader(): Promise<void> {
    if (!this.#deps.databaseUrl) {
      this.leader = true;
      return;
    }
    while (!this.#stopped) {
      try {
        // A lost connection releases the lock; the guard below notices and this process tries to lead again.
        this.#leaderClient ??= await connectClient(this.#deps.databaseUrl, 'spokes-pbx-stream-lock', () => {});
        const { rows } = await this.#leaderClient.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [LEADER_LOCK_ID]);
        if (rows[0]?.ok) {
          this.leader = true;
          this.#deps.log.info('this process holds the PBX event stream');
          this.#guardLeadership(this.#leaderClient);
          return;
        }
      } catch (err) {
        this.#deps.log.warn({ err: (err as Error).message }, 'could not check PBX stream leadership');
        await this.#leaderClient?.end().catch(() => {});
        this.#leaderClient = undefined;
      }
      await this.#idle(LEADER_CHECK_MS);
    }
  }

  /**
   * The advisory lock lives as long as its connection. When that connection
   * ends or stops answering, this process is no longer the leader: it closes
   * its stream at once (another process may take over), then tries to lead again.
   */
  #guardLeadership(client: pg.Client): void {
    let lost = false;
    const lose = (why: string) => {
      if (lost || this.#stopped) return;
      lost = true;
      clearInterval(probe);
      this.leader = false;
      if (this.#leaderClient === client) this.#leaderClient = undefined;
      client.end().catch(() => {});
      this.#deps.log.warn({ why }, 'lost the PBX event stream leadership; standing by');
      void this.restart();
    };
    client.on('error', (err) => lose(err.message));
    client.on('end', () => lose('the database connection ended'));
    const probe = setInterval(() => {
      if (this.#stopped) return clearInterval(probe);
      const timer = setTimeout(() => lose('the database did not answer'), LEADER_CHECK_MS);
      client.query('select 1').then(
        () => clearTimeout(timer),
        (err: Error) => {
          clearTimeout(timer);
          lose(err.message);
        },
      );
    }, LEADER_CHECK_MS);
    probe.unref();
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
