/**
 * T4 under load: every call from a CRM contact re-reads that contact before
 * it is copied into the PBX phonebook. One HubSpot request per call would
 * spend most of the account's budget (110 requests / 10 s for an app) on
 * these reads and hold up call logging behind them, so reads that arrive
 * close together share one batch read (up to 100 ids, reference §2.1).
 */
import type { HubSpotApi } from '../../hubspot/api.ts';
import { HUBSPOT } from '../../hubspot/manifest.ts';

export type CrmObjectType = 'contact' | 'company';
export type CrmProperties = Record<string, string | null>;

interface Waiting {
  resolve(value: CrmProperties | undefined): void;
  reject(err: unknown): void;
}

export interface CrmReaderOptions {
  api: HubSpotApi;
  /** Properties read per object type. */
  properties: Record<CrmObjectType, string[]>;
  /** How long a read waits for others to share its request (a phonebook entry is not urgent). */
  lingerMs?: number;
}

export class CrmReader {
  readonly #opts: Required<CrmReaderOptions>;
  readonly #pending = new Map<CrmObjectType, Map<string, Waiting[]>>();
  readonly #timers = new Map<CrmObjectType, NodeJS.Timeout>();
  /** One read per type at a time: while one waits for HubSpot (or its rate budget), the next batch fills up. */
  readonly #busy = new Set<CrmObjectType>();
  /** Batch reads sent (tests, benchmarks). */
  requests = 0;

  constructor(opts: CrmReaderOptions) {
    this.#opts = { lingerMs: 500, ...opts };
  }

  /** The record's properties, or undefined when HubSpot has no such record. */
  get(type: CrmObjectType, id: string): Promise<CrmProperties | undefined> {
    return new Promise((resolve, reject) => {
      const byId = this.#pending.get(type) ?? new Map<string, Waiting[]>();
      this.#pending.set(type, byId);
      byId.set(id, [...(byId.get(id) ?? []), { resolve, reject }]);
      if (byId.size >= HUBSPOT.batchSize) this.#flush(type);
      else if (!this.#timers.has(type))
        this.#timers.set(
          type,
          setTimeout(() => this.#flush(type), this.#opts.lingerMs),
        );
    });
  }

  /** Many records at once (the periodic restore): one request per 100. */
  async getMany(type: CrmObjectType, ids: string[]): Promise<Map<string, CrmProperties>> {
    const out = new Map<string, CrmProperties>();
    for (let i = 0; i < ids.length; i += HUBSPOT.batchSize) {
      for (const [id, props] of await this.#read(type, ids.slice(i, i + HUBSPOT.batchSize))) out.set(id, props);
    }
    return out;
  }

  #flush(type: CrmObjectType): void {
    clearTimeout(this.#timers.get(type));
    this.#timers.delete(type);
    const pending = this.#pending.get(type);
    if (this.#busy.has(type) || !pending?.size) return;
    // At most one batch read's worth; the rest waits for the next read.
    const byId = new Map([...pending].slice(0, HUBSPOT.batchSize));
    for (const id of byId.keys()) pending.delete(id);
    if (!pending.size) this.#pending.delete(type);
    this.#busy.add(type);
    this.#read(type, [...byId.keys()])
      .then(
        (found) => {
          for (const [id, waiting] of byId) for (const w of waiting) w.resolve(found.get(id));
        },
        (err: unknown) => {
          for (const waiting of byId.values()) for (const w of waiting) w.reject(err);
        },
      )
      .finally(() => {
        this.#busy.delete(type);
        // What arrived meanwhile goes now, in one request.
        if (this.#pending.get(type)?.size) this.#flush(type);
      });
  }

  async #read(type: CrmObjectType, ids: string[]): Promise<Map<string, CrmProperties>> {
    this.requests++;
    const properties = this.#opts.properties[type];
    const res = await this.#opts.api.call(`reading ${type}s to sync to the PBX`, (c) =>
      type === 'contact'
        ? c.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties, propertiesWithHistory: [] })
        : c.crm.companies.batchApi.read({ inputs: ids.map((id) => ({ id })), properties, propertiesWithHistory: [] }),
    );
    return new Map(res.results.map((r) => [r.id, r.properties as CrmProperties]));
  }
}
