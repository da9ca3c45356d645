/**
 * Long-lived streams (a PBX event socket, a remote's change feed) run in one
 * process only. On PostgreSQL the process holding a session advisory lock
 * named after the stream is its leader; the others stand by and try again
 * every few seconds. The lock lives on a connection of its own, probed every
 * 5 s: a leader whose lock connection ends or stops answering aborts its
 * stream at once and waits one probe interval before trying to lead again, so
 * a healthy process takes over (generalised from
 * src/connectors/telephony/event-listener.ts). On the embedded database there
 * is one process, always the leader. A stream that returns or throws is
 * restarted after a pause that doubles up to 30 s.
 */
import pg from 'pg';
import type { Logger } from '../logger.ts';

/** First half of the two-key advisory lock (the second is the stream name's hash): "streams". */
const LOCK_NAMESPACE = 7_302_119;
const LEADER_CHECK_MS = 5_000;
const MAX_BACKOFF_MS = 30_000;
/** A run that lasted this long resets the backoff: it was healthy. */
const HEALTHY_RUN_MS = 60_000;

export interface StreamRunnerOptions {
  /** `<connector>:<stream>`: names the lock. */
  name: string;
  /** Set on PostgreSQL: leadership among processes. */
  databaseUrl?: string;
  log: Logger;
  run(signal: AbortSignal): Promise<void>;
  /** Leadership probe interval (tests shorten it). */
  checkMs?: number;
}

export class StreamRunner {
  readonly #opts: StreamRunnerOptions;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #client: pg.Client | undefined;
  #run: AbortController | undefined;
  #wake: (() => void) | undefined;
  /** True while this process holds the stream. */
  leader = false;

  constructor(opts: StreamRunnerOptions) {
    this.#opts = opts;
  }

  get name(): string {
    return this.#opts.name;
  }

  start(): void {
    this.#loop ??= this.#main().catch((err) => this.#opts.log.error({ err: (err as Error).message }, 'stream runner stopped'));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#run?.abort();
    this.#wake?.();
    await this.#loop;
    await this.#client?.end().catch(() => {});
  }

  async #main(): Promise<void> {
    const { log } = this.#opts;
    let backoff = 1_000;
    while (!this.#stopped) {
      if (!this.leader) {
        await this.#becomeLeader();
        continue;
      }
      const controller = new AbortController();
      this.#run = controller;
      const started = Date.now();
      try {
        await this.#opts.run(controller.signal);
      } catch (err) {
        if (!controller.signal.aborted) log.warn({ err: (err as Error).message }, 'stream failed; restarting');
      }
      this.#run = undefined;
      if (this.#stopped) break;
      if (!this.leader) {
        // Leadership lost: give a healthy process the time to take over before trying again.
        await this.#idle((this.#opts.checkMs ?? LEADER_CHECK_MS) + 1_000);
        continue;
      }
      backoff = Date.now() - started > HEALTHY_RUN_MS ? 1_000 : Math.min(MAX_BACKOFF_MS, backoff * 2);
      await this.#idle(backoff);
    }
  }

  async #becomeLeader(): Promise<void> {
    const { databaseUrl, log, name } = this.#opts;
    if (!databaseUrl) {
      this.leader = true;
      return;
    }
    while (!this.#stopped) {
      try {
        if (!this.#client) {
          // Named, so pg_stat_activity says what it is for (and a test can spare it).
          const client = new pg.Client({ connectionString: databaseUrl, application_name: `spokes-stream-lock:${name}`.slice(0, 63) });
          // A lost connection releases the lock; the probe notices.
          client.on('error', () => {});
          await client.connect();
          this.#client = client;
        }
        const { rows } = await this.#client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LOCK_NAMESPACE, name]);
        if (rows[0]?.ok) {
          this.leader = true;
          log.info('this process runs the stream');
          this.#guard(this.#client);
          return;
        }
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not check stream leadership');
        await this.#client?.end().catch(() => {});
        this.#client = undefined;
      }
      await this.#idle(this.#opts.checkMs ?? LEADER_CHECK_MS);
    }
  }

  /** The lock lives as long as its connection: when it ends or stops answering, this process stops leading. */
  #guard(client: pg.Client): void {
    const checkMs = this.#opts.checkMs ?? LEADER_CHECK_MS;
    let lost = false;
    const lose = (why: string) => {
      if (lost || this.#stopped) return;
      lost = true;
      clearInterval(probe);
      this.leader = false;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      this.#opts.log.warn({ why }, 'lost the stream leadership; standing by');
      this.#run?.abort();
    };
    client.on('error', (err) => lose(err.message));
    client.on('end', () => lose('the database connection ended'));
    const probe = setInterval(() => {
      if (this.#stopped) return clearInterval(probe);
      const timer = setTimeout(() => lose('the database did not answer'), checkMs);
      client.query('select 1').then(
        () => clearTimeout(timer),
        (err: Error) => {
          clearTimeout(timer);
          lose(err.message);
        },
      );
    }, checkMs);
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
