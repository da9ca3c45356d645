/**
 * The HubSpot side of a sync: contacts read by e-mail (batch read,
 * `idProperty=email`, case-insensitive in HubSpot) or by id, 100 per call; the
 * contact property definitions mappings are checked against; and the writes,
 * coalesced 100 per batch create/update/upsert call by the BatchWriter. Every
 * request takes a slot from the account's shared rate budget (HubSpotApi), and
 * 429s are waited out.
 */
import type { HubSpotApi } from '../../hubspot/api.ts';
import type { Logger } from '../../logger.ts';
import { BatchWriter } from '../../hubspot/batch-writer.ts';
import type { PropertyDefinition } from './mappings.ts';

export interface HubSpotContact {
  id: string;
  properties: Record<string, string | null>;
}

const BATCH = 100;
const RATE_LIMIT_RETRIES = 30;

export class HubSpotSide {
  readonly #api: HubSpotApi;
  readonly writer: BatchWriter;
  /** Read requests sent (for the benchmark's requests per record). */
  reads = 0;

  constructor(api: HubSpotApi, log: Logger) {
    this.#api = api;
    this.writer = new BatchWriter({ api, log, lingerMs: 250, maxInFlight: 10, rateLimitRetries: RATE_LIMIT_RETRIES, identity: { contacts: 'email' } });
  }

  get requests(): number {
    return this.reads + this.writer.stats.requests;
  }

  async properties(signal?: AbortSignal): Promise<PropertyDefinition[]> {
    this.reads++;
    const answer = await this.#api.call('reading the contact property definitions', (client) => client.crm.properties.coreApi.getAll('contacts', false), {
      rateLimitRetries: RATE_LIMIT_RETRIES,
      signal,
    });
    return (answer as unknown as { results: PropertyDefinition[] }).results;
  }

  /** Contacts by e-mail (keys lower-cased) and by id. */
  async read(
    emails: readonly string[],
    ids: readonly string[],
    properties: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ byEmail: Map<string, HubSpotContact>; byId: Map<string, HubSpotContact> }> {
    const byEmail = new Map<string, HubSpotContact>();
    const byId = new Map<string, HubSpotContact>();
    const props = [...new Set([...properties, 'email', 'lastmodifieddate'])];
    for (const [list, idProperty] of [
      [emails, 'email'],
      [ids, undefined],
    ] as const) {
      for (let i = 0; i < list.length; i += BATCH) {
        const chunk = list.slice(i, i + BATCH);
        this.reads++;
        const answer = await this.#api.call(
          idProperty ? 'matching contacts by e-mail' : 'reading linked contacts',
          (client) =>
            client.crm.contacts.batchApi.read(
              { inputs: chunk.map((id) => ({ id })), properties: props, propertiesWithHistory: [], ...(idProperty ? { idProperty } : {}) },
              false,
            ),
          { rateLimitRetries: RATE_LIMIT_RETRIES, signal },
        );
        for (const r of (answer as unknown as { results: HubSpotContact[] }).results ?? []) {
          const contact = { id: String(r.id), properties: r.properties ?? {} };
          byId.set(contact.id, contact);
          const email = contact.properties.email?.trim().toLowerCase();
          if (email) byEmail.set(email, contact);
        }
      }
    }
    return { byEmail, byId };
  }

  /** A search request (its own per-second budget). */
  async search<T>(fn: (client: import('@hubspot/api-client').Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.reads++;
    return this.#api.call('searching changed contacts', fn, { rateLimitRetries: RATE_LIMIT_RETRIES, signal });
  }

  async flush(): Promise<void> {
    await this.writer.flush();
  }
}
