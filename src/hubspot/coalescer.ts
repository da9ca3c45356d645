/**
 * The one coalescing batcher behind every HubSpot batch call Spokes makes
 * (batch writes, batch reads, `IN` searches): single requests that arrive
 * close together share one request of up to `maxBatch` items. A partly filled
 * batch waits `lingerMs` for more; a full one goes at once. The batch is taken
 * from the queue only when a request slot is free (`maxInFlight` across every
 * group), so while HubSpot is slow or the rate budget holds requests back,
 * items keep joining the waiting batch instead of leaving as many small ones.
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

export interface CoalescerOptions<Item, Result> {
  /** Items per request (HubSpot: 100 inputs, 100 values in an `IN` filter). */
  maxBatch: number;
  /** How long a partly filled batch waits for more items. */
  lingerMs: number;
  /** Requests in flight at once, across groups (default 1). */
  maxInFlight?: number;
  send(group: string, entries: Entry<Item, Result>[]): Promise<void>;
}

export class Coalescer<Item, Result> {
  readonly #opts: Required<CoalescerOptions<Item, Result>>;
  readonly #queues = new Map<string, Entry<Item, Result>[]>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Groups with a sender waiting for a request slot. */
  readonly #waiting = new Set<string>();
  readonly #slots: (() => void)[] = [];
  #running = 0;
  /** Requests sent (metrics, tests, benchmarks). */
  requests = 0;

  constructor(opts: CoalescerOptions<Item, Result>) {
    this.#opts = { maxInFlight: 1, ...opts };
  }

  add(group: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.#queues.get(group) ?? [];
      this.#queues.set(group, queue);
      let settled = false;
      queue.push({
        item,
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
      if (queue.length >= this.#opts.maxBatch) this.#flushGroup(group);
      else if (!this.#timers.has(group))
        this.#timers.set(
          group,
          setTimeout(() => this.#flushGroup(group), this.#opts.lingerMs),
        );
    });
  }

  /** Sends everything queued now and waits until every batch has been answered. */
  async flush(): Promise<void> {
    for (const group of [...this.#queues.keys()]) this.#flushGroup(group);
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  #flushGroup(group: string): void {
    clearTimeout(this.#timers.get(group));
    this.#timers.delete(group);
    // A sender already waiting for a slot takes these items too.
    if (this.#waiting.has(group) || !this.#queues.get(group)?.length) return;
    this.#waiting.add(group);
    let batch: Entry<Item, Result>[] = [];
    const sent: Promise<void> = this.#withSlot(async () => {
      this.#waiting.delete(group);
      const queue = this.#queues.get(group) ?? [];
      batch = queue.splice(0, this.#opts.maxBatch);
      // More than a batch's worth: the next sender queues for a slot of its own.
      if (queue.length) this.#flushGroup(group);
      else this.#queues.delete(group);
      if (!batch.length) return;
      this.requests++;
      await this.#opts.send(group, batch);
      const left = batch.filter((e) => !e.settled);
      if (left.length) throw new Error(`the batch request left ${left.length} item(s) without an answer`);
    })
      .catch((err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const e of batch) if (!e.settled) e.reject(error);
      })
      .finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }

  async #withSlot(fn: () => Promise<void>): Promise<void> {
    if (this.#running >= this.#opts.maxInFlight) await new Promise<void>((resolve) => this.#slots.push(resolve));
    this.#running++;
    try {
      await fn();
    } finally {
      this.#running--;
      this.#slots.shift()?.();
    }
  }
}
