/**
 * After an attempt died between claiming a call and recording its engagement
 * (a killed worker, a write whose answer was lost), the retry looks the call
 * up in HubSpot by `hs_call_external_id` before writing it. A crash leaves
 * many such calls at once, and search is limited to a few requests a second
 * (reference §3), so look-ups close together share one `IN` search.
 */
import type { HubSpotApi } from '../../hubspot/api.ts';

/** Values per `IN` filter (HubSpot's search takes at most 100). */
const CHUNK = 100;

interface Waiting {
  resolve(id: string | undefined): void;
  reject(err: unknown): void;
}

export class EngagementFinder {
  readonly #api: HubSpotApi;
  readonly #lingerMs: number;
  #pending = new Map<string, Waiting[]>();
  #timer: NodeJS.Timeout | undefined;
  /** One search at a time: while one waits for HubSpot (or its rate budget), the next fills up. */
  #busy = false;
  /** Searches sent (tests, benchmarks). */
  searches = 0;

  constructor(api: HubSpotApi, lingerMs = 200) {
    this.#api = api;
    this.#lingerMs = lingerMs;
  }

  /**
   * The id of the call engagement with one of these external ids, if HubSpot holds one: for the
   * first id found, in the order given (the current scheme first, then what an older Spokes wrote).
   */
  async find(externalIds: string | string[]): Promise<string | undefined> {
    // HubSpot's IN filter takes string values in lower case and compares without case.
    const keys = [...new Set((Array.isArray(externalIds) ? externalIds : [externalIds]).map((id) => id.toLowerCase()))];
    const found = await Promise.all(
      keys.map(
        (key) =>
          new Promise<string | undefined>((resolve, reject) => {
            this.#pending.set(key, [...(this.#pending.get(key) ?? []), { resolve, reject }]);
            if (this.#pending.size >= CHUNK) this.#flush();
            else this.#timer ??= setTimeout(() => this.#flush(), this.#lingerMs);
          }),
      ),
    );
    return found.find((id) => id !== undefined);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#busy || !this.#pending.size) return;
    // At most one IN filter's worth; the rest waits for the next search.
    const keys = [...this.#pending.keys()].slice(0, CHUNK);
    const batch = new Map(keys.map((k) => [k, this.#pending.get(k)!]));
    for (const k of keys) this.#pending.delete(k);
    this.#busy = true;
    this.#search(keys)
      .then(
        (found) => {
          for (const [key, waiting] of batch) for (const w of waiting) w.resolve(found.get(key));
        },
        (err: unknown) => {
          for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
        },
      )
      .finally(() => {
        this.#busy = false;
        if (this.#pending.size) this.#flush();
      });
  }

  async #search(keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    let after: string | undefined;
    do {
      this.searches++;
      const page = await this.#api.call('looking for calls logged before a crash', (c) =>
        c.crm.objects.calls.searchApi.doSearch({
          filterGroups: [{ filters: [{ propertyName: 'hs_call_external_id', operator: 'IN' as never, values: keys }] }],
          properties: ['hs_call_external_id'],
          limit: 200,
          ...(after ? { after } : {}),
        }),
      );
      for (const r of page.results) {
        const key = r.properties.hs_call_external_id?.toLowerCase();
        // The oldest engagement wins if there ever were two.
        if (key && (!found.has(key) || Number(r.id) < Number(found.get(key)))) found.set(key, r.id);
      }
      after = page.paging?.next?.after;
    } while (after);
    return found;
  }
}
