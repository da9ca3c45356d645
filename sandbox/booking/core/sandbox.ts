import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { buildBookingApp, listen, type BookingContext, type BookingSystem } from './app.ts';
import { cancelBookingSchema, createBookingSchema, rescheduleBookingSchema, type DbBooking } from './booking-store.ts';
import { resetContext, sandboxInfo } from './control-routes.ts';
import type { DeliveryRecord } from './deliveries.ts';
import { faultsSchema, type Faults } from './faults.ts';
import { webhookSeedSchema, type BookingSandboxOptions, type WebhookSeed } from './options.ts';
import type { Subscription } from './subscriptions.ts';

/** `GET /sandbox/info`; the first four fields are relied on by scripts outside the project. */
export interface BookingSandboxInfo {
  system: 'calcom' | 'immedio';
  baseUrl: string;
  eventTypes: { id: number; slug: string; title: string; length: number }[];
  webhooks: { id: string; subscriberUrl: string; secret: string | null; eventTriggers: string[]; active: boolean }[];
  hosts: { id: number; name: string; email: string; timeZone: string; username: string }[];
}

export type CreateBookingInput = z.input<typeof createBookingSchema>;
export type RescheduleBookingInput = z.input<typeof rescheduleBookingSchema>;
export type CancelBookingInput = z.input<typeof cancelBookingSchema>;

/** A running booking emulator. Each method mirrors a /sandbox control. */
export interface BookingSandbox<Info extends BookingSandboxInfo = BookingSandboxInfo> {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  app: FastifyInstance;
  info(): Info;
  close(): Promise<void>;
  /** Same as POST /sandbox/reset: no bookings, deliveries or faults; the configured webhooks (options and `keep`) only, as configured. */
  reset(): void;
  createBooking(input: CreateBookingInput): DbBooking;
  /** Returns the **new** booking; the original is cancelled as rescheduled. */
  rescheduleBooking(uid: string, input: RescheduleBookingInput): DbBooking;
  cancelBooking(uid: string, input?: CancelBookingInput): DbBooking;
  bookings(): DbBooking[];
  /**
   * Like POST /sandbox/webhooks; `keep: true` makes it configuration, which a reset restores rather
   * than drops (sandbox mode subscribes Spokes this way, so a reset never leaves Spokes unsubscribed).
   */
  addWebhook(spec: WebhookSeed, opts?: { keep?: boolean }): Subscription;
  webhooks(): Subscription[];
  /** Every attempt, oldest first. */
  deliveries(): DeliveryRecord[];
  /** Resolves when nothing is queued, waiting for a retry or in flight. */
  deliveriesIdle(): Promise<void>;
  /** Replaces the active faults; {} clears them. */
  setFaults(faults: Faults): void;
}

export async function startBookingSandbox<Info extends BookingSandboxInfo>(
  system: BookingSystem,
  opts: BookingSandboxOptions = {},
): Promise<BookingSandbox<Info>> {
  const { app, ctx } = await buildBookingApp(system, opts);
  const { url, port } = await listen(app, ctx);
  return handle<Info>(app, ctx, url, port);
}

function handle<Info extends BookingSandboxInfo>(app: FastifyInstance, ctx: BookingContext, url: string, port: number): BookingSandbox<Info> {
  const { store, subscriptions, deliveries, faults } = ctx;
  return {
    url,
    port,
    app,
    info: () => sandboxInfo(ctx) as unknown as Info,
    close: async () => {
      await app.close();
    },
    reset: () => resetContext(ctx),
    createBooking: (input) => store.create(createBookingSchema.parse(input), ctx.baseUrl),
    rescheduleBooking: (uid, input) => store.reschedule(uid, rescheduleBookingSchema.parse(input), ctx.baseUrl),
    cancelBooking: (uid, input = {}) => store.cancel(uid, cancelBookingSchema.parse(input)),
    bookings: () => store.list(),
    addWebhook: (spec, opts) => subscriptions.add(webhookSeedSchema.parse(spec), null, opts),
    webhooks: () => subscriptions.list(),
    deliveries: () => [...deliveries.log],
    deliveriesIdle: () => deliveries.idle(),
    setFaults: (f) => faults.set(faultsSchema.parse(f)),
  };
}
