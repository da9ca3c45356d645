/**
 * What the job tables hold, read straight from pg-boss's schema: live counts
 * per queue, the jobs that failed for good (dead letters) and which of them a
 * retry request names. `JobQueue` puts them back to work through pg-boss.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/open.ts';
import { ValidationError } from '../errors.ts';

/** pg-boss's schema. */
export const SCHEMA = 'pgboss';
/** Where a copy of every job that failed for good is kept, as the record. */
export const DEAD_LETTER_QUEUE = 'spokes.dead-letters';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface QueueStatus {
  name: string;
  queued: number;
  active: number;
  failed: number;
  total: number;
}

export interface DeadLetter {
  queue: string;
  id: string;
  /** ISO timestamp. */
  failedAt: string | null;
  attempts: number;
  error: string;
  payload: unknown;
}

/** Live counts per queue (pg-boss's own counts are refreshed only by its periodic monitor). */
export function queueStatus(database: Database): Promise<QueueStatus[]> {
  return database.query<QueueStatus>(sql`
    select q.name,
      count(j.id) filter (where j.state in ('created', 'retry'))::int as queued,
      count(j.id) filter (where j.state = 'active')::int as active,
      count(j.id) filter (where j.state = 'failed')::int as failed,
      count(j.id)::int as total
    from ${sql.raw(SCHEMA)}.queue q left join ${sql.raw(SCHEMA)}.job j on j.name = q.name
    where q.name not like '\_\_pgboss%'
    group by q.name order by q.name`);
}

/** The most recent jobs that failed for good, with their last error. */
export async function deadLetters(database: Database, limit: number): Promise<DeadLetter[]> {
  const rows = await database.query<{
    name: string;
    id: string;
    completed_on: Date | string | null;
    retry_count: number;
    output: unknown;
    data: { payload?: unknown } | null;
  }>(sql`
    select name, id, completed_on, retry_count, output, data from ${sql.raw(SCHEMA)}.job
    where state = 'failed' and name <> ${DEAD_LETTER_QUEUE}
    order by completed_on desc nulls last limit ${limit}`);
  return rows.map((r) => ({
    queue: r.name,
    id: r.id,
    failedAt: r.completed_on ? new Date(r.completed_on).toISOString() : null,
    attempts: r.retry_count + 1,
    error: describeOutput(r.output),
    payload: r.data?.payload,
  }));
}

/**
 * The failed jobs a retry request names, by queue: all of them, one queue's (`known` lists the queues
 * there are), or the given ids. A queue nobody knows or an id that is not one is refused, naming it.
 */
export async function failedJobs(
  database: Database,
  opts: { queue?: string; ids?: readonly string[] },
  known: readonly string[],
): Promise<Map<string, string[]>> {
  const { queue, ids } = opts;
  if (queue !== undefined && !known.includes(queue)) {
    const message =
      queue === DEAD_LETTER_QUEUE
        ? `"${DEAD_LETTER_QUEUE}" only keeps copies of dead letters: retry the queue they failed in (${known.join(', ')})`
        : `unknown queue "${queue}"; known queues: ${known.join(', ')}`;
    throw new ValidationError(message, [{ field: 'queue', message }]);
  }
  const bad = ids?.filter((id) => !UUID.test(id)) ?? [];
  if (bad.length) {
    const message = `not a job id: ${bad.join(', ')}`;
    throw new ValidationError(message, [{ field: 'ids', message }]);
  }
  const byQueue = new Map<string, string[]>();
  if (ids && ids.length === 0) return byQueue;
  const rows = await database.query<{ name: string; id: string }>(sql`
    select name, id from ${sql.raw(SCHEMA)}.job
    where state = 'failed' and name <> ${DEAD_LETTER_QUEUE} and name not like '\_\_pgboss%'
    ${queue === undefined ? sql`` : sql`and name = ${queue}`}
    ${
      ids
        ? sql`and id::text in (${sql.join(
            ids.map((id) => sql`${id.toLowerCase()}`),
            sql`, `,
          )})`
        : sql``
    }
    order by name, id`);
  for (const r of rows) byQueue.set(r.name, [...(byQueue.get(r.name) ?? []), r.id]);
  return byQueue;
}

function describeOutput(output: unknown): string {
  if (output && typeof output === 'object' && 'message' in output) return String((output as { message: unknown }).message);
  return output === null || output === undefined ? '' : JSON.stringify(output);
}
