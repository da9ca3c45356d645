/**
 * After an attempt died between claiming a call and recording its engagement
 * (a killed worker, a write whose answer was lost), the retry looks the call
 * up in HubSpot by `hs_call_external_id` before writing it. A crash leaves
 * many such calls at once, and search is limited to a few requests a second
 * (reference §3), so look-ups close together share one `IN` search.
 */
import type { HubSpotApi } from './api.ts';
import { Coalescer } from './coalescer.ts';

/** Values per `IN` filter (HubSpot's search takes at most 100). */
const CHUNK = 100;

export class EngagementFinder {
  readonly #api: HubSpotApi;
  /** One search at a time: while one waits for HubSpot (or its rate budget), the next fills up. */
  readonly #searches: Coalescer<string, string | undefined>;

  constructor(api: HubSpotApi, lingerMs = 200) {
    this.#api = api;
    this.#searches = new Coalescer({
      maxBatch: CHUNK,
      lingerMs,
      send: async (_group, entries) => {
        const found = await this.#search([...new Set(entries.map((e) => e.item))]);
        for (const e of entries) e.resolve(found.get(e.item));
      },
    });
  }

  /** Searches sent (tests, benchmarks): pages of one search count each. */
  searches = 0;

  /**
   * The id of the call engagement with one of these external ids, if HubSpot holds one: for the
   * first id found, in the order given (the current scheme first, then what an older Spokes wrote).
   */
  async find(externalIds: string | string[]): Promise<string | undefined> {
    // HubSpot's IN filter takes string values in lower case and compares without case.
    const keys = [...new Set((Array.isArray(externalIds) ? externalIds : [externalIds]).map((id) => id.toLowerCase()))];
    const found = await Promise.all(keys.map((key) => this.#searches.add('calls', key)));
    return found.find((id) => id !== undefined);
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
