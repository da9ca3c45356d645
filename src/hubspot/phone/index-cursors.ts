/**
 * The `phone_index_cursors` rows: per portal and object type, how far the
 * incremental pass has read, the state of a full build (so a killed build
 * resumes where it stopped), and a lease so that one worker at a time runs a
 * pass for a type — a crashed holder's lease simply runs out.
 */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import { ConflictError } from '../../errors.ts';
import { phoneIndexCursors } from '../schema.ts';
import type { PhoneObjectType } from './phone-index.ts';

export interface CursorState {
  modifiedAfter: number;
  lastFullBuildAt: Date | null;
  buildStartedAt: Date | null;
  buildCursor: number | null;
}

export class IndexCursors {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async read(portalId: number, objectType: PhoneObjectType): Promise<CursorState | null> {
    const [row] = await this.#db.select().from(phoneIndexCursors).where(this.#key(portalId, objectType));
    if (!row) return null;
    return { modifiedAfter: row.modifiedAfter, lastFullBuildAt: row.lastFullBuildAt, buildStartedAt: row.buildStartedAt, buildCursor: row.buildCursor };
  }

  /** Takes the lease for `ms` unless another owner holds a live one. */
  async acquire(portalId: number, objectType: PhoneObjectType, owner: string, ms: number): Promise<boolean> {
    await this.#db.insert(phoneIndexCursors).values({ portalId, objectType, modifiedAfter: 0 }).onConflictDoNothing();
    const taken = await this.#db
      .update(phoneIndexCursors)
      .set({ leaseOwner: owner, leaseUntil: sql`now() + ${`${ms} milliseconds`}::interval` })
      .where(
        and(
          this.#key(portalId, objectType),
          or(isNull(phoneIndexCursors.leaseUntil), lt(phoneIndexCursors.leaseUntil, sql`now()`), eq(phoneIndexCursors.leaseOwner, owner)),
        ),
      )
      .returning({ owner: phoneIndexCursors.leaseOwner });
    return taken.length === 1;
  }

  async release(portalId: number, objectType: PhoneObjectType, owner: string): Promise<void> {
    await this.#db
      .update(phoneIndexCursors)
      .set({ leaseOwner: null, leaseUntil: null })
      .where(and(this.#key(portalId, objectType), eq(phoneIndexCursors.leaseOwner, owner)));
  }

  /** Starts a full build; returns its start time (database clock, the same clock as `phone_index.indexed_at`). */
  async startBuild(portalId: number, objectType: PhoneObjectType, owner: string): Promise<Date> {
    const [row] = await this.#db
      .update(phoneIndexCursors)
      .set({ buildStartedAt: sql`now()`, buildCursor: 0, updatedAt: sql`now()` })
      .where(and(this.#key(portalId, objectType), eq(phoneIndexCursors.leaseOwner, owner)))
      .returning({ startedAt: phoneIndexCursors.buildStartedAt });
    if (!row?.startedAt) throw new ConflictError(`phone index: lost the ${objectType} lease before the build started`);
    return row.startedAt;
  }

  /** Saves progress and extends the lease; false when the lease was lost (another worker took over). */
  async saveProgress(
    portalId: number,
    objectType: PhoneObjectType,
    owner: string,
    progress: { buildCursor?: number; modifiedAfter?: number },
    leaseMs: number,
  ): Promise<boolean> {
    const saved = await this.#db
      .update(phoneIndexCursors)
      .set({
        ...(progress.buildCursor === undefined ? {} : { buildCursor: progress.buildCursor }),
        // The incremental cursor only moves forward.
        ...(progress.modifiedAfter === undefined ? {} : { modifiedAfter: sql`greatest(${phoneIndexCursors.modifiedAfter}, ${progress.modifiedAfter})` }),
        leaseUntil: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
        updatedAt: sql`now()`,
      })
      .where(and(this.#key(portalId, objectType), eq(phoneIndexCursors.leaseOwner, owner)))
      .returning({ owner: phoneIndexCursors.leaseOwner });
    return saved.length === 1;
  }

  /** Ends a full build: the incremental pass continues from what the build read last. */
  async finishBuild(portalId: number, objectType: PhoneObjectType, owner: string, modifiedAfter: number): Promise<boolean> {
    const saved = await this.#db
      .update(phoneIndexCursors)
      .set({ modifiedAfter, lastFullBuildAt: sql`now()`, buildStartedAt: null, buildCursor: null, updatedAt: sql`now()` })
      .where(and(this.#key(portalId, objectType), eq(phoneIndexCursors.leaseOwner, owner)))
      .returning({ owner: phoneIndexCursors.leaseOwner });
    return saved.length === 1;
  }

  #key(portalId: number, objectType: PhoneObjectType) {
    return and(eq(phoneIndexCursors.portalId, portalId), eq(phoneIndexCursors.objectType, objectType));
  }
}
