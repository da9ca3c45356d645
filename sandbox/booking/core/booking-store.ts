import { z } from 'zod';
import { conflict, invalidField, notFound } from './control-errors.ts';
import { resolveLocation, type VideoCallData } from './locations.ts';
import { eventTypeSeedSchema, type EventTypeSeed, type HostSeed, type ResolvedBookingOptions } from './options.ts';

export interface DbHost {
  id: number;
  username: string;
  name: string;
  email: string;
  timeZone: string;
  locale: string;
}

export interface DbEventType {
  id: number;
  slug: string;
  title: string;
  length: number;
  description: string;
  hostId: number;
  locations: string[];
}

export interface DbAttendee {
  name: string;
  email: string;
  timeZone: string;
  locale: string;
  phoneNumber: string | null;
  company: string | null;
}

export interface DbBooking {
  id: number;
  uid: string;
  eventTypeId: number;
  hostId: number;
  title: string;
  /** The booker's notes ("additional notes"). */
  description: string;
  /** UTC, second precision: "2026-05-25T09:30:00Z" (Cal.com formats with dayjs(...).utc().format()). */
  startTime: string;
  endTime: string;
  attendee: DbAttendee;
  guests: string[];
  location: string;
  videoCallUrl: string | null;
  videoCallData: VideoCallData | null;
  status: 'ACCEPTED' | 'CANCELLED';
  createdAt: string;
  /** Set on the booking a reschedule created: the original's uid (Cal.com Booking.fromReschedule). */
  fromReschedule: string | null;
  /** Set on an original that was rescheduled: it is CANCELLED and points at its successor. */
  rescheduled: boolean;
  rescheduledToUid: string | null;
  rescheduledBy: string | null;
  rescheduleReason: string | null;
  cancellationReason: string | null;
  cancelledBy: string | null;
  iCalUID: string;
  iCalSequence: number;
  metadata: Record<string, string>;
}

export type BookingTrigger = 'BOOKING_CREATED' | 'BOOKING_RESCHEDULED' | 'BOOKING_CANCELLED';

/** One change, as the webhooks report it. `previous` is the original of a reschedule. */
export interface BookingEvent {
  trigger: BookingTrigger;
  booking: DbBooking;
  previous?: DbBooking;
  createdAt: string;
}

const isoInstant = z.string().datetime({ offset: true });

export const attendeeInputSchema = z
  .object({
    name: z.string().min(1),
    email: z.string().email(),
    timeZone: z.string().optional(),
    locale: z.string().min(2).optional(),
    phoneNumber: z.string().min(3).optional(),
    company: z.string().min(1).optional(),
  })
  .strict();

/** `POST /sandbox/bookings`: what a booker enters on the booking page. */
export const createBookingSchema = z
  .object({
    eventTypeId: z.number().int().positive().optional(),
    eventTypeSlug: z.string().min(1).optional(),
    /** Start, ISO 8601 with an offset; default tomorrow 10:00 UTC. */
    start: isoInstant.optional(),
    attendee: attendeeInputSchema,
    guests: z.array(z.string().email()).max(10).optional(),
    /** E-mail of the organizer; default the event type's host. */
    host: z.string().email().optional(),
    location: z.string().min(1).optional(),
    /** Join link; default one made up for a conferencing app location. */
    videoCallUrl: z.string().url().optional(),
    notes: z.string().optional(),
    title: z.string().min(1).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type CreateBookingInput = z.infer<typeof createBookingSchema>;

export const rescheduleBookingSchema = z
  .object({
    start: isoInstant,
    /** Who rescheduled (e-mail); default the attendee. */
    by: z.string().email().optional(),
    reason: z.string().optional(),
  })
  .strict();

export const cancelBookingSchema = z
  .object({
    reason: z.string().optional(),
    /** Who cancelled (e-mail); default the attendee. */
    by: z.string().email().optional(),
  })
  .strict();

/** Second precision, as Cal.com sends times. */
export const utcSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface StoreHooks {
  /** A new booking uid in the vendor's format. */
  newUid(): string;
  title(eventType: DbEventType, host: DbHost, attendee: DbAttendee): string;
}

/** Event types, hosts and bookings of one emulated account; every change is reported to `onEvent`. */
export class BookingStore {
  hosts: DbHost[] = [];
  eventTypes: DbEventType[] = [];
  readonly bookings = new Map<string, DbBooking>();
  onEvent: (event: BookingEvent) => void = () => {};
  private nextBookingId = 1;
  private readonly options: ResolvedBookingOptions;
  private readonly hooks: StoreHooks;

  constructor(options: ResolvedBookingOptions, hooks: StoreHooks) {
    this.options = options;
    this.hooks = hooks;
    this.reset();
  }

  reset(): void {
    this.hosts = [];
    for (const [i, seed] of this.options.hosts.entries()) {
      const host = toDbHost(seed, 101 + i);
      // Usernames are unique (Cal.com's /<username> booking pages); two "john@" e-mails become john, john-2.
      let n = 1;
      const base = host.username;
      while (this.hosts.some((h) => h.username === host.username)) host.username = `${base}-${++n}`;
      this.hosts.push(host);
    }
    this.eventTypes = [];
    for (const seed of this.options.eventTypes) this.addEventType(seed);
    this.bookings.clear();
    this.nextBookingId = 1;
  }

  host(email: string): DbHost | undefined {
    return this.hosts.find((h) => h.email.toLowerCase() === email.toLowerCase());
  }

  hostById(id: number): DbHost {
    return this.hosts.find((h) => h.id === id)!;
  }

  eventType(id: number): DbEventType | undefined {
    return this.eventTypes.find((e) => e.id === id);
  }

  addEventType(seed: EventTypeSeed): DbEventType {
    const parsed = eventTypeSeedSchema.parse(seed);
    if (this.eventTypes.some((e) => e.slug === parsed.slug)) throw conflict(`An event type with slug "${parsed.slug}" exists.`);
    const id = parsed.id ?? Math.max(1000, ...this.eventTypes.map((e) => e.id)) + 1;
    if (this.eventType(id)) throw conflict(`An event type with id ${id} exists.`);
    const host = parsed.host ? this.host(parsed.host) : this.hosts[0];
    if (!host) throw invalidField('host', `${parsed.host} is not one of the hosts`);
    const et: DbEventType = {
      id,
      slug: parsed.slug,
      title: parsed.title,
      length: parsed.length,
      description: parsed.description ?? '',
      hostId: host.id,
      locations: parsed.locations ?? ['integrations:daily'],
    };
    this.eventTypes.push(et);
    return et;
  }

  create(input: CreateBookingInput, baseUrl: string): DbBooking {
    const et = this.pickEventType(input);
    const host = input.host ? this.host(input.host) : this.hostById(et.hostId);
    if (!host) throw invalidField('host', `${input.host} is not one of the hosts`);
    const attendee = toAttendee(input.attendee);
    const startMs = input.start ? Date.parse(input.start) : tomorrowAtTen();
    const uid = this.hooks.newUid();
    const place = resolveLocation(input.location ?? et.locations[0], baseUrl, uid, input.videoCallUrl);
    const booking: DbBooking = {
      id: this.nextBookingId++,
      uid,
      eventTypeId: et.id,
      hostId: host.id,
      title: input.title ?? this.hooks.title(et, host, attendee),
      description: input.notes ?? '',
      startTime: utcSeconds(startMs),
      endTime: utcSeconds(startMs + et.length * 60_000),
      attendee,
      guests: input.guests ?? [],
      ...place,
      status: 'ACCEPTED',
      createdAt: new Date().toISOString(),
      fromReschedule: null,
      rescheduled: false,
      rescheduledToUid: null,
      rescheduledBy: null,
      rescheduleReason: null,
      cancellationReason: null,
      cancelledBy: null,
      iCalUID: `${uid}@Cal.com`,
      iCalSequence: 0,
      metadata: { ...input.metadata },
    };
    this.bookings.set(uid, booking);
    this.emit('BOOKING_CREATED', booking);
    return structuredClone(booking);
  }

  /**
   * A reschedule creates a **new** booking (new uid, `fromReschedule` = the original) and cancels
   * the original (status CANCELLED, rescheduled: true) — Cal.com PR #10654, issues #1551/#10631.
   * The calendar event keeps its iCalUID with the sequence raised (handleNewBooking getICalSequence).
   */
  reschedule(uid: string, input: z.infer<typeof rescheduleBookingSchema>, baseUrl: string): DbBooking {
    const original = this.active(uid, 'rescheduled');
    const et = this.eventType(original.eventTypeId)!;
    const startMs = Date.parse(input.start);
    const newUid = this.hooks.newUid();
    const keepLink = original.videoCallData?.type === 'daily_video' ? undefined : (original.videoCallUrl ?? undefined);
    const place = resolveLocation(original.location, baseUrl, newUid, keepLink);
    const by = input.by ?? original.attendee.email;
    const booking: DbBooking = {
      ...structuredClone(original),
      id: this.nextBookingId++,
      uid: newUid,
      startTime: utcSeconds(startMs),
      endTime: utcSeconds(startMs + et.length * 60_000),
      ...place,
      createdAt: new Date().toISOString(),
      fromReschedule: original.uid,
      rescheduledBy: by,
      rescheduleReason: input.reason ?? null,
      iCalSequence: original.iCalSequence + 1,
    };
    Object.assign(original, { status: 'CANCELLED', rescheduled: true, rescheduledToUid: newUid, rescheduledBy: by });
    this.bookings.set(newUid, booking);
    this.emit('BOOKING_RESCHEDULED', booking, original);
    return structuredClone(booking);
  }

  cancel(uid: string, input: z.infer<typeof cancelBookingSchema>): DbBooking {
    const booking = this.active(uid, 'cancelled');
    Object.assign(booking, {
      status: 'CANCELLED',
      cancellationReason: input.reason ?? null,
      cancelledBy: input.by ?? booking.attendee.email,
      // handleCancelBooking sends iCalSequence + 1 and stores it.
      iCalSequence: booking.iCalSequence + 1,
    });
    this.emit('BOOKING_CANCELLED', booking);
    return structuredClone(booking);
  }

  list(): DbBooking[] {
    return [...this.bookings.values()].map((b) => structuredClone(b));
  }

  private pickEventType(input: CreateBookingInput) {
    if (input.eventTypeId !== undefined) {
      const et = this.eventType(input.eventTypeId);
      if (!et) throw invalidField('eventTypeId', `no event type ${input.eventTypeId}; known: ${this.eventTypes.map((e) => e.id).join(', ')}`);
      return et;
    }
    if (input.eventTypeSlug !== undefined) {
      const et = this.eventTypes.find((e) => e.slug === input.eventTypeSlug);
      if (!et) throw invalidField('eventTypeSlug', `no event type "${input.eventTypeSlug}"; known: ${this.eventTypes.map((e) => e.slug).join(', ')}`);
      return et;
    }
    return this.eventTypes[0];
  }

  private active(uid: string, verb: string): DbBooking {
    const booking = this.bookings.get(uid);
    if (!booking) throw notFound(`No booking ${uid}.`);
    if (booking.status === 'CANCELLED') {
      throw conflict(
        booking.rescheduled
          ? `Booking ${uid} was rescheduled to ${booking.rescheduledToUid} and cannot be ${verb}.`
          : `Booking ${uid} is cancelled and cannot be ${verb}.`,
      );
    }
    return booking;
  }

  private emit(trigger: BookingTrigger, booking: DbBooking, previous?: DbBooking): void {
    this.onEvent({ trigger, booking: structuredClone(booking), previous: previous && structuredClone(previous), createdAt: new Date().toISOString() });
  }
}

function toDbHost(seed: HostSeed, id: number): DbHost {
  const username =
    seed.username ??
    seed.email
      .split('@')[0]
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '-');
  return { id, username, name: seed.name, email: seed.email, timeZone: seed.timeZone ?? 'UTC', locale: seed.locale ?? 'en' };
}

function toAttendee(input: z.infer<typeof attendeeInputSchema>): DbAttendee {
  const timeZone = input.timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw invalidField('attendee.timeZone', `unknown time zone "${timeZone}"`);
  }
  return {
    name: input.name,
    email: input.email,
    timeZone,
    locale: input.locale ?? 'en',
    phoneNumber: input.phoneNumber ?? null,
    company: input.company ?? null,
  };
}

function tomorrowAtTen(): number {
  const d = new Date(Date.now() + 86_400_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 10);
}
