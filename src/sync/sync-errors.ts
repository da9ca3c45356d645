/**
 * Sync errors (X3, S8): a record — or a whole run — that could not be synced,
 * with a category, the reason in words an admin can act on, and what "Retry"
 * does (a job and its payload). The same failure again bumps the open row
 * instead of adding one; a later success resolves it.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../db/open.ts';
import { syncErrors } from './schema.ts';

export const SYNC_ERROR_CATEGORIES = ['validation', 'rejected', 'auth', 'limit', 'conflict', 'internal'] as const;
export type SyncErrorCategory = (typeof SYNC_ERROR_CATEGORIES)[number];

export interface SyncError {
  id: number;
  connectionId: string;
  category: string;
  objectType: string | null;
  recordId: string | null;
  reason: string;
  retry: { job: string; payload: unknown } | null;
  occurrences: number;
  firstOccurredAt: Date;
  occurredAt: Date;
  resolvedAt: Date | null;
}

export interface NewSyncError<P extends z.ZodType = z.ZodType> {
  connectionId: string;
  category: SyncErrorCategory;
  /** The record it is about; leave out for a run-level error. */
  objectType?: string;
  recordId?: string;
  reason: string;
  /** What "Retry" enqueues: a job object of the connector and its payload. */
  retry?: { job: { name: string; schema: P }; payload: z.input<P> };
}

export class SyncErrors {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records (or bumps) the open error of this record and category; returns its id. */
  async record(e: NewSyncError, db: Db = this.#db): Promise<number> {
    const now = new Date();
    const retry = e.retry ? { retryJob: e.retry.job.name, retryPayload: e.retry.job.schema.parse(e.retry.payload) } : { retryJob: null, retryPayload: null };
    const [row] = await db
      .insert(syncErrors)
      .values({
        connectionId: e.connectionId,
        category: e.category,
        objectType: e.objectType ?? '',
        recordId: e.recordId ?? '',
        reason: e.reason,
        ...retry,
        occurredAt: now,
        firstOccurredAt: now,
      })
      .onConflictDoUpdate({
        target: [syncErrors.connectionId, syncErrors.category, syncErrors.objectType, syncErrors.recordId],
        targetWhere: sql`${syncErrors.resolvedAt} is null`,
        // A repeat that names no retry action keeps the one recorded first.
        set: { reason: e.reason, ...(e.retry ? retry : {}), occurredAt: now, occurrences: sql`${syncErrors.occurrences} + 1` },
      })
      .returning({ id: syncErrors.id });
    return row!.id;
  }

  /** The record synced: its open errors (of every category) are resolved. */
  async resolveRecord(connectionId: string, objectType: string, recordId: string, db: Db = this.#db): Promise<number> {
    const rows = await db
      .update(syncErrors)
      .set({ resolvedAt: new Date() })
      .where(
        and(eq(syncErrors.connectionId, connectionId), eq(syncErrors.objectType, objectType), eq(syncErrors.recordId, recordId), isNull(syncErrors.resolvedAt)),
      )
      .returning({ id: syncErrors.id });
    return rows.length;
  }

  /** Resolves one error (dismissed by the admin, or retried). */
  async resolve(id: number): Promise<boolean> {
    const rows = await this.#db
      .update(syncErrors)
      .set({ resolvedAt: new Date() })
      .where(and(eq(syncErrors.id, id), isNull(syncErrors.resolvedAt)))
      .returning({ id: syncErrors.id });
    return rows.length > 0;
  }

  async get(id: number): Promise<SyncError | null> {
    const [row] = await this.#db.select().from(syncErrors).where(eq(syncErrors.id, id));
    return row ? toError(row) : null;
  }

  /** Open errors, newest first: one connection's, or every connection's. */
  async listOpen(opts: { connectionId?: string; limit?: number } = {}): Promise<SyncError[]> {
    const rows = await this.#db
      .select()
      .from(syncErrors)
      .where(and(isNull(syncErrors.resolvedAt), opts.connectionId ? eq(syncErrors.connectionId, opts.connectionId) : undefined))
      .orderBy(desc(syncErrors.occurredAt), desc(syncErrors.id))
      .limit(opts.limit ?? 100);
    return rows.map(toError);
  }

  /** Open errors per connection (the Overview's error counts). */
  async countOpen(): Promise<Map<string, number>> {
    const rows = await this.#db
      .select({ connectionId: syncErrors.connectionId, n: sql<number>`count(*)::int` })
      .from(syncErrors)
      .where(isNull(syncErrors.resolvedAt))
      .groupBy(syncErrors.connectionId);
    return new Map(rows.map((r) => [r.connectionId, r.n]));
  }
}

function toError(row: typeof syncErrors.$inferSelect): SyncError {
  return {
    id: row.id,
    connectionId: row.connectionId,
    category: row.category,
    objectType: row.objectType || null,
    recordId: row.recordId || null,
    reason: row.reason,
    retry: row.retryJob ? { job: row.retryJob, payload: row.retryPayload } : null,
    occurrences: row.occurrences,
    firstOccurredAt: row.firstOccurredAt,
    occurredAt: row.occurredAt,
    resolvedAt: row.resolvedAt,
  };
}
