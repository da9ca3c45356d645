/**
 * Checkpoints: how far each sync has read, one JSON value per connection and
 * sync name, validated by the sync's zod schema when written and when read. A
 * stored value that no longer fits is an error naming the field, never a
 * silent restart from scratch (which could re-create or delete records).
 */
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../db/open.ts';
import { SpokesError } from '../errors.ts';
import { checkpoints } from './schema.ts';

/** A sync's checkpoint: its name (unique per connection) and the schema of its value. */
export interface CheckpointDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
}

export function defineCheckpoint<S extends z.ZodType>(name: string, schema: S): CheckpointDefinition<S> {
  return { name, schema };
}

export class Checkpoints {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The stored value, or `undefined` when the sync never saved one. */
  async get<S extends z.ZodType>(connectionId: string, def: CheckpointDefinition<S>, db: Db = this.#db): Promise<z.output<S> | undefined> {
    const [row] = await db
      .select({ value: checkpoints.value })
      .from(checkpoints)
      .where(and(eq(checkpoints.connectionId, connectionId), eq(checkpoints.name, def.name)));
    if (!row) return undefined;
    const parsed = def.schema.safeParse(row.value);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ field: ['checkpoint', def.name, ...i.path.map(String)].join('.'), message: i.message }));
      // Not retryable: the same value fails again. The job dead-letters with the field named.
      throw new SpokesError(
        'validation_failed',
        `The stored checkpoint "${def.name}" of ${connectionId} does not validate: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
        { status: 409, details },
      );
    }
    return parsed.data;
  }

  /** Saves the value (validated first); `db` lets it commit with the work it records. */
  async set<S extends z.ZodType>(connectionId: string, def: CheckpointDefinition<S>, value: z.input<S>, db: Db = this.#db): Promise<void> {
    const parsed = def.schema.parse(value);
    const now = new Date();
    await db
      .insert(checkpoints)
      .values({ connectionId, name: def.name, value: parsed, updatedAt: now })
      .onConflictDoUpdate({ target: [checkpoints.connectionId, checkpoints.name], set: { value: parsed, updatedAt: now } });
  }

  async delete(connectionId: string, def: Pick<CheckpointDefinition, 'name'>): Promise<void> {
    await this.#db.delete(checkpoints).where(and(eq(checkpoints.connectionId, connectionId), eq(checkpoints.name, def.name)));
  }
}
