/**
 * Cal.com emulator: event types, bookings made through /sandbox controls, Cal.com's signed
 * webhooks (payload version 2021-10-20) with retries and faults, and the parts of the API v2 a
 * connector uses (/v2/me, /v2/event-types, /v2/webhooks). See docs/sandbox/booking.md.
 */
import type { FastifyInstance } from 'fastify';
import { buildBookingApp, type BookingSystem } from '../core/app.ts';
import type { EventTypeSeed, BookingSandboxOptions } from '../core/options.ts';
import { startBookingSandbox, type BookingSandbox, type BookingSandboxInfo } from '../core/sandbox.ts';
import { calApiErrorBody, CalApiError, registerApiFaults } from './api-kit.ts';
import { CALCOM_TRIGGERS, registerCalcomApi } from './api-routes.ts';
import { calcomBookingBody, calcomHeaders, calcomPingBody, calcomUid } from './payload.ts';

export { calcomSignature, CALCOM_WEBHOOK_VERSION, utcOffsetMinutes } from './payload.ts';
export { EVENT_TYPES_API_VERSION } from './api-routes.ts';

/** `GET /sandbox/info` of the Cal.com emulator. */
export interface CalcomSandboxInfo extends BookingSandboxInfo {
  system: 'calcom';
  /** `${baseUrl}/v2` */
  apiBaseUrl: string;
  /** The API v2 key (Authorization: Bearer …). */
  apiKey: string;
  webhookVersion: string;
}

export type CalcomSandbox = BookingSandbox<CalcomSandboxInfo>;

/** A sales team's event types; every one on Cal Video unless said otherwise. */
const DEFAULT_EVENT_TYPES: EventTypeSeed[] = [
  { id: 1001, slug: 'discovery-call', title: 'Discovery Call', length: 30, description: 'A first conversation about your needs.' },
  { id: 1002, slug: 'product-demo', title: 'Product Demo', length: 45, locations: ['integrations:zoom', 'integrations:daily'] },
  { id: 1003, slug: 'onsite-visit', title: 'On-site Visit', length: 60, locations: ['Calcom HQ, 2261 Market Street, San Francisco'] },
];

const isApiPath = (url: string) => url.startsWith('/v2/') || url === '/v2';

export const calcomSystem: BookingSystem = {
  name: 'calcom',
  rules: { triggers: CALCOM_TRIGGERS, defaultTriggers: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'] },
  defaultEventTypes: DEFAULT_EVENT_TYPES,
  store: {
    newUid: calcomUid,
    // The default event name: "{Event type title} between {Organizer} and {Scheduler}" (docs example).
    title: (et, host, attendee) => `${et.title} between ${host.name} and ${attendee.name}`,
  },
  format: { headers: (rawBody, secret) => calcomHeaders(rawBody, secret) },
  body: calcomBookingBody,
  pingBody: calcomPingBody,
  info: (ctx) => ({ apiBaseUrl: `${ctx.baseUrl}/v2`, apiKey: ctx.options.apiKey, webhookVersion: '2021-10-20' }),
  api: {
    isApiPath,
    register(app: FastifyInstance, ctx) {
      registerApiFaults(app, ctx, isApiPath);
      registerCalcomApi(app, ctx);
      // Cal Video's join page (getPublicVideoCallUrl): `${WEBAPP_URL}/video/${uid}`.
      app.get('/video/:uid', async (request, reply) => {
        const uid = (request.params as { uid: string }).uid;
        const booking = ctx.store.bookings.get(uid);
        if (!booking) return reply.code(404).type('text/html').send('<!doctype html><title>Cal Video</title><p>This meeting does not exist.</p>');
        return reply
          .type('text/html')
          .send(`<!doctype html><title>Cal Video</title><h1>${escapeHtml(booking.title)}</h1><p>Cal Video room of booking ${uid} (sandbox).</p>`);
      });
    },
    error: (status, err, request) => calApiErrorBody(status, err.message, request, err instanceof CalApiError ? err.messages : undefined),
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Builds the emulator without listening (for app.inject). */
export const buildCalcomApp = (opts: BookingSandboxOptions = {}) => buildBookingApp(calcomSystem, opts);

export function startCalcomSandbox(opts: BookingSandboxOptions = {}): Promise<CalcomSandbox> {
  return startBookingSandbox<CalcomSandboxInfo>(calcomSystem, opts);
}
