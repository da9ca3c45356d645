/**
 * Meeting types (Cal.com event types, immedio 面談タイプ): HubSpot sync on or
 * off per type (M4), whether a missing contact is created, and the title and
 * body templates of the meeting (M3). Kept apart from the connection, so a
 * disconnect keeps them and a reconnect resumes with them (M2). A type first
 * seen in a booking gets a row with sync on and no contact creation.
 */
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/open.ts';
import { bookingMeetingTypes } from './schema.ts';
import { SOURCES, SOURCE_NAMES, type BookingDetails, type Source } from './payloads.ts';

export const DEFAULT_TITLE_TEMPLATE = '{title}';
export const DEFAULT_BODY_TEMPLATE =
  'Booked through {source} ({meetingType}).\nAttendee: {attendeeName} <{attendeeEmail}>\nOrganizer: {organizerName}\n{notes}';

/** The placeholders a template may use, with what each stands for (shown on the meeting-types page). */
export const PLACEHOLDERS = {
  title: "the booking's title",
  meetingType: "the meeting type's name",
  source: 'Cal.com or immedio',
  attendeeName: "the attendee's name",
  attendeeEmail: "the attendee's e-mail",
  company: 'the company the attendee gave (immedio)',
  organizerName: "the organizer's name",
  organizerEmail: "the organizer's e-mail",
  start: 'the start time (UTC)',
  end: 'the end time (UTC)',
  location: 'the place or video app',
  videoCallUrl: 'the join link',
  notes: "the attendee's notes",
} as const;

const template = z
  .string()
  .max(4_000)
  .refine((t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => m[1]! in PLACEHOLDERS), {
    message: `unknown placeholder; known: ${Object.keys(PLACEHOLDERS)
      .map((p) => `{${p}}`)
      .join(', ')}`,
  });

export const meetingTypeUpdate = z
  .object({
    syncEnabled: z.boolean(),
    createContacts: z.boolean(),
    titleTemplate: template.pipe(z.string().trim().min(1, 'a title is needed')),
    bodyTemplate: template,
    name: z.string().trim().min(1).max(200),
  })
  .partial()
  .strict();
export type MeetingTypeUpdate = z.infer<typeof meetingTypeUpdate>;

export interface MeetingType {
  source: Source;
  eventTypeId: string;
  name: string;
  slug: string;
  syncEnabled: boolean;
  createContacts: boolean;
  titleTemplate: string;
  bodyTemplate: string;
}

export const sourceParam = z.enum(SOURCES);

export class MeetingTypes {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async list(): Promise<MeetingType[]> {
    const rows = await this.#db.select().from(bookingMeetingTypes).orderBy(asc(bookingMeetingTypes.source), asc(bookingMeetingTypes.name));
    return rows.map(toType);
  }

  async get(source: Source, eventTypeId: string): Promise<MeetingType | null> {
    const [row] = await this.#db
      .select()
      .from(bookingMeetingTypes)
      .where(and(eq(bookingMeetingTypes.source, source), eq(bookingMeetingTypes.eventTypeId, eventTypeId)));
    return row ? toType(row) : null;
  }

  /** The type of a booking: its row, made with the defaults the first time the type is seen. */
  async forBooking(source: Source, details: BookingDetails, defaults: { syncEnabled?: boolean; createContacts?: boolean } = {}): Promise<MeetingType> {
    await this.#db
      .insert(bookingMeetingTypes)
      .values({
        source,
        eventTypeId: details.eventTypeId,
        name: details.eventTypeName || details.eventTypeSlug || details.eventTypeId,
        slug: details.eventTypeSlug,
        syncEnabled: defaults.syncEnabled ?? true,
        createContacts: defaults.createContacts ?? false,
        titleTemplate: DEFAULT_TITLE_TEMPLATE,
        bodyTemplate: DEFAULT_BODY_TEMPLATE,
      })
      .onConflictDoNothing();
    return (await this.get(source, details.eventTypeId))!;
  }

  /** Adds a type known from the source (the sandbox's event types) unless it is there; an existing row keeps its settings. */
  async ensure(source: Source, type: { id: string; slug: string; name: string }, defaults: { syncEnabled: boolean; createContacts: boolean }): Promise<void> {
    await this.#db
      .insert(bookingMeetingTypes)
      .values({
        source,
        eventTypeId: type.id,
        name: type.name,
        slug: type.slug,
        ...defaults,
        titleTemplate: DEFAULT_TITLE_TEMPLATE,
        bodyTemplate: DEFAULT_BODY_TEMPLATE,
      })
      .onConflictDoNothing();
  }

  /** Changes a type's settings; a type not seen yet is added (sync on, no contact creation, default templates) first. */
  async update(source: Source, eventTypeId: string, change: MeetingTypeUpdate): Promise<MeetingType | null> {
    await this.ensure(source, { id: eventTypeId, slug: '', name: change.name ?? eventTypeId }, { syncEnabled: true, createContacts: false });
    const [row] = await this.#db
      .update(bookingMeetingTypes)
      .set({ ...change, updatedAt: new Date() })
      .where(and(eq(bookingMeetingTypes.source, source), eq(bookingMeetingTypes.eventTypeId, eventTypeId)))
      .returning();
    return row ? toType(row) : null;
  }
}

function toType(row: typeof bookingMeetingTypes.$inferSelect): MeetingType {
  return { ...row, source: row.source as Source };
}

/** The placeholders' values for one booking. */
export function placeholderValues(source: Source, details: BookingDetails): Record<keyof typeof PLACEHOLDERS, string> {
  return {
    title: details.title,
    meetingType: details.eventTypeName,
    source: SOURCE_NAMES[source],
    attendeeName: details.attendee.name,
    attendeeEmail: details.attendee.email,
    company: details.company ?? '',
    organizerName: details.organizer.name,
    organizerEmail: details.organizer.email,
    start: details.start.replace('T', ' ').replace(/:00\.000Z$/, ' UTC'),
    end: details.end.replace('T', ' ').replace(/:00\.000Z$/, ' UTC'),
    location: details.location ?? '',
    videoCallUrl: details.videoCallUrl ?? '',
    notes: details.notes,
  };
}

/**
 * Fills `{placeholder}`s. `html` (hs_meeting_body is HTML): the template is plain text — it and the
 * values are escaped, line breaks become `<br>`, blank lines are dropped.
 */
export function render(template: string, values: Record<string, string>, opts: { html?: boolean } = {}): string {
  const source = opts.html ? escapeHtml(template) : template;
  const filled = source.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) return whole;
    return opts.html ? escapeHtml(v) : v;
  });
  if (!opts.html) return filled.replace(/\s+/g, ' ').trim();
  return filled
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('<br>');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
