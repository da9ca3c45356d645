import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';

/** A user who can be the organizer (host) of a booking. */
export const hostSeedSchema = z
  .object({
    name: z.string().min(1),
    email: z.string().email(),
    /** IANA zone; default 'UTC'. */
    timeZone: z.string().optional(),
    /** Default: derived from the e-mail's local part. */
    username: z
      .string()
      .regex(/^[a-z0-9._-]+$/, 'lower-case letters, digits, ".", "_" and "-"')
      .optional(),
    locale: z.string().min(2).optional(),
  })
  .strict();
export type HostSeed = z.infer<typeof hostSeedSchema>;

/** An event type (Cal.com) or meeting type (immedio 面談タイプ). */
export const eventTypeSeedSchema = z
  .object({
    id: z.number().int().positive().optional(),
    slug: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and "-"'),
    title: z.string().min(1),
    /** Minutes. */
    length: z.number().int().min(1).max(1440),
    description: z.string().optional(),
    /** E-mail of the host who organizes its bookings; default: the first host. */
    host: z.string().email().optional(),
    /**
     * Where its meetings take place, first one the default: a Cal.com location value
     * (`integrations:daily`, `integrations:zoom`, `integrations:google:meet`, `integrations:office365_video`),
     * an address, a phone number or a link.
     */
    locations: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type EventTypeSeed = z.infer<typeof eventTypeSeedSchema>;

export const httpUrlSchema = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

/** A webhook subscription configured before start (the vendor's settings page). */
export const webhookSeedSchema = z
  .object({
    subscriberUrl: httpUrlSchema,
    /** Signing secret; null signs nothing (Cal.com sends "no-secret-provided"). Default: a random one. */
    secret: z.string().min(1).nullable().optional(),
    /** Default: BOOKING_CREATED, BOOKING_RESCHEDULED, BOOKING_CANCELLED. */
    eventTriggers: z.array(z.string()).min(1).optional(),
    active: z.boolean().optional(),
  })
  .strict();
export type WebhookSeed = z.infer<typeof webhookSeedSchema>;

/** How deliveries are retried; see docs/sandbox/booking.md "Deliveries". */
export const deliveryPolicySchema = z
  .object({
    /** Attempts in all, the first included. Default 3; 1 = no retry. */
    maxAttempts: z.number().int().min(1).max(10).optional(),
    /** Wait before the 2nd attempt; doubles for each further one. Default 1000 ms. */
    backoffMs: z.number().int().min(0).max(3_600_000).optional(),
    /** How long an attempt waits for an answer. Default 10 000 ms. */
    timeoutMs: z.number().int().min(50).max(120_000).optional(),
  })
  .strict();
export type DeliveryPolicy = Required<z.infer<typeof deliveryPolicySchema>>;

const optionsSchema = z
  .object({
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().optional(),
    hosts: z.array(hostSeedSchema).min(1).optional(),
    eventTypes: z.array(eventTypeSeedSchema).min(1).optional(),
    webhooks: z.array(webhookSeedSchema).optional(),
    delivery: deliveryPolicySchema.optional(),
    apiKey: z
      .string()
      .regex(/^cal_[A-Za-z0-9_]+$/, 'a Cal.com API key starts with "cal_"')
      .optional(),
  })
  .strict();

export interface BookingSandboxOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Organizers; default: three hosts, the first the HubSpot emulator's default user. */
  hosts?: HostSeed[];
  /** Default: three per system (see the docs). */
  eventTypes?: EventTypeSeed[];
  /** Webhook subscriptions that exist from the start (listed in /sandbox/info with their secrets). */
  webhooks?: WebhookSeed[];
  delivery?: z.input<typeof deliveryPolicySchema>;
  /** Cal.com only: the v2 API key (`cal_…`); default a random `cal_live_…`. */
  apiKey?: string;
  /** Fastify request logger; default none. */
  logger?: FastifyBaseLogger;
}

export interface ResolvedBookingOptions {
  port: number;
  host: string;
  hosts: HostSeed[];
  eventTypes: EventTypeSeed[];
  webhooks: WebhookSeed[];
  delivery: DeliveryPolicy;
  apiKey: string;
  logger?: FastifyBaseLogger;
}

/**
 * Default hosts. admin@spokes-sandbox.test is the HubSpot emulator's default user, an owner in
 * every sandbox portal (sandbox/hubspot/options.ts DEFAULT_USER), so a booking with the default
 * host maps to a HubSpot owner without any seeding; Spokes' sandbox passes its seeded owners instead.
 */
export const DEFAULT_HOSTS: HostSeed[] = [
  { name: 'Sam Admin', email: 'admin@spokes-sandbox.test', timeZone: 'America/New_York', username: 'sam' },
  { name: 'Kristin Hale', email: 'kristin.hale@example.com', timeZone: 'Europe/Berlin', username: 'kristin' },
  { name: 'Haruto Sato', email: 'haruto.sato@example.com', timeZone: 'Asia/Tokyo', username: 'haruto', locale: 'ja' },
];

export function assertTimeZone(zone: string, field: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new TypeError(`${field}: unknown time zone "${zone}"`);
  }
}

export function resolveBookingOptions(system: string, input: BookingSandboxOptions, defaults: { eventTypes: EventTypeSeed[] }): ResolvedBookingOptions {
  const { logger, ...rest } = input;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new TypeError(`${system} sandbox: invalid option ${first.path.join('.') || 'options'}: ${first.message}`);
  }
  const o = parsed.data;
  const hosts = o.hosts ?? DEFAULT_HOSTS;
  const emails = new Set<string>();
  for (const [i, h] of hosts.entries()) {
    if (h.timeZone) assertTimeZone(h.timeZone, `${system} sandbox: hosts.${i}.timeZone`);
    const key = h.email.toLowerCase();
    if (emails.has(key)) throw new TypeError(`${system} sandbox: duplicate host ${h.email}`);
    emails.add(key);
  }
  const eventTypes = o.eventTypes ?? defaults.eventTypes;
  for (const [i, et] of eventTypes.entries()) {
    if (et.host && !emails.has(et.host.toLowerCase())) throw new TypeError(`${system} sandbox: eventTypes.${i}.host ${et.host} is not one of the hosts`);
  }
  if (new Set(eventTypes.map((e) => e.slug)).size !== eventTypes.length) throw new TypeError(`${system} sandbox: event type slugs must be unique`);
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    hosts,
    eventTypes,
    webhooks: o.webhooks ?? [],
    delivery: { maxAttempts: 3, backoffMs: 1000, timeoutMs: 10_000, ...o.delivery },
    // Cal.com keys are "cal_" (self-hosted) or "cal_live_" followed by 32 hex digits.
    apiKey: o.apiKey ?? `cal_live_${randomBytes(16).toString('hex')}`,
    logger,
  };
}

/** A random webhook secret: 32 hex digits. */
export const randomSecret = () => randomBytes(16).toString('hex');
