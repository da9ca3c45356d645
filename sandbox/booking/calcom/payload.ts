import { createHmac, randomInt } from 'node:crypto';
import type { BookingContext } from '../core/app.ts';
import type { BookingEvent, DbBooking } from '../core/booking-store.ts';

/**
 * Cal.com webhook bodies, payload version 2021-10-20 (the only version; header
 * `X-Cal-Webhook-Version`). Sources, calcom/cal.com:
 * - packages/features/webhooks/lib/sendPayload.ts: body `{triggerEvent, createdAt, payload}`,
 *   headers Content-Type, X-Cal-Signature-256 (hex HMAC-SHA256 of the raw body, or
 *   "no-secret-provided"), X-Cal-Webhook-Version; organizer/attendee `utcOffset` (addUTCOffset).
 * - packages/features/webhooks/lib/factory/versioned/v2021-10-20/BookingPayloadBuilder.ts: status
 *   per trigger; the extra fields of BOOKING_CANCELLED and BOOKING_RESCHEDULED.
 * - docs/developing/guides/automation/webhooks.mdx: the example payload (field order, `responses`).
 * - packages/features/bookings/lib/handleCancelBooking.ts: a cancellation carries no `metadata` and
 *   no `videoCallData`, and iCalSequence + 1.
 * - packages/trpc/server/routers/viewer/webhook/testTrigger.handler.ts: the "Ping test" body.
 */
export const CALCOM_WEBHOOK_VERSION = '2021-10-20';

export function calcomSignature(secret: string | null, rawBody: string): string {
  return secret ? createHmac('sha256', secret).update(rawBody).digest('hex') : 'no-secret-provided';
}

export function calcomHeaders(rawBody: string, secret: string | null): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-Cal-Signature-256': calcomSignature(secret, rawBody),
    'X-Cal-Webhook-Version': CALCOM_WEBHOOK_VERSION,
  };
}

/** Minutes east of UTC at that instant (Cal.com getUTCOffsetByTimezone). */
export function utcOffsetMinutes(timeZone: string, at: string): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ??
    'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** Booking uids are short UUIDs: 22 characters of the flickr base-58 alphabet ("bFJeNb2uX8ANpT3JL5EfXw"). */
export function calcomUid(): string {
  const alphabet = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  return Array.from({ length: 22 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function bookingFields(b: DbBooking, ctx: BookingContext): Record<string, unknown> {
  const et = ctx.store.eventType(b.eventTypeId)!;
  const host = ctx.store.hostById(b.hostId);
  const attendeeOffset = utcOffsetMinutes(b.attendee.timeZone, b.startTime);
  // handleNewBooking: firstName/lastName are filled only by a split-name booking field, else "".
  const attendees = [
    {
      email: b.attendee.email,
      name: b.attendee.name,
      firstName: '',
      lastName: '',
      timeZone: b.attendee.timeZone,
      ...(b.attendee.phoneNumber ? { phoneNumber: b.attendee.phoneNumber } : {}),
      language: { locale: b.attendee.locale },
      utcOffset: attendeeOffset,
    },
    ...b.guests.map((email) => ({
      email,
      name: '',
      firstName: '',
      lastName: '',
      timeZone: b.attendee.timeZone,
      language: { locale: 'en' },
      utcOffset: attendeeOffset,
    })),
  ];
  return {
    type: et.slug,
    title: b.title,
    // handleNewBooking/handleCancelBooking: description is the event type's, additionalNotes the booker's
    // notes; the builder sends `description || additionalNotes`.
    description: et.description || b.description,
    additionalNotes: b.description,
    customInputs: {},
    startTime: b.startTime,
    endTime: b.endTime,
    organizer: {
      id: host.id,
      name: host.name,
      email: host.email,
      username: host.username,
      timeZone: host.timeZone,
      language: { locale: host.locale },
      timeFormat: 'h:mma',
      utcOffset: utcOffsetMinutes(host.timeZone, b.startTime),
    },
    responses: {
      name: { label: 'your_name', value: b.attendee.name },
      email: { label: 'email_address', value: b.attendee.email },
      location: { label: 'location', value: { optionValue: '', value: b.location } },
      notes: { label: 'additional_notes', ...(b.description ? { value: b.description } : {}) },
      guests: { label: 'additional_guests', ...(b.guests.length ? { value: b.guests } : {}) },
      rescheduleReason: { label: 'reschedule_reason', ...(b.rescheduleReason ? { value: b.rescheduleReason } : {}) },
    },
    userFieldsResponses: {},
    attendees,
    location: b.location,
    destinationCalendar: null,
    hideCalendarNotes: false,
    requiresConfirmation: false,
    eventTypeId: et.id,
    seatsShowAttendees: true,
    seatsPerTimeSlot: null,
    uid: b.uid,
    iCalUID: b.iCalUID,
    iCalSequence: b.iCalSequence,
    eventTitle: et.title,
    eventDescription: et.description,
    price: 0,
    currency: 'usd',
    length: et.length,
    bookingId: b.id,
  };
}

export function calcomBookingBody(event: BookingEvent, ctx: BookingContext): string {
  const b = event.booking;
  const fields = bookingFields(b, ctx);
  const metadata = { ...b.metadata, ...(b.videoCallUrl ? { videoCallUrl: b.videoCallUrl } : {}) };
  const video = b.videoCallData ? { videoCallData: b.videoCallData } : {};
  let payload: Record<string, unknown>;
  if (event.trigger === 'BOOKING_CREATED') {
    payload = { ...fields, ...video, metadata, status: 'ACCEPTED' };
  } else if (event.trigger === 'BOOKING_RESCHEDULED') {
    const prev = event.previous!;
    payload = {
      ...fields,
      ...video,
      metadata,
      status: 'ACCEPTED',
      rescheduleId: prev.id,
      rescheduleUid: prev.uid,
      rescheduleStartTime: prev.startTime,
      rescheduleEndTime: prev.endTime,
      rescheduledBy: b.rescheduledBy,
    };
  } else {
    payload = {
      ...fields,
      status: 'CANCELLED',
      cancelledBy: b.cancelledBy,
      ...(b.cancellationReason !== null ? { cancellationReason: b.cancellationReason } : {}),
      requestReschedule: false,
    };
  }
  return JSON.stringify({ triggerEvent: event.trigger, createdAt: event.createdAt, payload });
}

/**
 * The body of the settings page's "Ping test" (testTrigger.handler.ts) as sendPayload sends it:
 * with utcOffset, and without `description` (sendPayload sets `description || additionalNotes`,
 * undefined for the test's empty description, so JSON.stringify leaves it out).
 */
export function calcomPingBody(): string {
  const now = new Date().toISOString();
  const offset = utcOffsetMinutes('Europe/London', now);
  return JSON.stringify({
    triggerEvent: 'PING',
    createdAt: now,
    payload: {
      type: 'Test',
      title: 'Test trigger event',
      startTime: now,
      endTime: now,
      attendees: [{ email: 'jdoe@example.com', name: 'John Doe', timeZone: 'Europe/London', language: { locale: 'en' }, utcOffset: offset }],
      organizer: { name: 'Cal', email: 'no-reply@cal.com', timeZone: 'Europe/London', language: { locale: 'en' }, utcOffset: offset },
    },
  });
}
