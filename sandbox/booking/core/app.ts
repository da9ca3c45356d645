import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { BookingStore, type BookingEvent, type StoreHooks } from './booking-store.ts';
import { ControlError } from './control-errors.ts';
import { registerControlRoutes } from './control-routes.ts';
import { DeliveryQueue, type DeliveryFormat } from './deliveries.ts';
import { FaultState } from './faults.ts';
import { resolveBookingOptions, type BookingSandboxOptions, type EventTypeSeed, type ResolvedBookingOptions } from './options.ts';
import { SubscriptionList, type SubscriptionRules } from './subscriptions.ts';

/** What makes one booking system different: its payloads, signature, limits and API. */
export interface BookingSystem {
  name: 'calcom' | 'immedio';
  rules: SubscriptionRules;
  defaultEventTypes: EventTypeSeed[];
  store: StoreHooks;
  format: DeliveryFormat;
  /** The raw body sent for a booking event (the same to every subscriber). */
  body(event: BookingEvent, ctx: BookingContext): string;
  /** The body of a test delivery (Cal.com's "Ping test" button); absent when the vendor has none. */
  pingBody?(ctx: BookingContext): string;
  /** /sandbox/info fields after system, baseUrl, eventTypes and webhooks. */
  info(ctx: BookingContext): Record<string, unknown>;
  /** The vendor's own API, if emulated. */
  api?: {
    isApiPath(url: string): boolean;
    register(app: FastifyInstance, ctx: BookingContext): void;
    /** Renders an error the way the vendor's API does. */
    error(status: number, err: Error, request: FastifyRequest): unknown;
  };
}

/** Everything one emulated account is made of; routes receive this, not globals. */
export interface BookingContext {
  system: BookingSystem;
  options: ResolvedBookingOptions;
  store: BookingStore;
  subscriptions: SubscriptionList;
  deliveries: DeliveryQueue;
  faults: FaultState;
  /** http://127.0.0.1:<port>, set once the app listens. */
  baseUrl: string;
}

export async function buildBookingApp(system: BookingSystem, input: BookingSandboxOptions = {}): Promise<{ app: FastifyInstance; ctx: BookingContext }> {
  const options = resolveBookingOptions(system.name, input, { eventTypes: system.defaultEventTypes });
  const faults = new FaultState();
  const ctx: BookingContext = {
    system,
    options,
    faults,
    store: new BookingStore(options, system.store),
    subscriptions: new SubscriptionList(options.webhooks, system.rules),
    deliveries: new DeliveryQueue(options.delivery, faults, system.format, `${system.name}-`),
    baseUrl: `http://${options.host}:${options.port}`,
  };
  ctx.store.onEvent = (event) => {
    const subscribers = ctx.subscriptions.subscribersOf(event.trigger);
    if (subscribers.length === 0) return;
    const body = system.body(event, ctx);
    for (const sub of subscribers) ctx.deliveries.send(sub, event.trigger, event.booking.uid, body);
  };

  const app = (options.logger ? Fastify({ loggerInstance: options.logger }) : Fastify({ logger: false })) as unknown as FastifyInstance;
  // A response finished while the server closes says `Connection: close`: otherwise Node keeps that keep-alive
  // connection open for Fastify's 72 s keepAliveTimeout and close() waits for it (measured: 70 s).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callback style, not async: an async onSend hook defers the write, and a handler that calls reply.send()
  // without returning it would then send twice.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  // Bodies stay raw strings: the controls answer bad JSON with a 400 naming the body, the API its own way.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const isApi = (url: string) => system.api?.isApiPath(url) ?? false;

  app.setErrorHandler((err, request, reply) => {
    const status = err instanceof ControlError ? err.status : ((err as { statusCode?: number }).statusCode ?? 500);
    if (isApi(request.url)) return reply.code(status).send(system.api!.error(status, err as Error, request));
    if (err instanceof ControlError) return reply.code(err.status).send(err.body());
    if (status >= 500) request.log.error({ err }, 'sandbox control failed');
    return reply.code(status).send({ error: { code: status < 500 ? 'validation_failed' : 'internal', message: (err as Error).message } });
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `Cannot ${request.method} ${request.url.split('?')[0]}`;
    if (isApi(request.url)) return reply.code(404).send(system.api!.error(404, new Error(message), request));
    return reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } });
  });

  registerControlRoutes(app, ctx);
  system.api?.register(app, ctx);
  app.addHook('onClose', async () => ctx.deliveries.clear());
  return { app, ctx };
}

export async function listen(app: FastifyInstance, ctx: BookingContext): Promise<{ url: string; port: number }> {
  await app.listen({ port: ctx.options.port, host: ctx.options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.options.port;
  const host = ctx.options.host.includes(':') ? `[${ctx.options.host}]` : ctx.options.host;
  ctx.baseUrl = `http://${host}:${port}`;
  return { url: ctx.baseUrl, port };
}
