/**
 * Built-in job types that prove the job system works end to end: the scale-out
 * test and the job benchmarks enqueue them against real workers.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineJob } from './job.ts';
import { jobReceipts } from '../db/schema.ts';

const workerName = `${hostname()}:${process.pid}`;

/** Does nothing: measures the queue's own overhead. */
export const noopJob = defineJob({
  name: 'diagnostics.noop',
  schema: z.object({ key: z.string().min(1) }),
  idempotencyKey: (p) => p.key,
  retry: { limit: 2, delaySeconds: 1 },
  batchSize: 200,
  async run() {
    return undefined;
  },
});

/**
 * Writes one receipt row (unique on its key) exactly once, even when the job is
 * retried after its worker died: the receipt and the ledger entry commit together.
 */
export const receiptJob = defineJob({
  name: 'diagnostics.receipt',
  schema: z.object({
    key: z.string().min(1),
    /** Simulated work before the receipt is written, so a test can kill a worker mid-job. */
    workMs: z.number().int().min(0).max(60_000).default(0),
  }),
  idempotencyKey: (p) => p.key,
  retry: { limit: 5, delaySeconds: 1, maxDelaySeconds: 10 },
  // Short lease: when a worker dies its jobs are taken over within seconds.
  leaseSeconds: 5,
  batchSize: 50,
  async run(payload, ctx) {
    if (payload.workMs) await sleep(payload.workMs, undefined, { signal: ctx.signal });
    const { applied } = await ctx.once(async (tx) => {
      await tx.insert(jobReceipts).values({ idempotencyKey: payload.key, worker: workerName, jobId: ctx.jobId });
    });
    // Stored as the job's output: which worker finished it, and whether the effect was new.
    return { applied, worker: workerName };
  },
});

export const diagnosticsJobs = [noopJob, receiptJob];
