/**
 * pg-boss on the same database as everything else: PGlite through the adapter
 * pg-boss ships (`fromPglite`), PostgreSQL natively. Enqueue validates the
 * payload and derives a deterministic job id from the idempotency key; the
 * worker runs handlers in batches, retries retryable errors with exponential
 * backoff and sends the rest (and retries exhausted) to the dead letters.
 */
import { PgBoss, type Job, type JobResult } from 'pg-boss';
import { fromPglite } from 'pg-boss/dist/adapters/pglite.js';
import type { z } from 'zod';
import type { Database } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { ValidationError, isRetryable, safeErrorMessage, sqlState } from '../errors.ts';
import { DEFAULT_RETRY, type JobContext, type JobDefinition, type JobType } from './job.ts';
import { jobIdFor } from './job-id.ts';
import { jobLedger } from '../db/schema.ts';
import { isConnectionError } from '../db/pg-connections.ts';
import { findUnstorableText } from '../db/storable-text.ts';
import { DEAD_LETTER_QUEUE, type DeadLetter, deadLetters, failedJobs, type QueueStatus, queueStatus, SCHEMA } from './dead-letters.ts';

export { DEAD_LETTER_QUEUE, type DeadLetter, type QueueStatus };

export interface JobQueueOptions {
  database: Database;
  jobs: readonly JobDefinition[];
  log: Logger;
  metrics?: Metrics;
  /** How often expired leases are detected and jobs handed to another worker. */
  superviseSeconds?: number;
  pollSeconds?: number;
  /** Default handler concurrency per job type in this process. */
  concurrency?: number;
  /** Named conditions gated job types wait for (`JobDefinition.gate`), e.g. `hubspot` → the connection is usable. */
  gates?: Record<string, () => Promise<boolean>>;
  gateCheckSeconds?: number;
}

export interface EnqueueResult {
  id: string;
  /** True when the same idempotency key was already queued, running or done (within retention). */
  duplicate: boolean;
}

export class JobQueue {
  /** pg-boss itself: private to src/jobs/ (everything else goes through the methods below). */
  readonly #boss: PgBoss;
  readonly #opts: JobQueueOptions;
  readonly #byName = new Map<string, JobDefinition>();
  readonly #openGates = new Set<string>();
  #gateTimer: NodeJS.Timeout | undefined;
  #working = false;
  #started = false;

  constructor(opts: JobQueueOptions) {
    this.#opts = opts;
    for (const job of opts.jobs) this.#byName.set(job.name, job);
    const common = {
      schema: SCHEMA,
      superviseIntervalSeconds: opts.superviseSeconds ?? 5,
      // pg-boss finds expired leases and lost heartbeats (a killed worker's jobs) in its monitor pass:
      // it runs as often as the supervisor, so that such jobs are retried within seconds, not half a minute.
      monitorIntervalSeconds: opts.superviseSeconds ?? 5,
      // Maintenance deletes completed jobs past their retention; once an hour is plenty.
      maintenanceIntervalSeconds: 3600,
      registerInstance: false,
      openTelemetry: { enabled: false },
    };
    const { database } = opts;
    this.#boss =
      database.engine === 'pglite'
        ? new PgBoss({ ...common, db: fromPglite(database.pglite!), backend: 'pglite', useListenNotify: true })
        : new PgBoss({ ...common, connectionString: database.databaseUrl!, max: 10, useListenNotify: true, application_name: 'spokes' });
    // pg-boss reports what its loops met and carries on: a lost connection is reopened by its pool on the next query
    // (and its LISTEN connection with backoff), so that is a warning; anything else is an error.
    this.#boss.on('error', (err: Error) => {
      if (isConnectionError(err)) opts.log.warn({ err: err.message }, 'job queue lost its database connection; reconnecting');
      else opts.log.error({ err: err.message }, 'job queue error');
    });
  }

  /** Installs or upgrades pg-boss's schema and creates one queue per job type (idempotent). */
  async start(): Promise<void> {
    if (this.#started) return;
    await this.#boss.start();
    this.#started = true;
    const existing = new Set((await this.#boss.getQueues()).map((q) => q.name));
    if (!existing.has(DEAD_LETTER_QUEUE)) {
      // Dead letters stay visible for 90 days; nothing works this queue.
      await this.#boss.createQueue(DEAD_LETTER_QUEUE, { retentionSeconds: 90 * 86_400, deleteAfterSeconds: 90 * 86_400 });
    }
    for (const job of this.#byName.values()) {
      const retry = job.retry ?? DEFAULT_RETRY;
      const options = {
        retryLimit: retry.limit,
        retryDelay: retry.delaySeconds,
        retryBackoff: true,
        ...(retry.maxDelaySeconds === undefined ? {} : { retryDelayMax: retry.maxDelaySeconds }),
        expireInSeconds: job.leaseSeconds ?? 300,
        deadLetter: DEAD_LETTER_QUEUE,
        // Workers wake on NOTIFY (PGlite delivers it in process) instead of polling every queue all the time.
        notify: true,
      };
      // An update clears a heartbeat the job type no longer asks for.
      if (existing.has(job.name)) await this.#boss.updateQueue(job.name, { ...options, heartbeatSeconds: job.heartbeatSeconds ?? null });
      else
        await this.#boss
          .createQueue(job.name, { ...options, ...(job.heartbeatSeconds ? { heartbeatSeconds: job.heartbeatSeconds } : {}) })
          .catch(async (err) => {
            // Another process created it between our read and our create.
            if (!(await this.#boss.getQueue(job.name))) throw err;
          });
    }
  }

  definition(name: string): JobDefinition {
    const job = this.#byName.get(name);
    if (!job) throw new ValidationError(`unknown job type "${name}"`, [{ field: 'name', message: `unknown job type "${name}"` }]);
    return job;
  }

  async enqueue<S extends z.ZodType>(job: JobType<S>, payload: z.input<S>, opts: { startAfterSeconds?: number } = {}): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany(job, [payload], opts);
    return result!;
  }

  /** Validates every payload first (nothing is enqueued if one is bad), then inserts them in one statement. */
  async enqueueMany<S extends z.ZodType>(job: JobType<S>, payloads: z.input<S>[], opts: { startAfterSeconds?: number } = {}): Promise<EnqueueResult[]> {
    this.definition(job.name);
    const rows = payloads.map((payload, i) => {
      const parsed = parsePayload(job, payload, payloads.length > 1 ? `payload.${i}` : 'payload');
      if (parsed instanceof ValidationError) throw parsed;
      const key = job.idempotencyKey(parsed as z.output<S>);
      return { id: jobIdFor(job.name, key), data: { payload: parsed, key }, startAfter: opts.startAfterSeconds };
    });
    // pg-boss refuses a batch that names one id twice: insert each key once.
    const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
    const inserted = new Set(
      (await this.#boss.insert(
        job.name,
        unique.map(({ id, data, startAfter }) => ({ id, data, startAfter })),
        { returnId: true },
      )) ?? [],
    );
    const seen = new Set<string>();
    return rows.map(({ id }) => {
      const duplicate = !inserted.has(id) || seen.has(id);
      seen.add(id);
      return { id, duplicate };
    });
  }

  /**
   * Installs a periodic job: a pg-boss schedule (cron, UTC), one row per `key`, so every process may
   * install it and it still fires once per tick for the installation. The payload is validated now.
   */
  async schedule<S extends z.ZodType>(
    job: Pick<JobDefinition<S>, 'name' | 'schema'>,
    cron: string,
    payload: z.input<S>,
    key: string,
    opts: { tz?: string } = {},
  ): Promise<void> {
    this.definition(job.name);
    const parsed = job.schema.safeParse(payload);
    if (!parsed.success)
      throw new ValidationError(`${job.name}: invalid scheduled payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    await this.#boss.schedule(job.name, cron, { payload: parsed.data, key: `schedule:${key}` }, { key, tz: opts.tz ?? 'UTC' });
  }

  /** The schedules installed for a job type (`spokes status`, tests). */
  async schedules(job: Pick<JobType, 'name'>): Promise<{ key: string; cron: string; data: unknown }[]> {
    return (await this.#boss.getSchedules(job.name)).map((s) => ({ key: s.key, cron: s.cron, data: s.data }));
  }

  /** One job by id (its state, attempts, data), or null. */
  async job(job: Pick<JobType, 'name'>, id: string) {
    return this.#boss.getJobById(job.name, id);
  }

  /** Jobs of a type by id or by their data (`{ payload: { id } }`). */
  async findJobs(job: Pick<JobType, 'name'>, filter: { id?: string; data?: object; limit?: number }) {
    return this.#boss.findJobs(job.name, filter as never);
  }

  /** A job waiting for its retry delay runs now. */
  async runNow(job: Pick<JobType, 'name'>, id: string): Promise<void> {
    await this.#boss.update(job.name, undefined, { id, startAfter: new Date() });
  }

  async deleteJob(job: Pick<JobType, 'name'>, id: string): Promise<void> {
    await this.#boss.deleteJob(job.name, id);
  }

  /** Whether pg-boss answers (the health probe). */
  async ping(): Promise<void> {
    await this.#boss.getQueue(DEAD_LETTER_QUEUE);
  }

  /** Why `enqueue` would refuse this payload (its schema, text that cannot be stored), or undefined: to skip one bad item of a batch. */
  invalidPayload<S extends z.ZodType>(job: JobType<S>, payload: z.input<S>): ValidationError | undefined {
    const parsed = parsePayload(job, payload, 'payload');
    return parsed instanceof ValidationError ? parsed : undefined;
  }

  /** Starts handlers for every job type in this process; gated types start when their gate opens. */
  async work(): Promise<void> {
    this.#working = true;
    for (const job of this.#byName.values()) {
      // A gate this queue was given no check for is always open.
      if (!job.gate || !this.#opts.gates?.[job.gate]) await this.#startWorking(job);
    }
    await this.#checkGates();
    this.#gateTimer = setInterval(
      () => void this.#checkGates().catch((err) => this.#opts.log.warn({ err: (err as Error).message }, 'could not check job gates')),
      (this.#opts.gateCheckSeconds ?? 5) * 1000,
    );
    this.#gateTimer.unref();
  }

  async #startWorking(job: JobDefinition): Promise<void> {
    await this.#boss.work(
      job.name,
      {
        batchSize: job.batchSize ?? 20,
        pollingIntervalSeconds: this.#opts.pollSeconds ?? 0.5,
        // NOTIFY wakes workers for new jobs, not for retries coming due: poll for those often enough.
        notifyPollingIntervalSeconds: 2,
        burstWhenBatchFull: true,
        // PGlite runs one statement at a time: more fetch loops only queue up behind each other.
        localConcurrency: this.#opts.database.engine === 'pglite' ? 1 : (job.concurrency ?? this.#opts.concurrency ?? 1),
        perJobResults: true,
      },
      (batch: Job<StoredJob>[]) => this.#runBatch(job, batch),
    );
  }

  /**
   * A closed gate (e.g. HubSpot needs re-authorization) stops fetching its job types: their jobs
   * stay queued — paused, not dropped — and run once the gate opens again.
   */
  async #checkGates(): Promise<void> {
    if (!this.#working) return;
    const gates = this.#opts.gates ?? {};
    for (const [gate, isOpen] of Object.entries(gates)) {
      const open = await isOpen();
      const jobs = [...this.#byName.values()].filter((j) => j.gate === gate);
      if (open && !this.#openGates.has(gate)) {
        this.#openGates.add(gate);
        for (const job of jobs) await this.#startWorking(job);
        this.#opts.log.info({ gate, jobs: jobs.map((j) => j.name) }, 'job gate open: working its jobs');
      } else if (!open && this.#openGates.has(gate)) {
        this.#openGates.delete(gate);
        for (const job of jobs) await this.#boss.offWork(job.name, { wait: false });
        this.#opts.log.warn({ gate, jobs: jobs.map((j) => j.name) }, 'job gate closed: its jobs wait until it opens');
      }
    }
  }

  /** Re-reads the gates now (e.g. right after a reconnect) instead of at the next periodic check. */
  refreshGates(): Promise<void> {
    return this.#checkGates();
  }

  async #runBatch(job: JobDefinition, batch: Job<StoredJob>[]): Promise<JobResult[]> {
    return Promise.all(
      batch.map(async (j): Promise<JobResult> => {
        const started = performance.now();
        const log = this.#opts.log.child({ job: job.name, jobId: j.id, attempt: j.retryCount });
        let outcome = 'completed';
        try {
          const result = await job.run(j.data.payload, this.#context(job, j, log));
          if (isDuplicate(result)) outcome = 'duplicate';
          return { id: j.id, status: 'completed', output: result && typeof result === 'object' ? result : undefined };
        } catch (err) {
          const retryable = isRetryable(err);
          outcome = retryable ? 'retried' : 'failed';
          const error = errorOutput(err);
          log[retryable ? 'warn' : 'error']({ err: error.message, code: error.code }, retryable ? 'job failed, will retry' : 'job failed permanently');
          // A non-retryable error skips the remaining attempts and goes straight to the dead letters.
          return { id: j.id, status: retryable ? 'failed' : 'deadletter', output: error };
        } finally {
          const seconds = (performance.now() - started) / 1000;
          this.#opts.metrics?.jobs.inc({ job: job.name, outcome });
          this.#opts.metrics?.jobDuration.observe({ job: job.name, outcome }, seconds);
        }
      }),
    );
  }

  #context(job: JobDefinition, j: Job<StoredJob>, log: Logger): JobContext {
    const { db } = this.#opts.database;
    return {
      jobId: j.id,
      attempt: j.retryCount,
      idempotencyKey: j.data.key,
      log,
      signal: j.signal,
      async once(fn) {
        return db.transaction(async (tx) => {
          const claimed = await tx
            .insert(jobLedger)
            .values({ idempotencyKey: `${job.name}:${j.data.key}`, jobName: job.name, jobId: j.id })
            .onConflictDoNothing()
            .returning({ key: jobLedger.idempotencyKey });
          if (claimed.length === 0) return { applied: false as const };
          return { applied: true as const, value: await fn(tx as never) };
        });
      },
    };
  }

  /** Live counts per queue (pg-boss's own counts are refreshed only by its periodic monitor). */
  status(): Promise<QueueStatus[]> {
    return queueStatus(this.#opts.database);
  }

  /** The most recent jobs that failed for good, with their last error. */
  deadLetters(limit = 20): Promise<DeadLetter[]> {
    return deadLetters(this.#opts.database, limit);
  }

  /** The queues jobs can be retried in: every queue in the database but the dead-letter copies (and pg-boss's own). */
  async retryableQueues(): Promise<string[]> {
    return (await this.status()).map((q) => q.name).filter((name) => name !== DEAD_LETTER_QUEUE);
  }

  /**
   * Puts jobs that failed for good back to work (pg-boss's `retry`: state `retry`, one more attempt
   * allowed, due now), keeping their id, payload and idempotency key: all of them, one queue's, or
   * the given ids. The copies in the dead-letter queue are kept as the record. Returns how many
   * jobs were put back; an id that is not a failed job is skipped.
   */
  async retryFailed(opts: { queue?: string; ids?: readonly string[] } = {}): Promise<number> {
    const byQueue = await failedJobs(this.#opts.database, opts, await this.retryableQueues());
    let retried = 0;
    for (const [name, queueIds] of byQueue) {
      for (let i = 0; i < queueIds.length; i += 1000) {
        // pg-boss types the answer as an empty interface; at run time it is { jobs, requested, affected }.
        const result = (await this.#boss.retry(name, queueIds.slice(i, i + 1000))) as { affected?: number };
        retried += result.affected ?? 0;
      }
    }
    if (retried) this.#opts.log.info({ queue: opts.queue, ids: opts.ids?.length, retried }, 'dead letters put back to work');
    return retried;
  }

  /** Stops fetching, waits (bounded) for handlers in flight, then releases the queue. */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#working = false;
    clearInterval(this.#gateTimer);
    await this.#boss.stop({ graceful: true, timeout: opts.timeoutMs ?? 30_000, close: true });
  }
}

interface StoredJob {
  payload: unknown;
  key: string;
}

/** The payload as its schema outputs it, or why it is refused (fields named under `root`). */
function parsePayload(job: Pick<JobDefinition, 'name' | 'schema'>, payload: unknown, root: string): unknown {
  const parsed = job.schema.safeParse(payload);
  const details = parsed.success
    ? [findUnstorableText(parsed.data, root)].filter((d) => d !== undefined)
    : parsed.error.issues.map((issue) => ({ field: [root, ...issue.path.map(String)].join('.'), message: issue.message }));
  // jsonb refuses a NUL or a lone surrogate: refused here, by field, rather than as a database error at the insert.
  if (details.length) return new ValidationError(`${job.name}: invalid payload: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  return parsed.data;
}

function isDuplicate(result: unknown): boolean {
  return !!result && typeof result === 'object' && (result as { applied?: boolean }).applied === false;
}

/** What a failed job keeps as its output (shown by `spokes status`) and logs: never a failed query's parameters. */
function errorOutput(err: unknown): { message: string; code?: string } {
  const code = sqlState(err) ?? (err instanceof Error ? (err as { code?: unknown }).code : undefined);
  return { message: safeErrorMessage(err), ...(typeof code === 'string' ? { code } : {}) };
}
