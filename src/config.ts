/**
 * Environment (and optional `spokes.config.json`) → typed configuration.
 * This is the only module that reads `process.env`. Every bad variable is
 * reported at once, one line each: the variable, what is wrong, an example.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, type ErrorDetail } from './errors.ts';
import { AddressPolicy, NAMED_RANGES } from './net/address-policy.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Each setting: its environment variable, its key in spokes.config.json, its schema and an example. */
const settings = {
  port: {
    env: 'SPOKES_PORT',
    example: '3000',
    schema: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be 0–65535')
      .max(65535, 'must be 0–65535')
      .default(3000),
  },
  host: { env: 'SPOKES_HOST', example: '127.0.0.1', schema: z.string().min(1).default('127.0.0.1') },
  dataDir: { env: 'SPOKES_DATA_DIR', example: './data', schema: z.string().min(1).default('./data') },
  databaseUrl: {
    env: 'DATABASE_URL',
    example: 'postgres://spokes:secret@127.0.0.1:5432/spokes',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  },
  secretKey: {
    env: 'SPOKES_SECRET_KEY',
    secret: true,
    example: '$(openssl rand -base64 32)',
    schema: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), 'must be 32 random bytes in base64 (44 characters)')
      .optional(),
  },
  publicUrl: {
    env: 'SPOKES_PUBLIC_URL',
    example: 'https://spokes.example.com',
    schema: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  },
  logLevel: { env: 'SPOKES_LOG_LEVEL', example: 'info', schema: z.enum(LOG_LEVELS).default('info') },
  adminPassword: {
    env: 'SPOKES_ADMIN_PASSWORD',
    secret: true,
    example: 'a-long-passphrase',
    schema: z.string().min(12, 'must be at least 12 characters').optional(),
  },
  metricsToken: {
    env: 'SPOKES_METRICS_TOKEN',
    secret: true,
    example: '$(openssl rand -hex 32)',
    schema: z
      .string()
      .min(16, 'must be at least 16 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
  },
  sandbox: {
    env: 'SPOKES_SANDBOX',
    example: 'auto',
    schema: z.enum(['auto', 'on', 'off']).default('auto'),
  },
  sandboxPort: {
    env: 'SPOKES_SANDBOX_PORT',
    example: '3001',
    schema: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be 0–65535')
      .max(65535, 'must be 0–65535')
      .optional(),
  },
  hubspotClientId: { env: 'HUBSPOT_CLIENT_ID', example: 'a1b2c3d4-…', schema: z.string().min(1).optional() },
  hubspotClientSecret: { env: 'HUBSPOT_CLIENT_SECRET', secret: true, example: 'your-app-client-secret', schema: z.string().min(1).optional() },
  hubspotAccessToken: { env: 'HUBSPOT_ACCESS_TOKEN', secret: true, example: 'pat-na1-…', schema: z.string().min(1).optional() },
  hubspotBaseUrl: {
    env: 'HUBSPOT_BASE_URL',
    example: 'https://api.hubapi.com',
    schema: z
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  },
  pbxAddresses: {
    env: 'SPOKES_PBX_ADDRESSES',
    example: 'public,private',
    schema: z
      .string()
      .trim()
      .min(1)
      .refine(
        (v) => {
          try {
            new AddressPolicy(v);
            return true;
          } catch {
            return false;
          }
        },
        `must list ${NAMED_RANGES.join(', ')} or addresses and CIDR blocks, separated by commas`,
      )
      .optional(),
  },
  defaultRegion: {
    env: 'SPOKES_DEFAULT_REGION',
    example: 'US',
    schema: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO country code')
      .default('US'),
  },
  workerConcurrency: {
    env: 'SPOKES_WORKER_CONCURRENCY',
    example: '4',
    schema: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be 1–64').max(64, 'must be 1–64').default(4),
  },
  shutdownTimeoutMs: {
    env: 'SPOKES_SHUTDOWN_TIMEOUT_MS',
    example: '30000',
    schema: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number').min(0, 'must not be negative').default(30_000),
  },
  jobSuperviseSeconds: {
    env: 'SPOKES_JOB_SUPERVISE_SECONDS',
    example: '5',
    schema: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number')
      .min(1, 'must be 1–300')
      .max(300, 'must be 1–300')
      .default(5),
  },
  auditRetentionDays: {
    env: 'SPOKES_AUDIT_RETENTION_DAYS',
    example: '90',
    schema: z.coerce
      .number({ error: 'must be a whole number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be 1–3650')
      .max(3650, 'must be 1–3650')
      .default(90),
  },
  jobPollSeconds: {
    env: 'SPOKES_JOB_POLL_SECONDS',
    example: '0.5',
    schema: z.coerce.number({ error: 'must be a number of seconds' }).min(0.5, 'must be 0.5–60').max(60, 'must be 0.5–60').default(0.5),
  },
} as const;

type Settings = typeof settings;
export type SettingName = keyof Settings;
type Parsed = { [K in SettingName]: z.output<Settings[K]['schema']> };

export interface Config extends Parsed {
  /** Absolute data directory. */
  dataDir: string;
  /** External URL (OAuth redirect URLs, links in HubSpot); `http://localhost:<port>` unless set. */
  publicUrl: string;
  /** `pglite` (embedded, files in `<dataDir>/pg`) or `postgres` (DATABASE_URL). */
  engine: 'pglite' | 'postgres';
  /** Whether SPOKES_PUBLIC_URL was given (otherwise publicUrl follows the port actually bound). */
  publicUrlSet: boolean;
  /** Run against the built-in sandbox: SPOKES_SANDBOX=on, or `auto` with no HubSpot credentials configured. */
  sandboxMode: boolean;
  /** First port of the sandbox emulators (HubSpot; the PBX takes the next): SPOKES_SANDBOX_PORT, else port + 1. */
  sandboxBasePort: number;
  /**
   * Which addresses a PBX may be at (SPOKES_PBX_ADDRESSES): public and private ranges unless set; loopback too in
   * sandbox mode, whose PBX emulator runs on this machine. Link-local (cloud metadata services) only when listed.
   */
  pbxAddresses: string;
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Path of the optional JSON file; default `spokes.config.json` in the working directory, or `SPOKES_CONFIG`. */
  configFile?: string;
  cwd?: string;
}

/** Parses the configuration, or throws a ConfigError listing every bad setting. */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const details: ErrorDetail[] = [];
  const file = readConfigFile(opts.configFile ?? env.SPOKES_CONFIG ?? resolve(cwd, 'spokes.config.json'), !!(opts.configFile ?? env.SPOKES_CONFIG), details);

  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [SettingName, Settings[SettingName]][]) {
    const fromEnv = env[s.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : file[key];
    const source = fromEnv !== undefined && fromEnv !== '' ? s.env : `${s.env} (spokes.config.json "${key}")`;
    const result = (s.schema as z.ZodType).safeParse(raw);
    if (result.success) out[key] = result.data;
    else details.push({ field: s.env, message: `${source}: ${describe(result.error, raw, 'secret' in s)}, e.g. ${s.env}=${s.example}` });
  }
  for (const key of Object.keys(file)) {
    if (!(key in settings)) details.push({ field: key, message: `spokes.config.json: unknown setting "${key}"; known: ${Object.keys(settings).join(', ')}` });
  }
  if (details.length) throw new ConfigError(details.map((d) => d.message).join('\n'), details);

  const parsed = out as Parsed;
  const sandboxMode = parsed.sandbox === 'on' || (parsed.sandbox === 'auto' && !parsed.hubspotClientId && !parsed.hubspotAccessToken && !parsed.hubspotBaseUrl);
  return {
    ...parsed,
    dataDir: resolve(cwd, parsed.dataDir),
    publicUrl: parsed.publicUrl ?? `http://localhost:${parsed.port}`,
    engine: parsed.databaseUrl ? 'postgres' : 'pglite',
    publicUrlSet: parsed.publicUrl !== undefined,
    sandboxMode,
    sandboxBasePort: parsed.sandboxPort ?? (parsed.port === 0 ? 0 : parsed.port + 1),
    pbxAddresses: parsed.pbxAddresses ?? (sandboxMode ? 'public,private,loopback' : 'public,private'),
  };
}

function readConfigFile(path: string, required: boolean, details: ErrorDetail[]): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) details.push({ field: 'SPOKES_CONFIG', message: `SPOKES_CONFIG: file ${path} does not exist, e.g. SPOKES_CONFIG=./spokes.config.json` });
    return {};
  }
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    details.push({ field: 'spokes.config.json', message: `${path}: must hold a JSON object, e.g. {"port": 3000}` });
  } catch (err) {
    details.push({ field: 'spokes.config.json', message: `${path}: is not valid JSON (${(err as Error).message})` });
  }
  return {};
}

/** Names what is wrong; echoes the value only when it is short and not a secret. */
function describe(error: z.ZodError, raw: unknown, secret: boolean): string {
  const issue = error.issues[0];
  const value = typeof raw === 'string' && /^postgres/.test(raw) ? redactDatabaseUrl(raw) : raw;
  const shown = !secret && (typeof value === 'string' || typeof value === 'number') && String(value).length <= 80 ? ` (got "${value}")` : '';
  return `${issue?.message ?? 'invalid value'}${shown}`;
}

/** The names of every environment variable Spokes reads, with an example (for `--help` and the README). */
export function settingsTable(): { env: string; key: string; example: string }[] {
  return Object.entries(settings).map(([key, s]) => ({ env: s.env, key, example: s.example }));
}

/** A database URL with its password replaced, safe to print. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
