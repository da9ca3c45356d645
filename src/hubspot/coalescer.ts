/**
 * The one coalescing batcher behind every HubSpot batch call Spokes makes
 * (batch writes, batch reads, `IN` searches): single requests that arrive
 * close together share one request of up to `maxBatch` items, one group per
 * kind of request (`upsert contacts`, `update contacts`, …).
 *
 * A full batch may leave at once; a partly filled one waits `lingerMs` for
 * more. A batch is formed only when a request slot is free (`maxInFlight`
 * across every group) and, with `ready`, once that has resolved too (a slot of
 * the rate budget taken ahead of the request), so while HubSpot is slow or the
 * budget holds requests back, items keep joining the waiting batches. When the
 * slot is there, the group that goes is chosen then: a full batch before a
 * partly filled one — a budget-bound pass spends every request on 100 inputs
 * — unless the partly filled one has waited `starveMs` (default 8 × linger).
 *
 * `send` gets the batch's entries and settles each (its own result or its own
 * error); an entry it leaves unsettled, or every entry when it throws, gets
 * the error.
 */

export interface Entry<Item, Result> {
  item: Item;
  /** True once resolved or rejected. */
  readonly settled: boolean;
  resolve(result: Result): void;
  reject(error: Error): void;
}

export interface CoalescerOptions<Item, Result, Ticket = undefined> {
  /** Items per request (HubSpot: 100 inputs, 100 values in an `IN` filter). */
  maxBatch: number;
  /** How long a partly filled batch waits for more items. */
  lingerMs: number;
  /** How long a partly filled batch may be passed over for full ones (default 8 × `lingerMs`). */
  starveMs?: number;
  /** Requests in flight at once, across groups (default 1). */
  maxInFlight?: number;
  /** Awaited once a request slot is free, before the batch is chosen; what it gives is passed to `send`. */
  ready?: () => Promise<Ticket>;
  send(group: string, entries: Entry<Item, Result>[], ticket: Ticket | undefined): Promise<void>;
}

type Queued<Item, Result> = Entry<Item, Result> & { readonly at: number };

export class Coalescer<Item, Result, Ticket = undefined> {
  readonly #opts: CoalescerOptions<Item, Result, Ticket> & { maxInFlight: number; starveMs: number };
  readonly #queues = new Map<string, Queued<Item, Result>[]>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Groups whose partly filled batch has lingered long enough (or is flushed). */
  readonly #due = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Requests started (a slot held, possibly still waiting for `ready`). */
  #running = 0;
  /** One sender at a time waits for `ready`: the batch is chosen when it resolves. */
  #acquiring = false;
  /** Requests sent (metrics, tests, benchmarks). */
  requests = 0;

  constructor(opts: CoalescerOptions<Item, Result, Ticket>) {
    this.#opts = { maxInFlight: 1, starveMs: 8 * opts.lingerMs, ...opts };
  }

  add(group: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.#queues.get(group) ?? [];
      this.#queues.set(group, queue);
      let settled = false;
      queue.push({
        item,
        at: performance.now(),
        get settled() {
          return settled;
        },
        resolve(result) {
          settled = true;
          resolve(result);
        },
        reject(error) {
          settled = true;
          reject(error);
        },
      });
      if (!this.#timers.has(group) && !this.#due.has(group)) this.#linger(group);
      if (queue.length >= this.#opts.maxBatch) this.#pump();
    });
  }

  /** Sends everything queued now (and whatever joins meanwhile) and waits until every batch has been answered. */
  async flush(): Promise<void> {
    for (;;) {
      for (const group of this.#queues.keys()) this.#markDue(group);
      this.#pump();
      if (!this.#inFlight.size) return;
      await Promise.allSettled([...this.#inFlight]);
    }
  }

  #linger(group: string): void {
    this.#timers.set(
      group,
      setTimeout(() => this.#markDue(group), this.#opts.lingerMs),
    );
    // Past `starveMs` a partly filled batch outranks full ones: look again then.
    setTimeout(() => this.#pump(), this.#opts.starveMs).unref();
  }

  #markDue(group: string): void {
    clearTimeout(this.#timers.get(group));
    this.#timers.delete(group);
    this.#due.add(group);
    this.#pump();
  }

  /** The group to send now: one starving, else the oldest full batch, else the oldest due one. */
  #next(): string | undefined {
    const now = performance.now();
    let full: [string, number] | undefined;
    let due: [string, number] | undefined;
    for (const [group, queue] of this.#queues) {
      const at = queue[0]?.at;
      if (at === undefined) continue;
      const isDue = this.#due.has(group);
      if (isDue && now - at >= this.#opts.starveMs && (!due || at < due[1])) return group;
      if (queue.length >= this.#opts.maxBatch && (!full || at < full[1])) full = [group, at];
      if (isDue && (!due || at < due[1])) due = [group, at];
    }
    return (full ?? due)?.[0];
  }

  /** Starts senders while a slot is free and a batch may go. */
  #pump(): void {
    while (!this.#acquiring && this.#running < this.#opts.maxInFlight && this.#next() !== undefined) this.#start();
  }

  #start(): void {
    this.#running++;
    let batch: Queued<Item, Result>[] = [];
    const sent: Promise<void> = (async () => {
      let ticket: Ticket | undefined;
      let notReady: unknown;
      if (this.#opts.ready) {
        this.#acquiring = true;
        try {
          ticket = await this.#opts.ready();
        } catch (err) {
          notReady = err ?? new Error('not ready');
        } finally {
          this.#acquiring = false;
        }
      }
      const group = this.#next();
      if (group === undefined) return;
      batch = this.#take(group);
      this.#pump();
      if (notReady !== undefined) throw notReady;
      this.requests++;
      await this.#opts.send(group, batch, ticket);
      const left = batch.filter((e) => !e.settled);
      if (left.length) throw new Error(`the batch request left ${left.length} item(s) without an answer`);
    })()
      .catch((err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const e of batch) if (!e.settled) e.reject(error);
      })
      .finally(() => {
        this.#inFlight.delete(sent);
        this.#running--;
        this.#pump();
      });
    this.#inFlight.add(sent);
  }

  /** Takes a batch off the group's queue; what stays keeps lingering (or stays due). */
  #take(group: string): Queued<Item, Result>[] {
    const queue = this.#queues.get(group)!;
    const batch = queue.splice(0, this.#opts.maxBatch);
    if (!queue.length) {
      this.#queues.delete(group);
      this.#due.delete(group);
      clearTimeout(this.#timers.get(group));
      this.#timers.delete(group);
    }
    return batch;
  }
}
