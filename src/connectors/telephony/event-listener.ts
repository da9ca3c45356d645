/**
 * Holds the PBX event stream open in one process (T8, T7): on PostgreSQL the
 * process that takes an advisory lock is the leader and the others stand by;
 * on the embedded database there is only one process. The stream starts from
 * the last checkpoint, so the gap of a restart or an outage is back-filled.
 * Connect, disconnect, enable and disable restart or stop it.
 */
import pg from 'pg';
import type { Logger } from '../../logger.ts';
import type { PbxStore } from './pbx-store.ts';
import type { PbxRegistry } from './pbx-registry.ts';
import type { EventRouter } from './router.ts';
import type { PbxEventStream } from './pbx.ts';

const LEADER_LOCK_ID = 7_302_117_013;
const CHECKPOINT_MS = 5_000;

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
    const { log, store, registry, router } = this.#deps;
    await this.#becomeLeader();
    while (!this.#stopped) {
      const connection = await store.get().catch(() => null);
      if (!connection?.enabled) {
        await this.#idle(2_000);
        continue;
      }
      let checkpoint: NodeJS.Timeout | undefined;
      try {
        const adapter = await registry.adapter();
        const stream = adapter.events({ since: connection.eventsSeenUntil ?? connection.loggingSince ?? new Date() });
        this.#stream = stream;
        await store.update({ streamState: 'connecting', lastError: null });
        checkpoint = setInterval(() => {
          if (stream.connected) void store.update({ eventsSeenUntil: new Date(), streamState: 'connected' }).catch(() => {});
        }, CHECKPOINT_MS);
        for await (const event of stream) {
          if (this.#stream !== stream) break;
          await router.handle(event).catch((err) => log.error({ err: (err as Error).message, type: event.type }, 'could not handle a PBX event'));
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

  async #becomeLeader(): Promise<void> {
    if (!this.#deps.databaseUrl) {
      this.leader = true;
      return;
    }
    while (!this.#stopped) {
      try {
        this.#leaderClient ??= await connectClient(this.#deps.databaseUrl);
        const { rows } = await this.#leaderClient.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [LEADER_LOCK_ID]);
        if (rows[0]?.ok) {
          this.leader = true;
          this.#deps.log.info('this process holds the PBX event stream');
          return;
        }
      } catch (err) {
        this.#deps.log.warn({ err: (err as Error).message }, 'could not check PBX stream leadership');
        await this.#leaderClient?.end().catch(() => {});
        this.#leaderClient = undefined;
      }
      await this.#idle(5_000);
    }
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); resolve(); }
      this.#wake = done;
    });
  }
}

async function connectClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // A lost connection releases the lock; the next check notices and tries to lead again.
  client.on('error', () => {});
  await client.connect();
  return client;
}

