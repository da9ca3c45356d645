/**
 * Reads CRM records (contacts, companies) for any connector. Under load —
 * telephony re-reads the contact of every call before copying it into the PBX
 * phonebook (T4) — one HubSpot request per read would spend most of the
 * account's budget (110 requests / 10 s for an app) and hold up other work
 * behind it, so reads that arrive close together share one batch read (up to
 * 100 ids, reference §2.1) through the coalescer.
 */
import type { HubSpotApi } from './api.ts';
import { HUBSPOT } from './manifest.ts';
import { Coalescer } from './coalescer.ts';

export type CrmObjectType = 'contact' | 'company';
export type CrmProperties = Record<string, string | null>;

export interface CrmReaderOptions {
  api: HubSpotApi;
  /** Properties read per object type. */
  properties: Record<CrmObjectType, string[]>;
  /** How long a read waits for others to share its request (a phonebook entry is not urgent). */
  lingerMs?: number;
  /** What the reads are for, in the words of a log line or an error ("reading contacts to sync to the PBX"). */
  purpose?: string;
}

export class CrmReader {
  readonly #opts: Required<CrmReaderOptions>;
  /** One group per object type; one read at a time: while one waits for HubSpot (or its rate budget), the next batch fills up. */
  readonly #reads: Coalescer<string, CrmProperties | undefined>;

  constructor(opts: CrmReaderOptions) {
    this.#opts = { lingerMs: 500, purpose: 'reading CRM records', ...opts };
    this.#reads = new Coalescer({
      maxBatch: HUBSPOT.batchSize,
      lingerMs: this.#opts.lingerMs,
      send: async (type, entries) => {
        const found = await this.#read(type as CrmObjectType, [...new Set(entries.map((e) => e.item))]);
        for (const e of entries) e.resolve(found.get(e.item));
      },
    });
  }

  /** Batch reads sent (tests, benchmarks). */
  get requests(): number {
    return this.#reads.requests + this.#direct;
  }
  #direct = 0;

  /** The record's properties, or undefined when HubSpot has no such record. */
  get(type: CrmObjectType, id: string): Promise<CrmProperties | undefined> {
    return this.#reads.add(type, id);
  }

  /** Many records at once (a periodic pass): one request per 100. */
  async getMany(type: CrmObjectType, ids: string[]): Promise<Map<string, CrmProperties>> {
    const out = new Map<string, CrmProperties>();
    for (let i = 0; i < ids.length; i += HUBSPOT.batchSize) {
      this.#direct++;
      for (const [id, props] of await this.#read(type, ids.slice(i, i + HUBSPOT.batchSize))) out.set(id, props);
    }
    return out;
  }

  async #read(type: CrmObjectType, ids: string[]): Promise<Map<string, CrmProperties>> {
    const properties = this.#opts.properties[type];
    const res = await this.#opts.api.call(`${this.#opts.purpose} (${type}s)`, (c) =>
      type === 'contact'
        ? c.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties, propertiesWithHistory: [] })
        : c.crm.companies.batchApi.read({ inputs: ids.map((id) => ({ id })), properties, propertiesWithHistory: [] }),
    );
    return new Map(res.results.map((r) => [r.id, r.properties as CrmProperties]));
  }
}
