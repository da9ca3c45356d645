/**
 * `startHubSpotSandbox` options, validated with zod at the edge (STYLE.md rule 6).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  AUTH_CODE_TTL_SECONDS,
  DEFAULT_LIMITS,
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_TIMEOUT_MS,
  type SandboxLimits,
} from './manifest.ts';

/** What the `onResponse` hook receives for every response the emulator sends. */
export interface ResponseRecord {
  method: string;
  /** Path and query as requested. */
  url: string;
  /** Fastify's route pattern (`/crm/v3/objects/:objectType`), undefined for unmatched routes. */
  routeUrl?: string;
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The raw body text; undefined when the response had none. */
  body?: string;
}

export const seedSchema = z
  .object({
    contacts: z.number().int().min(0).max(500_000).default(50),
    companies: z.number().int().min(0).max(100_000).default(10),
    owners: z.number().int().min(0).max(500).default(5),
    deals: z.number().int().min(0).max(100_000).default(0),
    seed: z.union([z.number().int(), z.string()]).default(1),
    /** Portal to fill; the first standard portal when omitted. */
    portalId: z.number().int().optional(),
  })
  .strict();

export type SeedOptions = z.input<typeof seedSchema>;

const portalSchema = z.object({
  portalId: z.number().int().min(1).max(2_147_483_647),
  name: z.string().min(1),
  type: z.enum(['STANDARD', 'DEVELOPER_TEST']).default('STANDARD'),
  domain: z.string().min(1).optional(),
  defaultRegion: z.string().length(2).optional(),
  privateAppToken: z.string().startsWith('pat-').optional(),
});

export const appRegistrationSchema = z
  .object({
    name: z.string().min(1).max(200),
    redirectUrls: z.array(z.string().url()).min(1),
    scopes: z.array(z.string().min(1)).default([]),
    optionalScopes: z.array(z.string().min(1)).default([]),
    clientId: z.string().uuid().optional(),
    clientSecret: z.string().min(8).optional(),
    appId: z.number().int().min(1).max(2_147_483_647).optional(),
  })
  .strict();

export type AppRegistration = z.input<typeof appRegistrationSchema>;

const optionsSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(0),
    host: z.string().default('127.0.0.1'),
    /** Base URL to report when the app is mounted behind another origin. */
    publicUrl: z.string().url().optional(),
    snapshotPath: z.string().optional(),
    snapshotDebounceMs: z.number().int().min(0).default(500),
    limits: z
      .object(Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((k) => [k, z.number().int().min(0).optional()])))
      .partial()
      .default({}),
    accessTokenTtlSeconds: z.number().int().min(1).default(ACCESS_TOKEN_TTL_SECONDS),
    authCodeTtlSeconds: z.number().int().min(1).default(AUTH_CODE_TTL_SECONDS),
    seed: seedSchema.optional(),
    portals: z.array(portalSchema).min(1).optional(),
    apps: z.array(appRegistrationSchema).optional(),
    webhookRetryDelaysMs: z.array(z.number().int().min(0)).default(WEBHOOK_RETRY_DELAYS_MS),
    webhookTimeoutMs: z.number().int().min(1).default(WEBHOOK_TIMEOUT_MS),
    /** Events arriving within this window are delivered in one request. */
    webhookBatchWindowMs: z.number().int().min(0).default(50),
  })
  .strict();

export interface HubSpotSandboxOptions extends z.input<typeof optionsSchema> {
  logger?: Logger;
  onResponse?: (record: ResponseRecord) => void;
}

export interface ResolvedOptions extends z.output<typeof optionsSchema> {
  logger?: Logger;
  onResponse?: (record: ResponseRecord) => void;
  resolvedLimits: SandboxLimits;
}

export function resolveOptions(input: HubSpotSandboxOptions = {}): ResolvedOptions {
  const { logger, onResponse, ...rest } = input;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new TypeError(`Invalid HubSpot sandbox options: ${detail}`);
  }
  const limits = { ...DEFAULT_LIMITS, ...(parsed.data.limits as Partial<SandboxLimits>) };
  for (const key of Object.keys(limits) as Array<keyof SandboxLimits>) if (limits[key] === undefined) limits[key] = DEFAULT_LIMITS[key];
  return { ...parsed.data, logger, onResponse, resolvedLimits: limits };
}

/** Default accounts: two standard portals and a developer test account (§1.1 chooser). */
export const DEFAULT_PORTALS: Array<z.input<typeof portalSchema>> = [
  { portalId: 20_000_001, name: 'Acme Sales (sandbox)', type: 'STANDARD', domain: 'acme-sales.example', defaultRegion: 'US' },
  { portalId: 20_000_002, name: 'Globex Europe (sandbox)', type: 'STANDARD', domain: 'globex.example', defaultRegion: 'DE' },
  { portalId: 20_000_003, name: 'Developer test account', type: 'DEVELOPER_TEST', domain: 'dev-test.example', defaultRegion: 'US' },
];

export const DEVELOPER_ACCOUNT = { portalId: 20_000_100, name: 'App developer account' };
export const DEFAULT_USER = { email: 'admin@spokes-sandbox.test', firstName: 'Sam', lastName: 'Admin' };
