/**
 * A job type is a declared object: its queue name, the zod schema of its
 * payload (checked when it is enqueued), how to derive its idempotency key,
 * its retry policy and its handler. The handler gets a narrow `ctx`, not the
 * whole application.
 */
import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Db } from '../db/open.ts';

export interface RetryPolicy {
  /** Attempts after the first one. */
  limit: number;
  /** First retry delay; doubled on each further attempt (with jitter), up to `maxDelaySeconds`. */
  delaySeconds: number;
  maxDelaySeconds?: number;
}

export interface JobContext {
  jobId: string;
  /** 0 on the first attempt. */
  attempt: number;
  idempotencyKey: string;
  log: Logger;
  /** Aborted when the job's lease expires or the worker shuts down. */
  signal: AbortSignal;
  /**
   * Runs `fn` in one database transaction together with a ledger entry for this
   * job's idempotency key. If the key is already in the ledger (the effect was
   * committed by an earlier attempt, a replay or a duplicate), `fn` is not run.
   */
  once<T>(fn: (tx: Db) => Promise<T>): Promise<{ applied: true; value: T } | { applied: false }>;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** Queue name, `<area>.<verb-noun>` (letters, digits, `.`, `-`, `_`). */
  name: string;
  schema: S;
  /** Same payload meaning ⇒ same key. Enqueueing a key again while its job is retained is a no-op. */
  idempotencyKey(payload: z.output<S>): string;
  retry?: RetryPolicy;
  /** How long a worker may hold the job before another worker may take it over. */
  leaseSeconds?: number;
  /**
   * A running job proves its worker alive this often (seconds, at least 10). A worker that dies
   * (SIGKILL, a lost machine) has its jobs retried after about this long rather than after the
   * whole lease, so the lease can stay long enough for slow but live work.
   */
  heartbeatSeconds?: number;
  /** Jobs fetched per round trip by one worker. */
  batchSize?: number;
  /** Handlers of this type running at once in one process. */
  concurrency?: number;
  /**
   * A condition the job needs (e.g. `hubspot`: a usable HubSpot connection). While it is false,
   * workers do not fetch jobs of this type; they stay queued, not dropped.
   */
  gate?: string;
  run(payload: z.output<S>, ctx: JobContext): Promise<unknown>;
}

/**
 * What enqueueing needs to know of a job type — its name, payload schema and idempotency key — so
 * that code which only enqueues (a route, another module) holds a typed object, never a name:
 * `queue.enqueue(refreshTokenJob, { expiresAt })` is checked by tsc. A `JobDefinition` is one too.
 */
export type JobType<S extends z.ZodType = z.ZodType> = Pick<JobDefinition<S>, 'name' | 'schema' | 'idempotencyKey'>;

/** Declares a job type apart from its handler (the definition spreads it and adds `run`). */
export function defineJobType<S extends z.ZodType>(type: JobType<S>): JobType<S> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(type.name)) throw new Error(`invalid job name "${type.name}"`);
  return type;
}

/** Declares a job type with its payload type inferred from the schema. */
export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(def.name)) throw new Error(`invalid job name "${def.name}"`);
  return def;
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 5, delaySeconds: 2, maxDelaySeconds: 300 };
