import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BookingContext } from './app.ts';
import { cancelBookingSchema, createBookingSchema, rescheduleBookingSchema } from './booking-store.ts';
import { notFound, parseControlBody } from './control-errors.ts';
import { faultsSchema } from './faults.ts';
import { eventTypeSeedSchema, httpUrlSchema, webhookSeedSchema } from './options.ts';

/** `/sandbox/info`. Field names relied on by scripts outside the project: system, baseUrl, eventTypes, webhooks. */
export function sandboxInfo(ctx: BookingContext): Record<string, unknown> {
  return {
    system: ctx.system.name,
    baseUrl: ctx.baseUrl,
    eventTypes: ctx.store.eventTypes.map((e) => ({ id: e.id, slug: e.slug, title: e.title, length: e.length })),
    webhooks: ctx.subscriptions.list().map((s) => ({
      id: s.id,
      subscriberUrl: s.subscriberUrl,
      secret: s.secret,
      eventTriggers: s.eventTriggers,
      active: s.active,
    })),
    hosts: ctx.store.hosts.map((h) => ({ id: h.id, name: h.name, email: h.email, timeZone: h.timeZone, username: h.username })),
    ...ctx.system.info(ctx),
  };
}

/** Back to the start: no bookings, deliveries or faults; the configured event types and webhooks only. */
export function resetContext(ctx: BookingContext): void {
  ctx.deliveries.clear();
  ctx.store.reset();
  ctx.subscriptions.reset();
  ctx.faults.set({});
}

const webhookPatchSchema = z
  .object({
    subscriberUrl: httpUrlSchema.optional(),
    secret: z.string().min(1).nullable().optional(),
    eventTriggers: z.array(z.string()).min(1).optional(),
    active: z.boolean().optional(),
  })
  .strict();

/**
 * Sandbox controls under /sandbox/* — never part of the vendor's API. They stand in for the
 * booking page (a guest books, reschedules, cancels), the vendor's settings pages (webhooks,
 * event types) and the test harness (reset, deliveries, faults). No credentials: the emulator
 * listens on loopback unless told otherwise (docs/security.md).
 */
export function registerControlRoutes(app: FastifyInstance, ctx: BookingContext): void {
  const { store, subscriptions, deliveries, faults } = ctx;
  const uidOf = (params: unknown) => (params as { uid: string }).uid;
  const idOf = (params: unknown) => (params as { id: string }).id;

  app.get('/sandbox/info', async () => sandboxInfo(ctx));

  app.post('/sandbox/reset', async () => {
    resetContext(ctx);
    return { ok: true };
  });

  app.get('/sandbox/hosts', async () => ({ hosts: store.hosts }));
  app.get('/sandbox/event-types', async () => ({ eventTypes: store.eventTypes }));
  app.post('/sandbox/event-types', async (request, reply) => {
    const seed = parseControlBody(request, eventTypeSeedSchema);
    return reply.code(201).send(store.addEventType(seed));
  });

  // ---- bookings: what a guest does on the booking page ----
  app.get('/sandbox/bookings', async () => ({ bookings: store.list() }));
  app.get('/sandbox/bookings/:uid', async (request) => {
    const booking = store.list().find((b) => b.uid === uidOf(request.params));
    if (!booking) throw notFound(`No booking ${uidOf(request.params)}.`);
    return booking;
  });
  app.post('/sandbox/bookings', async (request, reply) => {
    const input = parseControlBody(request, createBookingSchema);
    return reply.code(201).send(store.create(input, ctx.baseUrl));
  });
  app.post('/sandbox/bookings/:uid/reschedule', async (request, reply) => {
    const input = parseControlBody(request, rescheduleBookingSchema);
    return reply.code(201).send(store.reschedule(uidOf(request.params), input, ctx.baseUrl));
  });
  app.post('/sandbox/bookings/:uid/cancel', async (request) => {
    const input = parseControlBody(request, cancelBookingSchema);
    return store.cancel(uidOf(request.params), input);
  });

  // ---- webhooks: the vendor's webhook settings page ----
  app.get('/sandbox/webhooks', async () => ({ webhooks: subscriptions.list() }));
  app.post('/sandbox/webhooks', async (request, reply) => {
    const spec = parseControlBody(request, webhookSeedSchema);
    return reply.code(201).send(subscriptions.add(spec));
  });
  app.patch('/sandbox/webhooks/:id', async (request) => subscriptions.update(idOf(request.params), parseControlBody(request, webhookPatchSchema)));
  app.delete('/sandbox/webhooks/:id', async (request) => {
    subscriptions.remove(idOf(request.params));
    return { webhooks: subscriptions.list() };
  });
  const pingBody = ctx.system.pingBody;
  if (pingBody) {
    app.post('/sandbox/webhooks/:id/ping', async (request) => {
      const sub = subscriptions.get(idOf(request.params));
      if (!sub) throw notFound(`No webhook ${idOf(request.params)}.`);
      return deliveries.ping(sub, 'PING', pingBody(ctx));
    });
  }

  app.get('/sandbox/deliveries', async (request) => {
    const q = request.query as { webhookId?: string; bookingUid?: string; triggerEvent?: string };
    return {
      deliveries: deliveries.log.filter(
        (d) =>
          (!q.webhookId || d.webhookId === q.webhookId) &&
          (!q.bookingUid || d.bookingUid === q.bookingUid) &&
          (!q.triggerEvent || d.triggerEvent === q.triggerEvent),
      ),
    };
  });

  app.get('/sandbox/faults', async () => faults.snapshot());
  app.post('/sandbox/faults', async (request) => {
    faults.set(parseControlBody(request, faultsSchema));
    return faults.snapshot();
  });
}
