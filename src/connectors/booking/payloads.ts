/**
 * What a booking webhook says, in one shape for both sources. Cal.com's body
 * is its own (payload version 2021-10-20, reference §E.3,
 * docs/sandbox/booking.md); immedio publishes none, so its body is ours,
 * documented in docs/connectors/booking.md and kept close to Cal.com's.
 * Only the fields Spokes uses are checked; a body without them is a 400
 * naming the field, and nothing is enqueued.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.ts';
import { findUnstorableText } from '../../db/storable-text.ts';

export const SOURCES = ['calcom', 'immedio'] as const;
export type Source = (typeof SOURCES)[number];
export const SOURCE_NAMES: Record<Source, string> = { calcom: 'Cal.com', immedio: 'immedio' };

export const BOOKING_TRIGGERS = ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'] as const;
export type BookingTrigger = (typeof BOOKING_TRIGGERS)[number];

export const bookingDetailsSchema = z.object({
  title: z.string(),
  eventTypeId: z.string(),
  eventTypeSlug: z.string(),
  eventTypeName: z.string(),
  start: z.string(),
  end: z.string(),
  organizer: z.object({ name: z.string(), email: z.string() }),
  attendee: z.object({ name: z.string(), email: z.string(), phone: z.string().nullable() }),
  /** A place, or the name of the video app (`integrations:zoom` → the join link is `videoCallUrl`). */
  location: z.string().nullable(),
  videoCallUrl: z.string().nullable(),
  notes: z.string(),
  company: z.string().nullable(),
});
export type BookingDetails = z.infer<typeof bookingDetailsSchema>;

export const bookingEventSchema = z.object({
  source: z.enum(SOURCES),
  trigger: z.enum(BOOKING_TRIGGERS),
  /** When the source sent it (ISO): an older delivery never overwrites newer details. */
  at: z.string(),
  uid: z.string().min(1).max(200),
  /** A reschedule: the booking it replaces. */
  previousUid: z.string().min(1).max(200).nullable(),
  details: bookingDetailsSchema,
});
export type BookingEvent = z.infer<typeof bookingEventSchema>;

const text = z.string().max(10_000);
const email = z.string().trim().toLowerCase().pipe(z.email());
const isoTime = z.iso.datetime({ offset: true });

const calcomPerson = z.object({ name: text.optional().default(''), email });
const calcomBooking = z.object({
  uid: z.string().min(1).max(200),
  title: text,
  type: text.optional().default(''),
  eventTitle: text.nullish(),
  eventTypeId: z.union([z.number(), z.string()]).nullish(),
  startTime: isoTime,
  endTime: isoTime,
  organizer: calcomPerson,
  attendees: z.array(calcomPerson.extend({ phoneNumber: text.nullish() })).min(1, 'a booking has at least one attendee'),
  location: text.nullish(),
  metadata: z.object({ videoCallUrl: text.nullish() }).passthrough().nullish(),
  videoCallData: z.object({ url: text.nullish() }).passthrough().nullish(),
  additionalNotes: text.nullish(),
  rescheduleUid: z.string().min(1).max(200).nullish(),
});
const calcomEnvelope = z.object({ triggerEvent: z.string().min(1).max(100), createdAt: isoTime.optional(), payload: z.unknown() });

const immedioBooking = z.object({
  bookingId: z.string().min(1).max(200),
  title: text,
  meetingType: z.object({ id: z.union([z.number(), z.string()]), slug: text.optional().default(''), name: text }),
  startTime: isoTime,
  endTime: isoTime,
  host: calcomPerson,
  guests: z.array(z.object({ name: text.nullish(), email, phoneNumber: text.nullish() })).min(1, 'a booking has at least one guest'),
  company: z.object({ name: text }).nullish(),
  location: z.object({ type: text.optional(), value: text.nullish(), videoCallUrl: text.nullish() }).nullish(),
  notes: text.nullish(),
  rescheduledFrom: z.object({ bookingId: z.string().min(1).max(200) }).nullish(),
});

/** `null`: a delivery that carries no booking (Cal.com's `PING`, a trigger we do not handle) — answered 2xx, nothing enqueued. */
export function parseDelivery(source: Source, raw: Buffer): BookingEvent | null {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('The body is not JSON.', [{ field: 'body', message: 'malformed JSON' }]);
  }
  // Text the database cannot store (a NUL, a lone surrogate) is refused by name, before anything is enqueued.
  const bad = findUnstorableText(body, 'body');
  if (bad) throw new ValidationError(`${bad.field}: ${bad.message}`, [bad]);
  const envelope = check(calcomEnvelope, body, 'body');
  const trigger = envelope.triggerEvent;
  if (!(BOOKING_TRIGGERS as readonly string[]).includes(trigger)) return null;
  const at = envelope.createdAt ?? new Date().toISOString();
  return source === 'calcom' ? fromCalcom(trigger as BookingTrigger, at, envelope.payload) : fromImmedio(trigger as BookingTrigger, at, envelope.payload);
}

function fromCalcom(trigger: BookingTrigger, at: string, payload: unknown): BookingEvent {
  const b = check(calcomBooking, payload, 'body.payload');
  const [attendee] = b.attendees;
  const integration = b.location?.startsWith('integrations:') ?? false;
  const videoCallUrl = b.metadata?.videoCallUrl || b.videoCallData?.url || null;
  return {
    source: 'calcom',
    trigger,
    at,
    uid: b.uid,
    previousUid: trigger === 'BOOKING_RESCHEDULED' ? (b.rescheduleUid ?? null) : null,
    details: {
      title: b.title,
      eventTypeId: b.eventTypeId == null ? `slug:${b.type}` : String(b.eventTypeId),
      eventTypeSlug: b.type,
      eventTypeName: b.eventTitle || b.type,
      start: new Date(b.startTime).toISOString(),
      end: new Date(b.endTime).toISOString(),
      organizer: { name: b.organizer.name, email: b.organizer.email },
      attendee: { name: attendee!.name, email: attendee!.email, phone: attendee!.phoneNumber ?? null },
      location: integration ? appName(b.location!) : (b.location ?? null),
      videoCallUrl,
      notes: b.additionalNotes ?? '',
      company: null,
    },
  };
}

function fromImmedio(trigger: BookingTrigger, at: string, payload: unknown): BookingEvent {
  const b = check(immedioBooking, payload, 'body.payload');
  const [guest] = b.guests;
  return {
    source: 'immedio',
    trigger,
    at,
    uid: b.bookingId,
    previousUid: trigger === 'BOOKING_RESCHEDULED' ? (b.rescheduledFrom?.bookingId ?? null) : null,
    details: {
      title: b.title,
      eventTypeId: String(b.meetingType.id),
      eventTypeSlug: b.meetingType.slug,
      eventTypeName: b.meetingType.name,
      start: new Date(b.startTime).toISOString(),
      end: new Date(b.endTime).toISOString(),
      organizer: { name: b.host.name, email: b.host.email },
      attendee: { name: guest!.name ?? '', email: guest!.email, phone: guest!.phoneNumber ?? null },
      location: b.location?.value ?? null,
      videoCallUrl: b.location?.videoCallUrl ?? null,
      notes: b.notes ?? '',
      company: b.company?.name ?? null,
    },
  };
}

/** `integrations:zoom` → "Zoom", `integrations:daily` → "Cal Video" (Cal.com's app names). */
function appName(location: string): string {
  const app = location.slice('integrations:'.length);
  const names: Record<string, string> = {
    daily: 'Cal Video',
    zoom: 'Zoom',
    'google:meet': 'Google Meet',
    office365_video: 'Microsoft Teams',
  };
  return names[app] ?? app;
}

function check<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ValidationError(`The delivery is not a booking we understand: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}
