/**
 * The telephony connector's settings, validated at every edge (admin API,
 * database): which call types auto-create contacts (T5), how contacts are
 * synced into the PBX (T4), and how PBX numbers are read.
 */
import { z } from 'zod';

export const settingsSchema = z.object({
  autoCreate: z.object({
    /** T5: unknown callers of inbound calls become `Automatic New Contact - <number>`. */
    inbound: z.boolean().default(false),
    outbound: z.boolean().default(false),
  }).default({ inbound: false, outbound: false }),
  contactSync: z.object({
    /** T4: copy CRM contacts who call a bound user into the CRM-owned phonebook. */
    enabled: z.boolean().default(false),
    modules: z.array(z.enum(['contacts', 'companies'])).default(['contacts']),
    phonebookId: z.string().nullable().default(null),
    phonebookName: z.string().nullable().default(null),
  }).default({ enabled: false, modules: ['contacts'], phonebookId: null, phonebookName: null }),
  numbers: z.object({
    /** Country assumed for numbers the PBX reports without a country code; default SPOKES_DEFAULT_REGION. */
    defaultRegion: z.string().regex(/^[A-Z]{2}$/, 'a two-letter ISO country code').nullable().default(null),
    /** An outbound-route prefix the PBX leaves in front of dialled numbers (e.g. `9`), stripped before matching. */
    outboundPrefix: z.string().regex(/^[0-9*#]{0,4}$/, 'up to 4 digits, * or #').default(''),
  }).default({ defaultRegion: null, outboundPrefix: '' }),
});

export type TelephonySettings = z.output<typeof settingsSchema>;

export const defaultSettings = (): TelephonySettings => settingsSchema.parse({});

/** Partial update from the admin page: each section may be given on its own. */
export const settingsPatchSchema = z.object({
  autoCreate: settingsSchema.shape.autoCreate.unwrap().partial().optional(),
  contactSync: settingsSchema.shape.contactSync.unwrap().partial().optional(),
  numbers: settingsSchema.shape.numbers.unwrap().partial().optional(),
}).strict();

export type SettingsPatch = z.input<typeof settingsPatchSchema>;

export function mergeSettings(current: TelephonySettings, patch: SettingsPatch): TelephonySettings {
  return settingsSchema.parse({
    autoCreate: { ...current.autoCreate, ...patch.autoCreate },
    contactSync: { ...current.contactSync, ...patch.contactSync },
    numbers: { ...current.numbers, ...patch.numbers },
  });
}
