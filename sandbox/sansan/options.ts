/**
 * `startSansanSandbox` options, validated with zod at the edge (STYLE.md rule 6).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseOffset } from './clock.ts';
import { newApiKey } from './random.ts';

/**
 * The API version in the base path. v3.2 is the newest version that several independent
 * public clients call for the endpoints emulated here (bizCards/search, persons,
 * bizCards/{id}/image); see docs/sandbox/sansan.md "Version" for the others seen.
 */
export const DEFAULT_API_VERSION = 'v3.2';

export const seedSchema = z
  .object({
    cards: z.number().int().min(0).max(500_000).default(200),
    /** Tags in the tenant (public, shared and private together); HubSpot's picker shows up to 300. */
    tags: z.number().int().min(0).max(5_000).default(330),
    seed: z.union([z.number().int(), z.string()]).default(1),
    /** How far back registration times go, in days. */
    days: z.number().int().min(1).max(3_650).default(730),
  })
  .strict();

export type SeedOptions = z.input<typeof seedSchema>;
export type ResolvedSeed = z.output<typeof seedSchema>;

export const userSchema = z
  .object({
    /** Sansan user ids are at most 20 characters (sansan-mcp's `ownerUserId` schema). */
    id: z.string().min(1).max(20),
    name: z.string().min(1),
    email: z.string().min(3),
    /** 32 alphanumerics; generated when omitted. */
    apiKey: z
      .string()
      .regex(/^[A-Za-z0-9]{32}$/, 'an API key is 32 letters and digits')
      .optional(),
    /** Whether the user may see the tenant's cards (range=all) or only their own. Default true. */
    seesAllCards: z.boolean().default(true),
  })
  .strict();

export type UserSeed = z.input<typeof userSchema>;

const limitsSchema = z
  .object({
    /** Requests per rolling second per API key; 0 switches the limit off. Real: 10 (reference §A.6). */
    requestsPerSecond: z.number().int().min(0).max(100_000).optional(),
    /** How long a nextPageToken stays usable. */
    pageTokenTtlSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .optional(),
  })
  .strict();

export type SansanLimits = { requestsPerSecond: number; pageTokenTtlSeconds: number };
export const DEFAULT_LIMITS: SansanLimits = { requestsPerSecond: 10, pageTokenTtlSeconds: 3_600 };

const optionsSchema = z
  .object({
    port: z.number().int().min(0).max(65_535).default(0),
    host: z.string().default('127.0.0.1'),
    /** Base URL to report when the app is reached through another origin. */
    publicUrl: z.string().url().optional(),
    apiVersion: z
      .string()
      .regex(/^v\d+(\.\d+)?$/, 'a version looks like v3.2')
      .default(DEFAULT_API_VERSION),
    /** The tenant's UTC offset for times in answers and `exchangeDate`; Sansan is a Japanese service. */
    utcOffset: z
      .string()
      .refine((s) => parseOffset(s) !== undefined, 'an offset looks like +09:00 or Z')
      .default('+09:00'),
    users: z.array(userSchema).min(1).optional(),
    /** The tenant's cards at start and after `POST /sandbox/reset`; false for none. */
    seed: z.union([seedSchema, z.literal(false)]).optional(),
    limits: limitsSchema.default({}),
    snapshotPath: z.string().optional(),
    snapshotDebounceMs: z.number().int().min(0).default(500),
  })
  .strict();

export interface SansanSandboxOptions extends z.input<typeof optionsSchema> {
  /** pino logger for problems (unexpected errors, snapshot failures); default: silent. */
  logger?: Logger;
}

export interface SansanUser {
  id: string;
  name: string;
  email: string;
  apiKey: string;
  seesAllCards: boolean;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  publicUrl?: string;
  apiVersion: string;
  utcOffsetMinutes: number;
  users: SansanUser[];
  seed: ResolvedSeed | false;
  limits: SansanLimits;
  snapshotPath?: string;
  snapshotDebounceMs: number;
  logger?: Logger;
}

export const DEFAULT_USERS: UserSeed[] = [
  { id: '1000001', name: '山田 太郎', email: 'taro.yamada@sansan-tenant.example' },
  { id: '1000002', name: '佐藤 花子', email: 'hanako.sato@sansan-tenant.example' },
  // A user without the right to see the tenant's cards: range=all shows only their own.
  { id: '1000003', name: 'Emily Clark', email: 'emily.clark@sansan-tenant.example', seesAllCards: false },
];

export function resolveOptions(input: SansanSandboxOptions = {}): ResolvedOptions {
  const { logger, ...rest } = input;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new TypeError(`Invalid Sansan sandbox options: ${detail}`);
  }
  const o = parsed.data;
  const users = (o.users ?? DEFAULT_USERS.map((u) => userSchema.parse(u))).map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    apiKey: u.apiKey ?? newApiKey(),
    seesAllCards: u.seesAllCards ?? true,
  }));
  const ids = new Set(users.map((u) => u.id));
  const keys = new Set(users.map((u) => u.apiKey));
  if (ids.size !== users.length) throw new TypeError('Invalid Sansan sandbox options: users: ids must be unique');
  if (keys.size !== users.length) throw new TypeError('Invalid Sansan sandbox options: users: API keys must be unique');
  return {
    port: o.port,
    host: o.host,
    publicUrl: o.publicUrl,
    apiVersion: o.apiVersion,
    utcOffsetMinutes: parseOffset(o.utcOffset)!,
    users,
    seed: o.seed === false ? false : seedSchema.parse(o.seed ?? {}),
    limits: { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(o.limits).filter(([, v]) => v !== undefined)) },
    snapshotPath: o.snapshotPath,
    snapshotDebounceMs: o.snapshotDebounceMs,
    logger,
  };
}
