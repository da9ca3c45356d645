/**
 * Coalesces single-record writes into HubSpot batch calls (reference §2.1: up to
 * 100 inputs per batch create/update/upsert), so that call logging under load
 * costs a small fraction of a request per call. Each caller gets its own record
 * back, or its own error: inputs carry a unique `objectWriteTraceId`, which is
 * how HubSpot maps a 207's results and errors to inputs; a batch HubSpot refuses
 * as a whole (4xx) is split in halves until the bad input is alone.
 *
 * 429s wait for HubSpot's window through the shared budget (`api.call`); 5xx and
 * lost connections are retried. A create whose outcome is unknown (5xx, dropped
 * connection) is only retried for inputs HubSpot does not already hold, looked up
 * by the object type's identity property (e.g. `email`), so a retry never
 * creates a record twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Client } from '@hubspot/api-client';
import type { Logger } from '../logger.ts';
import { RemoteRejectedError, RemoteUnavailableError, SpokesError } from '../errors.ts';
import type { HubSpotApi, Reservation } from './api.ts';
import { HUBSPOT } from './manifest.ts';
import { Coalescer, type Entry } from './coalescer.ts';

export type WriteOperation = 'create' | 'update' | 'upsert';

export interface AssociationInput {
  to: { id: string };
  types: { associationCategory: 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED'; associationTypeId: number }[];
}

export interface CreateInput {
  properties: Record<string, string>;
  associations?: AssociationInput[];
}

export interface UpdateInput {
  /** Record id, or the value of `idProperty` (e.g. an e-mail). */
  id: string;
  idProperty?: string;
  properties: Record<string, string>;
}

export interface UpsertInput {
  id: string;
  idProperty: string;
  properties: Record<string, string>;
}

export interface WrittenRecord {
  id: string;
  properties: Record<string, string | null>;
  /** upsert: whether HubSpot created the record. */
  created?: boolean;
}

export interface BatchWriterOptions {
  api: HubSpotApi;
  log: Logger;
  /** §2.1: 100 inputs per batch. */
  maxBatch?: number;
  /** How long a partly filled batch waits for more inputs. */
  lingerMs?: number;
  /** Batch requests in flight at once (the budget still paces them). */
  maxInFlight?: number;
  /** 429s waited out per batch before its inputs fail (the budget normally prevents them). */
  rateLimitRetries?: number;
  /** Retries after a 5xx or a lost connection. */
  serverErrorRetries?: number;
  /** Per object type, a property that identifies a record (unique values), checked before retrying an unknown create. */
  identity?: Record<string, string>;
}

/** One input waiting for its batch (the coalescer's entry): its trace id maps HubSpot's answer back to it. */
type Pending = Entry<{ input: CreateInput | UpdateInput | UpsertInput; traceId: string }, WrittenRecord>;

const answerSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      properties: z.record(z.string(), z.string().nullable().optional()),
      objectWriteTraceId: z.string().optional(),
      /** upsert: `new` on the wire, `_new` once `@hubspot/api-client` has deserialised it. */
      new: z.boolean().optional(),
      _new: z.boolean().optional(),
    }),
  ),
  errors: z
    .array(
      z.object({
        category: z.string(),
        message: z.string(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .optional(),
});
type Answer = z.output<typeof answerSchema>;

export class BatchWriter {
  readonly #opts: Required<Omit<BatchWriterOptions, 'identity'>> & { identity: Record<string, string> };
  /** One group per operation and object type (`create\u0000calls`): a batch call writes one of each. */
  readonly #batches: Coalescer<Pending['item'], WrittenRecord, Reservation>;
  #trace = 0;
  /** Requests sent and inputs written, for metrics and benchmarks. */
  readonly stats = { requests: 0, written: 0, failed: 0 };

  constructor(opts: BatchWriterOptions) {
    this.#opts = {
      maxBatch: HUBSPOT.batchSize,
      lingerMs: 50,
      maxInFlight: 8,
      rateLimitRetries: 10,
      serverErrorRetries: 4,
      ...opts,
      identity: opts.identity ?? {},
    };
    this.#batches = new Coalescer({
      maxBatch: this.#opts.maxBatch,
      lingerMs: this.#opts.lingerMs,
      maxInFlight: this.#opts.maxInFlight,
      // The batch is formed once its budget slot is there, so it holds every input that came while it waited.
      ready: () => this.#opts.api.reserve('general'),
      send: async (group, batch, reserved) => {
        const [op, objectType] = group.split('\u0000') as [WriteOperation, string];
        await this.#write(op, objectType, batch, reserved).catch((err: unknown) => this.#fail(batch, err));
      },
    });
  }

  create(objectType: string, input: CreateInput): Promise<WrittenRecord> {
    return this.#add('create', objectType, input);
  }

  update(objectType: string, input: UpdateInput): Promise<WrittenRecord> {
    return this.#add('update', objectType, input);
  }

  upsert(objectType: string, input: UpsertInput): Promise<WrittenRecord> {
    return this.#add('upsert', objectType, input);
  }

  /** Sends everything queued now and waits until every batch has been answered. */
  flush(): Promise<void> {
    return this.#batches.flush();
  }

  #add(op: WriteOperation, objectType: string, input: CreateInput | UpdateInput | UpsertInput): Promise<WrittenRecord> {
    return this.#batches.add(`${op}\u0000${objectType}`, { input, traceId: `spokes-${process.pid}-${++this.#trace}` });
  }

  async #write(op: WriteOperation, objectType: string, batch: Pending[], reserved?: Reservation): Promise<void> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.#send(op, objectType, pending, reserved);
        this.#distribute(op, objectType, pending, answer);
        return;
      } catch (err) {
        if (err instanceof RemoteUnavailableError && attempt < this.#opts.serverErrorRetries) {
          await sleep(250 * 2 ** attempt + Math.floor(Math.random() * 100));
          // The failed create may have happened: resolve what HubSpot holds, retry only the rest.
          if (op === 'create') pending = await this.#settleExisting(objectType, pending);
          if (!pending.length) return;
          continue;
        }
        if (err instanceof RemoteRejectedError && pending.length > 1 && (err.remoteStatus ?? 0) >= 400 && (err.remoteStatus ?? 0) < 500) {
          // Refused as a whole (nothing was written): find the bad inputs by halves.
          const half = Math.ceil(pending.length / 2);
          await Promise.all(
            [pending.slice(0, half), pending.slice(half)].map((part) => this.#write(op, objectType, part).catch((e: unknown) => this.#fail(part, e))),
          );
          return;
        }
        throw err;
      }
    }
  }

  async #send(op: WriteOperation, objectType: string, pending: Pending[], reserved?: Reservation): Promise<Answer> {
    this.stats.requests++;
    const inputs = pending.map((p) => ({ ...p.item.input, objectWriteTraceId: p.item.traceId }));
    const answer = await this.#opts.api.call<unknown>(
      `batch ${op} ${objectType}`,
      (client: Client) => {
        const api = client.crm.objects.batchApi;
        if (op === 'create') return api.create(objectType, { inputs: inputs as never });
        if (op === 'update') return api.update(objectType, { inputs: inputs as never });
        return api.upsert(objectType, { inputs: inputs as never });
      },
      { rateLimitRetries: this.#opts.rateLimitRetries, reserved },
    );
    const parsed = answerSchema.safeParse(answer);
    if (!parsed.success)
      throw new RemoteRejectedError(`batch ${op} ${objectType}: HubSpot's answer has an unexpected shape (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }

  /** Resolves each input with its result, rejects those HubSpot reported errors for. */
  #distribute(op: WriteOperation, objectType: string, pending: Pending[], answer: Answer): void {
    const left = new Set(pending);
    const byTrace = new Map(pending.map((p) => [p.item.traceId, p]));
    for (const error of answer.errors ?? []) {
      const traced = (error.context?.objectWriteTraceId ?? []).map((t) => byTrace.get(t));
      const byId = (error.context?.ids ?? []).flatMap((id) => pending.filter((p) => 'id' in p.item.input && sameId(p.item.input.id, id)));
      for (const p of [...traced, ...byId]) {
        if (!p || !left.has(p)) continue;
        left.delete(p);
        this.stats.failed++;
        p.reject(new RemoteRejectedError(`batch ${op} ${objectType}: ${error.message}`, statusOf(error.category), undefined, error));
      }
    }
    for (const result of answer.results) {
      const created = result.new ?? result._new;
      const record: WrittenRecord = {
        id: result.id,
        properties: result.properties as Record<string, string | null>,
        ...(created === undefined ? {} : { created }),
      };
      const p =
        (result.objectWriteTraceId && byTrace.get(result.objectWriteTraceId)) ||
        [...left].find(
          (q) =>
            'id' in q.item.input &&
            (sameId(q.item.input.id, result.id) || (q.item.input.idProperty && sameId(q.item.input.id, result.properties[q.item.input.idProperty] ?? ''))),
        );
      if (!p || !left.has(p)) continue;
      left.delete(p);
      this.stats.written++;
      p.resolve(record);
    }
    if (left.size) this.#fail([...left], new RemoteRejectedError(`batch ${op} ${objectType}: HubSpot's answer did not mention this input`));
  }

  /** After an unknown outcome: inputs whose identity value HubSpot already holds are done. */
  async #settleExisting(objectType: string, pending: Pending[]): Promise<Pending[]> {
    const property = this.#opts.identity[objectType];
    if (!property) return pending;
    const values = [...new Set(pending.map((p) => (p.item.input as CreateInput).properties[property]).filter((v): v is string => !!v))];
    if (!values.length) return pending;
    const found = await this.#opts.api.call(
      `batch create ${objectType}: look for records already created`,
      (client) =>
        client.crm.objects.searchApi.doSearch(objectType, {
          // HubSpot's IN filter takes string values in lower case (search guide): an upper-case value matches nothing.
          filterGroups: [{ filters: [{ propertyName: property, operator: 'IN' as never, values: values.map((v) => v.toLowerCase()) }] }],
          properties: [property],
          limit: 100,
          after: '0',
          sorts: [],
        }),
      { rateLimitRetries: this.#opts.rateLimitRetries },
    );
    const existing = answerSchema.pick({ results: true }).parse(found).results;
    const rest: Pending[] = [];
    for (const p of pending) {
      const value = (p.item.input as CreateInput).properties[property];
      const match = value ? existing.find((r) => sameId(r.properties[property] ?? '', value)) : undefined;
      if (match) {
        this.stats.written++;
        p.resolve({ id: match.id, properties: match.properties as Record<string, string | null> });
      } else rest.push(p);
    }
    if (rest.length < pending.length)
      this.#opts.log.info(
        { objectType, alreadyCreated: pending.length - rest.length },
        'batch create: records created by a failed attempt were found, not created again',
      );
    return rest;
  }

  #fail(batch: Pending[], err: unknown): void {
    const error = err instanceof Error ? err : new SpokesError('internal', String(err));
    for (const p of batch) {
      if (p.settled) continue;
      this.stats.failed++;
      p.reject(error);
    }
  }
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function statusOf(category: string): number {
  if (category === 'OBJECT_NOT_FOUND') return 404;
  if (category === 'CONFLICT') return 409;
  return 400;
}
