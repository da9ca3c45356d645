/**
 * What an admin configures for a sync (reference §B): the direction, the
 * conflict rule, the field mappings (each with its own direction, coercion and
 * optional conflict rule), filters per side and the "only sync contacts with a
 * valid e-mail" switch (D5, on by default). A connector keeps these inside its
 * connection settings (`settings.sync`), so they are validated on every read.
 */
import { z } from 'zod';

/** `to_hubspot`: the remote app → HubSpot; `to_remote`: HubSpot → the app; `both`: two-way. */
export const DIRECTIONS = ['to_hubspot', 'to_remote', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** "Always use HubSpot", "always use the app", "most recent wins" (by each record's own modification time). */
export const CONFLICT_RULES = ['hubspot', 'remote', 'recent'] as const;
export type ConflictRule = (typeof CONFLICT_RULES)[number];

/** Reference §B.4: type-compatible pairs, option maps for enumerations, and one-way "anything → text". */
export const COERCIONS = ['text', 'number', 'date', 'datetime', 'bool', 'enumeration', 'any_to_text'] as const;
export type Coercion = (typeof COERCIONS)[number];

export const mappingSchema = z
  .object({
    /** Remote field(s): several are joined with a space (street + building → address). */
    remote: z.array(z.string().min(1).max(100)).min(1).max(5),
    /** HubSpot contact property (internal name). */
    hubspot: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[a-z0-9_]+$/, 'a HubSpot internal property name: lower-case letters, digits and _'),
    direction: z.enum(DIRECTIONS).default('to_hubspot'),
    coercion: z.enum(COERCIONS).default('text'),
    /** Enumeration: remote value → HubSpot option value (and back, for two-way). */
    valueMap: z.record(z.string(), z.string()).optional(),
    enabled: z.boolean().default(true),
    /** Two-way mappings may override the connection's conflict rule. */
    conflict: z.enum(CONFLICT_RULES).optional(),
    /** A default mapping of the connector (shown as such), or one the admin added. */
    custom: z.boolean().default(false),
  })
  .strict();
export type Mapping = z.output<typeof mappingSchema>;
export type MappingInput = z.input<typeof mappingSchema>;

export const FILTER_OPERATORS = ['equals', 'not_equals', 'contains', 'present', 'absent'] as const;
export const filterSchema = z
  .object({
    field: z.string().min(1).max(100),
    operator: z.enum(FILTER_OPERATORS),
    value: z.string().max(500).optional(),
  })
  .strict();
export type Filter = z.output<typeof filterSchema>;

export const syncSettingsSchema = z
  .object({
    /** Sync runs only when configured and switched on (D1). */
    enabled: z.boolean().default(false),
    direction: z.enum(DIRECTIONS).default('to_hubspot'),
    conflict: z.enum(CONFLICT_RULES).default('remote'),
    /** D5: records without a valid e-mail are excluded (on by default). */
    emailOnly: z.boolean().default(true),
    mappings: z.array(mappingSchema).max(200).default([]),
    filters: z
      .object({ remote: z.array(filterSchema).max(50).default([]), hubspot: z.array(filterSchema).max(50).default([]) })
      .default({ remote: [], hubspot: [] }),
  })
  .strict();
export type SyncSettings = z.output<typeof syncSettingsSchema>;
export type SyncSettingsInput = z.input<typeof syncSettingsSchema>;

/** Does a record's values pass every filter of one side? Returns the first failing filter's reason, or null. */
export function filterReason(filters: readonly Filter[], get: (field: string) => string | null | undefined): string | null {
  for (const f of filters) {
    const raw = get(f.field);
    const v = raw == null ? '' : String(raw).trim();
    const want = (f.value ?? '').trim();
    const ok =
      f.operator === 'present'
        ? v !== ''
        : f.operator === 'absent'
          ? v === ''
          : f.operator === 'equals'
            ? v.toLowerCase() === want.toLowerCase()
            : f.operator === 'not_equals'
              ? v.toLowerCase() !== want.toLowerCase()
              : v.toLowerCase().includes(want.toLowerCase());
    if (!ok) return `filter: ${f.field} ${f.operator.replace('_', ' ')}${f.value === undefined ? '' : ` "${f.value}"`}`;
  }
  return null;
}

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** The key records are matched by: the e-mail, lower-cased and trimmed; null when there is none or it is not valid. */
export function emailKey(value: string | null | undefined): string | null {
  const v = (value ?? '').trim().toLowerCase();
  return v && EMAIL.test(v) && v.length <= 254 ? v : null;
}
