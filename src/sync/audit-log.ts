/**
 * The audit log of every write Spokes makes to HubSpot or to a remote system
 * (X3): when, which connector and connection, which object, what operation,
 * why (the event, record or rule that caused it), the idempotency key, the
 * outcome and the error, and who when a person caused it. Connectors write
 * through `audit.write(what, fn)`, which records the outcome of `fn` either way.
 *
 * Reading is keyset-paged, newest first, by `(occurred_at, id)`: each filter
 * has an index ending in those columns (src/sync/schema.ts), so a page costs
 * the same at a thousand rows or a million (bench/audit-log.bench.ts).
 */
import { and, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { ValidationError } from '../errors.ts';
import { auditLog, type AuditOutcome } from './schema.ts';
import type { ApiAuditEntry, ApiAuditPage } from '../platform/wire.ts';

export const CAUSE_TYPES = ['event', 'record', 'rule', 'schedule', 'person'] as const;
export type CauseType = (typeof CAUSE_TYPES)[number];

export interface AuditEntry {
  connector: string;
  connectionId?: string | null;
  target: string;
  objectType: string;
  objectId?: string | null;
  operation: string;
  cause: { type: CauseType; ref: string };
  idempotencyKey?: string | null;
  outcome: AuditOutcome;
  error?: string | null;
  actor?: string | null;
  occurredAt?: Date;
}

export interface AuditQuery {
  connector?: string;
  connection?: string;
  object?: string;
  outcome?: AuditOutcome;
  since?: Date;
  until?: Date;
  cursor?: string;
  /** Rows per page, 1–200 (default 50). */
  limit?: number;
}

const MAX_ERROR_LENGTH = 2_000;

export class AuditLog {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async record(entries: AuditEntry | readonly AuditEntry[], db: Db = this.#db): Promise<void> {
    const list = Array.isArray(entries) ? entries : [entries as AuditEntry];
    if (list.length === 0) return;
    if (list.length === 1) {
      await db.insert(auditLog).values(toRow(list[0]!));
      return;
    }
    // A batch (a sync page's writes) in one statement: a `text[]` parameter per column, not one per value.
    const rows = list.map(toRow);
    const col = (f: (r: (typeof rows)[number]) => string | null | undefined) => sql`${sql.param(rows.map((r) => f(r) ?? null))}::text[]`;
    await db.execute(sql`
      insert into ${auditLog} (connector, connection_id, target, object_type, object_id, operation, cause_type, cause, idempotency_key, outcome, error, actor, occurred_at)
      select u.connector, u.connection_id, u.target, u.object_type, u.object_id, u.operation, u.cause_type, u.cause, u.idempotency_key, u.outcome, u.error, u.actor,
        coalesce(u.occurred_at::timestamptz, now())
      from unnest(${col((r) => r.connector)}, ${col((r) => r.connectionId)}, ${col((r) => r.target)}, ${col((r) => r.objectType)}, ${col((r) => r.objectId)},
        ${col((r) => r.operation)}, ${col((r) => r.causeType)}, ${col((r) => r.cause)}, ${col((r) => r.idempotencyKey)}, ${col((r) => r.outcome)},
        ${col((r) => r.error)}, ${col((r) => r.actor)}, ${col((r) => r.occurredAt?.toISOString())})
        as u(connector, connection_id, target, object_type, object_id, operation, cause_type, cause, idempotency_key, outcome, error, actor, occurred_at)`);
  }

  /** One page, newest first; `nextCursor` continues with older rows (null on the last page). */
  async query(q: AuditQuery = {}): Promise<ApiAuditPage> {
    const limit = Math.min(200, Math.max(1, q.limit ?? 50));
    const where: (SQL | undefined)[] = [
      q.connector ? eq(auditLog.connector, q.connector) : undefined,
      q.connection ? eq(auditLog.connectionId, q.connection) : undefined,
      q.object ? eq(auditLog.objectType, q.object) : undefined,
      q.outcome ? eq(auditLog.outcome, q.outcome) : undefined,
      q.since ? gte(auditLog.occurredAt, q.since) : undefined,
      q.until ? lt(auditLog.occurredAt, q.until) : undefined,
    ];
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor);
      // The plain `<=` lets the planner bound the index range; the row comparison breaks ties by id.
      where.push(lte(auditLog.occurredAt, sql`${at}::timestamptz`), sql`(${auditLog.occurredAt}, ${auditLog.id}) < (${at}::timestamptz, ${id})`);
    }
    const rows = await this.#db
      .select({
        id: auditLog.id,
        occurredAt: auditLog.occurredAt,
        at: sql<string>`${auditLog.occurredAt}::text`,
        connector: auditLog.connector,
        connectionId: auditLog.connectionId,
        target: auditLog.target,
        objectType: auditLog.objectType,
        objectId: auditLog.objectId,
        operation: auditLog.operation,
        causeType: auditLog.causeType,
        cause: auditLog.cause,
        idempotencyKey: auditLog.idempotencyKey,
        outcome: auditLog.outcome,
        error: auditLog.error,
        actor: auditLog.actor,
      })
      .from(auditLog)
      .where(and(...where))
      .orderBy(sql`${auditLog.occurredAt} desc, ${auditLog.id} desc`)
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      entries: page.map(({ at: _at, occurredAt, ...r }): ApiAuditEntry => ({ ...r, occurredAt: new Date(occurredAt).toISOString() })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.id) : null,
    };
  }

  /**
   * Deletes rows older than `before`, `batch` at a time (short transactions); returns how many.
   * Ends with ANALYZE: the embedded database has no autovacuum, and the Activity page's plans rely on
   * current statistics (the `audit_log_filters` statistics object of the migration).
   */
  async prune(before: Date, batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.#db.execute(sql`
        delete from ${auditLog} where ${auditLog.id} in (
          select ${auditLog.id} from ${auditLog} where ${auditLog.occurredAt} < ${before} order by ${auditLog.occurredAt} limit ${batch})
        returning 1`);
      const n = (rows as unknown as { rows: unknown[] }).rows.length;
      total += n;
      if (n < batch) break;
    }
    await this.#db.execute(sql`analyze ${auditLog}`);
    return total;
  }
}

/** What a connector says about a write before making it. */
export interface AuditWrite<T> {
  connectionId?: string | null;
  target: string;
  objectType: string;
  /** The object's id, or how to read it from the write's result (a create's new id). */
  objectId?: string | ((result: T) => string | null | undefined);
  operation: string;
  cause: { type: CauseType; ref: string };
  idempotencyKey?: string;
  actor?: string;
}

/** The audit log as a connector sees it: its slug filled in. */
export interface ConnectorAudit {
  /**
   * Runs the write and records it, `succeeded` or `failed` with the error (which is rethrown).
   * A failure to record is logged, not thrown: the write already happened, and a retry would repeat it.
   */
  write<T>(what: AuditWrite<T>, fn: () => Promise<T>): Promise<T>;
  /** Records a write decided without calling anyone (`skipped`: a rule said no). */
  record(entry: Omit<AuditEntry, 'connector'>): Promise<void>;
}

export function connectorAudit(log: AuditLog, connector: string, logger: Logger): ConnectorAudit {
  const save = (entry: AuditEntry) =>
    log
      .record(entry)
      .catch((err: Error) =>
        logger.error({ err: err.message, objectType: entry.objectType, operation: entry.operation }, 'could not record a write in the audit log'),
      );
  return {
    async write<T>(what: AuditWrite<T>, fn: () => Promise<T>): Promise<T> {
      const base = {
        connector,
        connectionId: what.connectionId,
        target: what.target,
        objectType: what.objectType,
        operation: what.operation,
        cause: what.cause,
        idempotencyKey: what.idempotencyKey,
        actor: what.actor,
      };
      const fixedId = typeof what.objectId === 'string' ? what.objectId : undefined;
      let result: T;
      try {
        result = await fn();
      } catch (err) {
        await save({ ...base, objectId: fixedId, outcome: 'failed', error: (err as Error).message ?? String(err) });
        throw err;
      }
      const objectId = typeof what.objectId === 'function' ? what.objectId(result) : fixedId;
      await save({ ...base, objectId, outcome: 'succeeded' });
      return result;
    },
    record: (entry) => log.record({ ...entry, connector }),
  };
}

function toRow(e: AuditEntry) {
  return {
    connector: e.connector,
    connectionId: e.connectionId ?? null,
    target: e.target,
    objectType: e.objectType,
    objectId: e.objectId ?? null,
    operation: e.operation,
    causeType: e.cause.type,
    cause: e.cause.ref,
    idempotencyKey: e.idempotencyKey ?? null,
    outcome: e.outcome,
    error: e.error ? e.error.slice(0, MAX_ERROR_LENGTH) : null,
    actor: e.actor ?? null,
    ...(e.occurredAt ? { occurredAt: e.occurredAt } : {}),
  };
}

function encodeCursor(at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** PostgreSQL's text form of a timestamptz (DateStyle ISO), microseconds kept: the cursor must not round. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/;

function decodeCursor(cursor: string): [string, number] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && TIMESTAMP.test(value[0]) && Number.isSafeInteger(value[1])) {
      return [value[0], value[1] as number];
    }
  } catch {
    // Reported below.
  }
  throw new ValidationError('cursor: not a cursor this server gave out; start again from the first page', [
    { field: 'query.cursor', message: 'invalid cursor' },
  ]);
}
