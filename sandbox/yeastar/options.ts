import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import { assertTimeZone, type DateDisplayFormat } from './pbx-time.ts';

/** Limits of a real P-Series PBX (pbx-apis.md §1.2, §1.3); each can be overridden for tests. */
export interface YeastarLimits {
  /** Access token lifetime, seconds. Real: 1800. */
  accessTokenTtlSec: number;
  /** Refresh token lifetime, seconds. Real: 86400. */
  refreshTokenTtlSec: number;
  /** Valid access tokens one client may hold at once. Real: 8; the 9th get_token fails with 60002. */
  maxAccessTokens: number;
  /** Failed get_token attempts from one IP before it is blocked. Real: 5. */
  maxFailedLogins: number;
  /** How long an IP block lasts, seconds (the real PBX keeps it until an admin removes it or it expires). */
  ipBlockSec: number;
  /** WebSocket idle timeout before the PBX drops the socket, ms. Real: 60 000. Default: 60 000 × timeScale. */
  wsIdleMs: number;
  /** Webhooks the web UI accepts. Real: 5. */
  maxWebhooks: number;
  /** Lifetime of a `recording/download` URL, seconds. Real: 1800. */
  downloadUrlTtlSec: number;
}

export const extensionSeedSchema = z.object({
  number: z.string().regex(/^\d{1,7}$/, 'an extension number is 1 to 7 digits'),
  name: z.string().min(1),
  email: z.string().email().or(z.literal('')),
  mobile: z.string().optional(),
  /** Registered on a SIP phone. An unregistered caller makes call/dial fail. */
  online: z.boolean().optional(),
  /** Whether the extension may dial out through a trunk (otherwise 30015 "NO Outbound Restrictin"). */
  outboundPermission: z.boolean().optional(),
  presence: z.enum(['available', 'away', 'business_trip', 'do_not_disturb', 'lunch', 'off_work']).optional(),
  role: z.string().optional(),
  /** 'auto': the phone picks up a call/dial ring after `callerAnswerSeconds`; 'manual': a test answers it. */
  answerMode: z.enum(['auto', 'manual']).optional(),
});
export type ExtensionSeed = z.infer<typeof extensionSeedSchema>;

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().optional(),
  extensions: z.array(extensionSeedSchema).optional(),
  timezone: z.string().optional(),
  dateFormat: z.enum(['YYYY/MM/DD', 'MM/DD/YYYY', 'DD/MM/YYYY']).optional(),
  timeScale: z.number().positive().max(100).optional(),
  serialNumber: z.string().min(1).optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  webhookSecret: z.string().min(1).optional(),
  trunkName: z.string().min(1).optional(),
  didNumber: z.string().min(1).optional(),
  limits: z
    .object({
      accessTokenTtlSec: z.number().positive(),
      refreshTokenTtlSec: z.number().positive(),
      maxAccessTokens: z.number().int().positive(),
      maxFailedLogins: z.number().int().positive(),
      ipBlockSec: z.number().positive(),
      wsIdleMs: z.number().positive(),
      maxWebhooks: z.number().int().positive(),
      downloadUrlTtlSec: z.number().positive(),
    })
    .partial()
    .optional(),
});

export interface YeastarSandboxOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** The PBX's extensions; default: a realistic set of five (1001–1005). */
  extensions?: ExtensionSeed[];
  /** IANA zone of the PBX clock, e.g. 'Europe/Berlin'. Default 'UTC'. */
  timezone?: string;
  /** PBX date display format for REST times and filters. Default 'MM/DD/YYYY'. */
  dateFormat?: DateDisplayFormat;
  /** Time compression for call timelines and the WebSocket idle timeout: 1 = real time, 0.01 = 100× faster. */
  timeScale?: number;
  serialNumber?: string;
  clientId?: string;
  clientSecret?: string;
  webhookSecret?: string;
  trunkName?: string;
  /** The DID external callers dial; appears as `inbound.to` and CDR `did_number`. */
  didNumber?: string;
  limits?: Partial<YeastarLimits>;
  /** pino logger for the Fastify app; default: no request logging. */
  logger?: Logger;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  extensions: ExtensionSeed[];
  timezone: string;
  dateFormat: DateDisplayFormat;
  timeScale: number;
  serialNumber: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  trunkName: string;
  didNumber: string;
  limits: YeastarLimits;
  logger?: Logger;
}

export const DEFAULT_EXTENSIONS: ExtensionSeed[] = [
  { number: '1001', name: 'Kristin Hale', email: 'kristin.hale@example.com', mobile: '+14155550101' },
  { number: '1002', name: 'Terrel Smith', email: 'terrel.smith@example.com', mobile: '+14155550102' },
  { number: '1003', name: 'Dave Harris', email: 'dave.harris@example.com' },
  { number: '1004', name: 'Evelyn Lee', email: 'evelyn.lee@example.com' },
  { number: '1005', name: 'Leo Ball', email: 'leo.ball@example.com' },
];

/** 32 alphanumerics, the length of real client ids, secrets and webhook secrets. */
export function randomKey(length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function resolveOptions(input: YeastarSandboxOptions = {}): ResolvedOptions {
  const { logger, ...rest } = input;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new TypeError(`startYeastarSandbox: invalid option ${first.path.join('.')}: ${first.message}`);
  }
  const o = parsed.data;
  const timezone = o.timezone ?? 'UTC';
  assertTimeZone(timezone);
  const timeScale = o.timeScale ?? 1;
  const extensions = o.extensions ?? DEFAULT_EXTENSIONS;
  const numbers = new Set<string>();
  for (const e of extensions) {
    if (numbers.has(e.number)) throw new TypeError(`startYeastarSandbox: duplicate extension ${e.number}`);
    numbers.add(e.number);
  }
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    extensions,
    timezone,
    dateFormat: o.dateFormat ?? 'MM/DD/YYYY',
    timeScale,
    // Real serials look like "3631A2124XXX" (pbx-apis.md §1.5 example).
    serialNumber: o.serialNumber ?? `3631A${randomBytes(4).toString('hex').toUpperCase().slice(0, 7)}`,
    clientId: o.clientId ?? randomKey(),
    clientSecret: o.clientSecret ?? randomKey(),
    webhookSecret: o.webhookSecret ?? randomKey(),
    trunkName: o.trunkName ?? 'SIP-Trunk1',
    didNumber: o.didNumber ?? '5503300',
    limits: {
      accessTokenTtlSec: 1800,
      refreshTokenTtlSec: 86400,
      maxAccessTokens: 8,
      maxFailedLogins: 5,
      ipBlockSec: 600,
      wsIdleMs: 60_000 * timeScale,
      maxWebhooks: 5,
      downloadUrlTtlSec: 1800,
      ...o.limits,
    },
    logger,
  };
}
