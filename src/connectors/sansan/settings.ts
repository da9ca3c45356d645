/** The Sansan connector's shapes: what the admin gives to connect, what is kept (settings shown, the key sealed). */
import { z } from 'zod';
import { syncSettingsSchema } from '../../sync/engine/settings.ts';

export const DEFAULT_API_BASE_URL = 'https://api.sansan.com/v3.2';
/** D1: at most 300 tags per connection. */
export const MAX_TAGS = 300;

export const connectInput = z
  .object({
    apiKey: z.string().trim().min(8, 'a Sansan API key is at least 8 characters').max(200),
    apiBaseUrl: z
      .url()
      .default(DEFAULT_API_BASE_URL)
      .transform((u) => u.replace(/\/+$/, '')),
  })
  .strict();

export const tagSchema = z.object({ id: z.string().min(1).max(64), name: z.string().max(200), type: z.enum(['public', 'shared']) }).strict();

export const settings = z.object({
  apiBaseUrl: z.url().default(DEFAULT_API_BASE_URL),
  /** D1: the public and shared tags whose cards sync (at most 300). */
  tags: z.array(tagSchema).max(MAX_TAGS, `at most ${MAX_TAGS} tags`).default([]),
  sync: syncSettingsSchema.default({
    enabled: false,
    direction: 'to_hubspot',
    conflict: 'remote',
    emailOnly: true,
    mappings: [],
    filters: { remote: [], hubspot: [] },
  }),
  /** How often incremental passes look for changed cards (D6: HubSpot within 30 s of a change). */
  pollSeconds: z.number().int().min(1).max(600).default(5),
});

export const credentials = z.object({ apiKey: z.string() });

export type Settings = z.output<typeof settings>;
export type Credentials = z.output<typeof credentials>;
export type ConnectInput = z.output<typeof connectInput>;

/** What the admin saves on the review screen (PUT /api/sansan/connections/:id/settings). */
export const settingsUpdate = z
  .object({
    tags: z.array(tagSchema).max(MAX_TAGS, `at most ${MAX_TAGS} tags`),
    sync: syncSettingsSchema,
    pollSeconds: z.number().int().min(1).max(600).optional(),
  })
  .strict();
