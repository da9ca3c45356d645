import { createHmac } from 'node:crypto';
import type { BookingContext } from '../core/app.ts';
import type { BookingEvent, DbBooking } from '../core/booking-store.ts';
import { conferencingAppName, locationKind } from '../core/locations.ts';

/**
 * immedio's booking webhook. What immedio documents (docs.immedio.io "Webhook連携",
 * /company-settings/integrations/webhook; shared/reference/sync-sources.md §E.1): up to 3 URLs,
 * event type 面談予約 (booking) only, sent right after the customer completes a booking, POST with
 * Content-Type: application/json. Its body and any signature are **not public**, so the body
 * and the signature below are the emulator's own definition, kept close to Cal.com's envelope
 * (`{triggerEvent, createdAt, payload}`) — see docs/sandbox/booking.md "immedio".
 */
export const IMMEDIO_SIGNATURE_HEADER = 'X-Immedio-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` — our choice, immedio publishes none. */
export function immedioSignature(secret: string, rawBody: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export function immedioHeaders(rawBody: string, secret: string | null, meta: { deliveryId: string; triggerEvent: string }): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-Immedio-Event': meta.triggerEvent,
    // Retries of one delivery share this id; the duplicate fault's copy is a second delivery with its own,
    // so a receiver has to recognise a repeat by the booking (bookingId + triggerEvent), not by this header.
    'X-Immedio-Delivery': meta.deliveryId,
    ...(secret !== null ? { [IMMEDIO_SIGNATURE_HEADER]: immedioSignature(secret, rawBody, Math.floor(Date.now() / 1000)) } : {}),
  };
}

function location(b: DbBooking): Record<string, unknown> {
  const kind = locationKind(b.location);
  if (kind === 'integration') return { type: 'online', value: conferencingAppName(b.location) ?? b.location, videoCallUrl: b.videoCallUrl };
  if (kind === 'link') return { type: 'online', value: b.location, videoCallUrl: b.videoCallUrl ?? b.location };
  if (kind === 'phone') return { type: 'phone', value: b.location, videoCallUrl: null };
  return { type: 'in_person', value: b.location, videoCallUrl: null };
}

export function immedioBookingBody(event: BookingEvent, ctx: BookingContext): string {
  const b = event.booking;
  const et = ctx.store.eventType(b.eventTypeId)!;
  const host = ctx.store.hostById(b.hostId);
  const prev = event.previous;
  const payload = {
    bookingId: b.uid,
    status: b.status === 'CANCELLED' ? 'cancelled' : 'confirmed',
    meetingType: { id: et.id, slug: et.slug, name: et.title, durationMinutes: et.length },
    title: b.title,
    startTime: b.startTime,
    endTime: b.endTime,
    host: { name: host.name, email: host.email, timeZone: host.timeZone },
    guests: [
      { name: b.attendee.name, email: b.attendee.email, timeZone: b.attendee.timeZone, phoneNumber: b.attendee.phoneNumber },
      ...b.guests.map((email) => ({ name: null, email, timeZone: b.attendee.timeZone, phoneNumber: null })),
    ],
    company: b.attendee.company ? { name: b.attendee.company } : null,
    location: location(b),
    notes: b.description,
    rescheduledFrom: prev ? { bookingId: prev.uid, startTime: prev.startTime, endTime: prev.endTime } : null,
    cancellation: event.trigger === 'BOOKING_CANCELLED' ? { reason: b.cancellationReason, cancelledBy: b.cancelledBy, cancelledAt: event.createdAt } : null,
    bookedAt: b.createdAt,
  };
  return JSON.stringify({ triggerEvent: event.trigger, createdAt: event.createdAt, payload });
}
