/**
 * Sansan business cards as the sync reads them (reference §A.5), the default
 * mappings (D4) and the declared sync of cards into HubSpot contacts.
 */
import { z } from 'zod';
import { defineCheckpoint } from '../../sync/checkpoints.ts';
import { defineSync, windowCheckpoint } from '../../sync/engine/types.ts';
import type { MappingInput } from '../../sync/engine/settings.ts';
import { SansanClient } from './client.ts';

export const CARD_FIELDS = [
  'lastName',
  'firstName',
  'lastNameReading',
  'firstNameReading',
  'departmentName',
  'title',
  'companyName',
  'countryCode',
  'postalCode',
  'prefecture',
  'city',
  'street',
  'building',
  'email',
  'mobile',
  'tel',
  'secondTel',
  'fax',
  'url',
  'memo',
  'exchangeDate',
] as const;

const text = z.string().nullable().optional();

export const cardSchema = z
  .object({
    id: z.string().min(1),
    personId: z.string().nullable().optional(),
    updatedTime: z.string().min(1),
    registeredTime: z.string().nullable().optional(),
    entryStatus: z.string().optional(),
    owner: z.object({ id: z.string(), name: z.string().nullable() }).partial().nullable().optional(),
    tags: z.array(z.object({ id: z.string(), name: z.string(), type: z.string() })).optional(),
    ...Object.fromEntries(CARD_FIELDS.map((f) => [f, text])),
  })
  .passthrough();
export type Card = z.output<typeof cardSchema> & Partial<Record<(typeof CARD_FIELDS)[number], string | null>>;

/** Custom contact properties Spokes creates for the card fields HubSpot has no standard property for. */
export const CUSTOM_PROPERTIES = [
  { name: 'sansan_last_name_reading', label: 'Last name reading (Sansan)' },
  { name: 'sansan_first_name_reading', label: 'First name reading (Sansan)' },
  { name: 'sansan_department', label: 'Department (Sansan)' },
] as const;

/** D4: e-mail, names, readings, company, title, department, phones, fax, address parts, URL. */
export const DEFAULT_MAPPINGS: MappingInput[] = [
  { remote: ['email'], hubspot: 'email' },
  { remote: ['lastName'], hubspot: 'lastname' },
  { remote: ['firstName'], hubspot: 'firstname' },
  { remote: ['lastNameReading'], hubspot: 'sansan_last_name_reading' },
  { remote: ['firstNameReading'], hubspot: 'sansan_first_name_reading' },
  { remote: ['companyName'], hubspot: 'company' },
  { remote: ['title'], hubspot: 'jobtitle' },
  { remote: ['departmentName'], hubspot: 'sansan_department' },
  { remote: ['tel'], hubspot: 'phone' },
  { remote: ['mobile'], hubspot: 'mobilephone' },
  { remote: ['fax'], hubspot: 'fax' },
  { remote: ['postalCode'], hubspot: 'zip' },
  { remote: ['prefecture'], hubspot: 'state' },
  { remote: ['city'], hubspot: 'city' },
  { remote: ['street', 'building'], hubspot: 'address' },
  { remote: ['url'], hubspot: 'website' },
];

/** What a pass needs beyond the engine's settings: the key, where Sansan is, the selected tags. */
export interface CardSyncConfig {
  apiBaseUrl: string;
  apiKey: string;
  /** Selected tag ids (D1); empty: every card. */
  tagIds: string[];
  /** Requests per second for the key. */
  perSecond?: number;
  /** The key's Sansan user (what the key sees). */
  userId?: string;
}

/**
 * A pass's config with the key out of sight: not enumerable, so it is in no log line or JSON, and not
 * in the hash of what the pass runs with (the engine hashes the config's own keys) — a revoked key
 * replaced by a new key of the same Sansan user resumes from the checkpoint instead of re-running
 * the initial pass. The user id stands in for it there: which cards a key sees is its user's.
 */
export function cardSyncConfig(c: { apiBaseUrl: string; apiKey: string; tagIds: string[]; userId?: string }): CardSyncConfig {
  const config = { apiBaseUrl: c.apiBaseUrl, tagIds: c.tagIds, ...(c.userId ? { userId: c.userId } : {}) } as CardSyncConfig;
  Object.defineProperty(config, 'apiKey', { value: c.apiKey, enumerable: false });
  return config;
}

/** Sansan has no deletion feed; the API takes `updatedFrom` from this date. */
const EPOCH = new Date('2000-01-01T00:00:00Z');
/** Re-read this much before the watermark: Sansan stamps a card when its digitisation completes, a little after the fact. */
const OVERLAP_MS = 5_000;

const retrySchema = z.object({ connectionId: z.string(), cardId: z.string() });
export const RESYNC_JOB = { name: 'sansan.resync-card', schema: retrySchema };

export const cardSync = defineSync<Card, CardSyncConfig>({
  name: 'cards',
  objectType: 'contacts',
  remote: cardSchema as unknown as z.ZodType<Card>,
  checkpoint: defineCheckpoint('sansan.cards', windowCheckpoint),
  directions: ['to_hubspot', 'to_remote', 'both'],
  remoteFields: CARD_FIELDS,
  emailField: 'email',
  describe: (id) => `card ${id}`,
  toSource(card) {
    const values: Record<string, string | null> = {};
    for (const f of CARD_FIELDS) values[f] = (card[f] as string | null | undefined) ?? null;
    return { id: card.id, modifiedAt: new Date(card.updatedTime), values };
  },
  include(card, config) {
    if (card.entryStatus && card.entryStatus !== 'completed') return `not digitised yet (${card.entryStatus})`;
    if (config.tagIds.length === 0) return null;
    const selected = new Set(config.tagIds);
    return (card.tags ?? []).some((t) => selected.has(t.id)) ? null : 'none of the selected tags';
  },
  async run(ctx) {
    const client = new SansanClient({ apiBaseUrl: ctx.config.apiBaseUrl, apiKey: ctx.config.apiKey, perSecond: ctx.config.perSecond, signal: ctx.signal });
    await ctx.pull({
      overlapMs: OVERLAP_MS,
      epoch: EPOCH,
      async fetchPage(window, token) {
        const page = await client.cards(window, token);
        return { items: page.data, next: page.hasMore ? page.nextPageToken : null };
      },
    });
  },
  async fetchByIds(ids, ctx) {
    const client = new SansanClient({ apiBaseUrl: ctx.config.apiBaseUrl, apiKey: ctx.config.apiKey, signal: ctx.signal });
    const out: unknown[] = [];
    for (const id of ids) {
      const card = await client.card(id);
      if (card) out.push(card);
    }
    return out;
  },
  /** HubSpot → Sansan: a new card (`POST /bizCards`), with the first selected tag so it stays in the sync. */
  async createRemote(values, ctx) {
    const client = new SansanClient({ apiBaseUrl: ctx.config.apiBaseUrl, apiKey: ctx.config.apiKey, signal: ctx.signal });
    const body: Record<string, unknown> = Object.fromEntries(Object.entries(values).filter(([k]) => (CARD_FIELDS as readonly string[]).includes(k)));
    if (ctx.config.tagIds.length) body.tagIds = ctx.config.tagIds.slice(0, 1);
    return client.createCard(body);
  },
  retry: (connectionId, cardId) => ({ job: RESYNC_JOB, payload: { connectionId, cardId } }),
});
