import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BookingContext } from '../core/app.ts';
import type { DbEventType, DbHost } from '../core/booking-store.ts';
import { locationKind } from '../core/locations.ts';
import type { Subscription } from '../core/subscriptions.ts';
import { authenticate, CalApiError, hasCredentials, jsonBody, success } from './api-kit.ts';

/**
 * The parts of Cal.com's API v2 a connector needs: who the key belongs to, the event types,
 * and its own webhook subscription. Sources (calcom/cal.com apps/api/v2/src):
 * ee/me/outputs/me.output.ts; ee/event-types/event-types_2024_06_14/controllers/event-types.controller.ts
 * with packages/platform/types/event-types/event-types_2024_06_14/outputs/event-type.output.ts;
 * modules/webhooks/controllers/webhooks.controller.ts (+ its e2e spec), inputs/webhook.input.ts,
 * outputs/webhook.output.ts, pipes/WebhookOutputPipe.ts, services/user-webhooks.service.ts,
 * services/webhooks.service.ts, guards/is-user-webhook-guard.ts.
 */
export const EVENT_TYPES_API_VERSION = '2024-06-14';

/** WebhookTriggerEvents accepted by POST /v2/webhooks (the emulator sends only the booking ones). */
export const CALCOM_TRIGGERS = [
  'BOOKING_CANCELLED',
  'BOOKING_CREATED',
  'BOOKING_RESCHEDULED',
  'BOOKING_REJECTED',
  'BOOKING_REQUESTED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_NO_SHOW_UPDATED',
  'MEETING_STARTED',
  'MEETING_ENDED',
  'RECORDING_READY',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'INSTANT_MEETING',
  'OOO_CREATED',
  'FORM_SUBMITTED',
  'FORM_SUBMITTED_NO_EVENT',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
] as const;

const INTEGRATIONS: Record<string, string> = {
  'integrations:daily': 'cal-video',
  'integrations:zoom': 'zoom',
  'integrations:google:meet': 'google-meet',
  'integrations:office365_video': 'office365-video',
};

function locationOutput(value: string): Record<string, unknown> {
  const kind = locationKind(value);
  if (kind === 'integration') return { type: 'integration', integration: INTEGRATIONS[value] ?? value.replace('integrations:', '') };
  if (kind === 'link') return { type: 'link', link: value, public: true };
  if (kind === 'phone') return { type: 'phone', phone: value, public: true };
  return { type: 'address', address: value, public: true };
}

const defaultField = (slug: string, type: string, required: boolean) => ({ isDefault: true, slug, type, required, hidden: false });

/** EventTypeOutput_2024_06_14 (user event type), with the default booking fields. */
export function eventTypeOutput(et: DbEventType, host: DbHost): Record<string, unknown> {
  return {
    id: et.id,
    lengthInMinutes: et.length,
    title: et.title,
    slug: et.slug,
    description: et.description,
    locations: et.locations.map(locationOutput),
    bookingFields: [
      defaultField('name', 'name', true),
      defaultField('email', 'email', true),
      ...(et.locations.length > 1 ? [defaultField('location', 'radioInput', false)] : []),
      { ...defaultField('title', 'text', true), hidden: true, disableOnPrefill: false },
      { ...defaultField('notes', 'textarea', false), disableOnPrefill: false },
      { ...defaultField('guests', 'multiemail', false), disableOnPrefill: false },
      { ...defaultField('rescheduleReason', 'textarea', false), disableOnPrefill: false },
    ],
    disableGuests: false,
    slotInterval: null,
    minimumBookingNotice: 120,
    beforeEventBuffer: 0,
    afterEventBuffer: 0,
    recurrence: null,
    metadata: {},
    price: 0,
    currency: 'usd',
    lockTimeZoneToggleOnBookingPage: false,
    seatsPerTimeSlot: null,
    forwardParamsSuccessRedirect: true,
    successRedirectUrl: null,
    isInstantEvent: false,
    seatsShowAvailabilityCount: true,
    scheduleId: null,
    hidden: false,
    bookingRequiresAuthentication: false,
    ownerId: host.id,
    users: [
      { id: host.id, name: host.name, username: host.username, avatarUrl: null, weekStart: 'Sunday', brandColor: null, darkBrandColor: null, metadata: {} },
    ],
  };
}

/** UserWebhookOutputDto: the stored webhook with eventTriggers renamed to triggers. */
function webhookOutput(sub: Subscription, userId: number) {
  return {
    id: sub.id,
    payloadTemplate: sub.payloadTemplate,
    triggers: sub.eventTriggers,
    subscriberUrl: sub.subscriberUrl,
    active: sub.active,
    secret: sub.secret,
    userId,
  };
}

/** class-validator's checks of CreateWebhookInputDto (all optional for the PATCH's UpdateWebhookInputDto). */
function webhookInput(body: Record<string, unknown>, partial: boolean) {
  const problems: string[] = [];
  const present = (k: string) => body[k] !== undefined;
  if ((!partial || present('active')) && typeof body.active !== 'boolean') problems.push('active must be a boolean value');
  if ((!partial || present('subscriberUrl')) && typeof body.subscriberUrl !== 'string') problems.push('subscriberUrl must be a string');
  if (!partial || present('triggers')) {
    if (!Array.isArray(body.triggers)) problems.push('triggers must be an array');
    if (!Array.isArray(body.triggers) || body.triggers.some((t) => !(CALCOM_TRIGGERS as readonly unknown[]).includes(t))) {
      problems.push(`each value in triggers must be one of the following values: ${CALCOM_TRIGGERS.join(', ')}`);
    }
  }
  for (const k of ['secret', 'payloadTemplate']) if (present(k) && typeof body[k] !== 'string') problems.push(`${k} must be a string`);
  if (present('version') && body.version !== '2021-10-20') problems.push('version must be one of the following values: 2021-10-20');
  if (problems.length) throw new CalApiError(400, 'Bad Request Exception', problems);
  if (typeof body.subscriberUrl === 'string') {
    // validateWebhookUrl(): Cal.com also refuses private and loopback addresses (SSRF); the emulator
    // must reach test receivers on 127.0.0.1, so it only checks the scheme.
    let url: URL | undefined;
    try {
      url = new URL(body.subscriberUrl);
    } catch {
      /* reported below */
    }
    if (!url || !/^https?:$/.test(url.protocol)) throw new CalApiError(400, 'Webhook URL is not allowed: Invalid URL or protocol');
  }
  return {
    subscriberUrl: body.subscriberUrl as string | undefined,
    active: body.active as boolean | undefined,
    eventTriggers: body.triggers as string[] | undefined,
    secret: body.secret as string | undefined,
    payloadTemplate: body.payloadTemplate as string | undefined,
  };
}

export function registerCalcomApi(app: FastifyInstance, ctx: BookingContext): void {
  const { store, subscriptions } = ctx;

  app.get('/v2/me', async (request) => {
    const me = authenticate(request, ctx);
    return success({
      id: me.id,
      username: me.username,
      email: me.email,
      name: me.name,
      avatarUrl: null,
      bio: null,
      timeFormat: 12,
      defaultScheduleId: null,
      weekStart: 'Sunday',
      timeZone: me.timeZone,
      organizationId: null,
    });
  });

  // Without `cal-api-version: 2024-06-14` Cal.com answers with its older 2024-04-15 controller; only 2024-06-14 is emulated.
  const requireVersion = (request: FastifyRequest) => {
    const version = request.headers['cal-api-version'];
    if (version !== EVENT_TYPES_API_VERSION) {
      throw new CalApiError(
        400,
        `The emulator serves /v2/event-types in cal-api-version ${EVENT_TYPES_API_VERSION} only; send the header "cal-api-version: ${EVENT_TYPES_API_VERSION}".`,
      );
    }
  };

  app.get('/v2/event-types', async (request) => {
    requireVersion(request);
    const q = request.query as { username?: string; eventSlug?: string; sortCreatedAt?: string };
    // OptionalApiAuthGuard: credentials are optional when ?username= names whose event types to list.
    if (hasCredentials(request) || q.username === undefined) authenticate(request, ctx);
    let list = store.eventTypes.filter((et) => q.username === undefined || store.hostById(et.hostId).username === q.username);
    if (q.eventSlug !== undefined) list = list.filter((et) => et.slug === q.eventSlug);
    if (q.sortCreatedAt === 'desc') list = [...list].reverse();
    return success(list.map((et) => eventTypeOutput(et, store.hostById(et.hostId))));
  });

  app.get('/v2/event-types/:id', async (request) => {
    requireVersion(request);
    authenticate(request, ctx);
    const id = (request.params as { id: string }).id;
    const et = store.eventType(Number(id));
    if (!et) throw new CalApiError(404, `Event type with id ${id} not found`);
    return success(eventTypeOutput(et, store.hostById(et.hostId)));
  });

  // ---- webhooks of the key's user ----
  const owned = (request: FastifyRequest) => {
    const user = authenticate(request, ctx);
    const id = (request.params as { id: string }).id;
    const sub = subscriptions.get(id);
    if (!sub) throw new CalApiError(404, `Webhook (${id}) not found`);
    if (sub.userId !== user.id) throw new CalApiError(403, `IsUserWebhookGuard - user with id=(${user.id}) is not the owner of webhook with id=(${id})`);
    return { user, sub };
  };

  app.post('/v2/webhooks', async (request, reply) => {
    const user = authenticate(request, ctx);
    const input = webhookInput(jsonBody(request), false);
    if (subscriptions.list().some((s) => s.userId === user.id && s.subscriberUrl === input.subscriberUrl)) {
      throw new CalApiError(409, 'Webhook with this subscriber url already exists for this user');
    }
    // secret: body.secret ?? null — a webhook made through the API without a secret is unsigned.
    const sub = subscriptions.add(
      {
        subscriberUrl: input.subscriberUrl!,
        active: input.active,
        eventTriggers: input.eventTriggers,
        secret: input.secret ?? null,
        payloadTemplate: input.payloadTemplate ?? null,
      },
      user.id,
    );
    return reply.code(201).send(success(webhookOutput(sub, user.id)));
  });

  app.get('/v2/webhooks', async (request) => {
    const user = authenticate(request, ctx);
    const q = request.query as { skip?: string; take?: string };
    const skip = Number(q.skip ?? 0);
    const take = Number(q.take ?? 250);
    const mine = subscriptions.list().filter((s) => s.userId === user.id);
    return success(mine.slice(skip, skip + take).map((s) => webhookOutput(s, user.id)));
  });

  app.get('/v2/webhooks/:id', async (request) => {
    const { user, sub } = owned(request);
    return success(webhookOutput(sub, user.id));
  });

  app.patch('/v2/webhooks/:id', async (request) => {
    const { user, sub } = owned(request);
    const input = webhookInput(jsonBody(request), true);
    const updated = subscriptions.update(sub.id, input);
    return success(webhookOutput(updated, user.id));
  });

  app.delete('/v2/webhooks/:id', async (request) => {
    const { user, sub } = owned(request);
    return success(webhookOutput(subscriptions.remove(sub.id), user.id));
  });
}
