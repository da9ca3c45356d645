/**
 * The telephony connector's settings, validated at every edge (admin API,
 * database): which call types auto-create contacts (T5), how contacts are
 * synced into the PBX (T4), and how PBX numbers are read.
 */
import { z } from 'zod';

/** Each section's fields as given (no defaults), shared by the full settings and the admin page's partial updates. */
const autoCreateFields = {
  /** T5: unknown callers of inbound calls become `Automatic New Contact - <number>`. */
  inbound: z.boolean(),
  outbound: z.boolean(),
};
const contactSyncFields = {
  /** T4: copy CRM contacts who call a bound user into the CRM-owned phonebook. */
  enabled: z.boolean(),
  modules: z.array(z.enum(['contacts', 'companies'])),
  phonebookId: z.string().nullable(),
  phonebookName: z.string().nullable(),
};
const numbersFields = {
  /** Country assumed for numbers the PBX reports without a country code; default SPOKES_DEFAULT_REGION. */
  defaultRegion: z
    .string()
    .regex(/^[A-Z]{2}$/, 'a two-letter ISO country code')
    .nullable(),
  /** An outbound-route prefix the PBX leaves in front of dialled numbers (e.g. `9`), stripped before matching. */
  outboundPrefix: z.string().regex(/^[0-9*#]{0,4}$/, 'up to 4 digits, * or #'),
};

export const settingsSchema = z.object({
  autoCreate: z
    .object({
      inbound: autoCreateFields.inbound.default(false),
      outbound: autoCreateFields.outbound.default(false),
    })
    .default({ inbound: false, outbound: false }),
  contactSync: z
    .object({
      enabled: contactSyncFields.enabled.default(false),
      modules: contactSyncFields.modules.default(['contacts']),
      phonebookId: contactSyncFields.phonebookId.default(null),
      phonebookName: contactSyncFields.phonebookName.default(null),
    })
    .default({ enabled: false, modules: ['contacts'], phonebookId: null, phonebookName: null }),
  numbers: z
    .object({
      defaultRegion: numbersFields.defaultRegion.default(null),
      outboundPrefix: numbersFields.outboundPrefix.default(''),
    })
    .default({ defaultRegion: null, outboundPrefix: '' }),
});

export type TelephonySettings = z.output<typeof settingsSchema>;

export const defaultSettings = (): TelephonySettings => settingsSchema.parse({});

/**
 * Partial update from the admin page: each section may be given on its own, and within a section
 * only the fields given change (no defaults here: a field left out keeps its value).
 */
export const settingsPatchSchema = z
  .object({
    autoCreate: z.object(autoCreateFields).partial().strict().optional(),
    contactSync: z.object(contactSyncFields).partial().strict().optional(),
    numbers: z.object(numbersFields).partial().strict().optional(),
  })
  .strict();

export type SettingsPatch = z.input<typeof settingsPatchSchema>;

export function mergeSettings(current: TelephonySettings, patch: SettingsPatch): TelephonySettings {
  return settingsSchema.parse({
    autoCreate: { ...current.autoCreate, ...patch.autoCreate },
    contactSync: { ...current.contactSync, ...patch.contactSync },
    numbers: { ...current.numbers, ...patch.numbers },
  });
}
