/**
 * What Spokes knows about each booking, built from deliveries in whatever
 * order and however often they arrive. Facts only accumulate — a booking that
 * was cancelled stays cancelled, one that was rescheduled stays replaced, and
 * older details never overwrite newer ones — so a repeated or late delivery
 * changes nothing. A reschedule is a new booking uid naming the original
 * (Cal.com `rescheduleUid`, immedio `rescheduledFrom`); the bookings of one
 * chain share the `rootUid` of its first booking, which keys its one meeting.
 */
import { and, asc, desc, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/open.ts';
import { bookingBookings } from './schema.ts';
import { bookingDetailsSchema, type BookingDetails, type BookingEvent, type Source } from './payloads.ts';

export interface BookingRow {
  uid: string;
  rootUid: string;
  rescheduledTo: string | null;
  cancelled: boolean;
  details: BookingDetails | null;
  meetingId: string | null;
  meetingHash: string | null;
}

export interface ListedBooking {
  source: Source;
  uid: string;
  rootUid: string;
  state: 'scheduled' | 'rescheduled' | 'cancelled';
  title: string;
  meetingType: { id: string; name: string };
  start: string;
  end: string;
  host: BookingDetails['organizer'];
  attendee: { name: string; email: string };
  hubspotMeetingId: string | null;
}

export interface Chain {
  root: BookingRow;
  /** The latest booking of the chain (the root when never rescheduled). */
  current: BookingRow;
  /** How many bookings the chain went through (2 or more: rescheduled). */
  length: number;
}

/** How long a claim to create a chain's meeting holds before another worker may take over (a worker that died). */
const CLAIM_MS = 120_000;

export class Bookings {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Records a delivery; answers the chain's root and, when two chains turned out to be one
   * (a reschedule arrived before the booking it replaced was known), the meeting of the
   * chain that was absorbed — to be archived, so the chain keeps exactly one.
   */
  async record(e: BookingEvent): Promise<{ rootUid: string; absorbedMeetingId: string | null }> {
    return this.#db.transaction(async (tx) => {
      let rootUid = e.uid;
      let absorbedMeetingId: string | null = null;
      if (e.previousUid) {
        await tx
          .insert(bookingBookings)
          .values({ source: e.source, uid: e.previousUid, rootUid: e.previousUid, rescheduledTo: e.uid })
          .onConflictDoUpdate({ target: [bookingBookings.source, bookingBookings.uid], set: { rescheduledTo: e.uid, updatedAt: new Date() } });
        rootUid = (await this.#row(tx, e.source, e.previousUid))!.rootUid;
      }
      const existing = await this.#row(tx, e.source, e.uid);
      if (!existing) {
        await tx.insert(bookingBookings).values({ source: e.source, uid: e.uid, rootUid });
      } else if (e.previousUid && existing.rootUid !== rootUid) {
        // This booking started a chain of its own (its reschedule was not known yet): join the two.
        const absorbed = await this.#row(tx, e.source, existing.rootUid);
        const root = await this.#row(tx, e.source, rootUid);
        if (absorbed?.meetingId && !root?.meetingId) {
          await tx
            .update(bookingBookings)
            .set({ meetingId: absorbed.meetingId, meetingHash: absorbed.meetingHash })
            .where(and(eq(bookingBookings.source, e.source), eq(bookingBookings.uid, rootUid)));
        } else if (absorbed?.meetingId) absorbedMeetingId = absorbed.meetingId;
        await tx
          .update(bookingBookings)
          .set({ meetingId: null, meetingHash: null, claimedAt: null })
          .where(and(eq(bookingBookings.source, e.source), eq(bookingBookings.uid, existing.rootUid)));
        await tx
          .update(bookingBookings)
          .set({ rootUid })
          .where(and(eq(bookingBookings.source, e.source), eq(bookingBookings.rootUid, existing.rootUid)));
      } else rootUid = existing.rootUid;

      const at = new Date(e.at);
      const cancelled = e.trigger === 'BOOKING_CANCELLED';
      const row = await this.#row(tx, e.source, e.uid);
      const stored = row!.details as BookingDetails | null;
      // A cancellation does not carry the video link (Cal.com): it keeps what the booking said.
      const newer = !stored || (!cancelled && (!row!.detailsAt || at >= row!.detailsAt));
      const details = newer ? { ...e.details, videoCallUrl: e.details.videoCallUrl ?? stored?.videoCallUrl ?? null } : stored;
      await tx
        .update(bookingBookings)
        .set({
          // A cancel's details only fill a gap: any booking or reschedule delivery, even an older one, replaces them.
          ...(newer ? { details, detailsAt: cancelled ? null : at } : {}),
          ...(cancelled ? { cancelled: true } : {}),
          updatedAt: new Date(),
        })
        .where(and(eq(bookingBookings.source, e.source), eq(bookingBookings.uid, e.uid)));
      return { rootUid, absorbedMeetingId };
    });
  }

  async chain(source: Source, rootUid: string): Promise<Chain | null> {
    const rows = await this.#db
      .select()
      .from(bookingBookings)
      .where(and(eq(bookingBookings.source, source), eq(bookingBookings.rootUid, rootUid)))
      .orderBy(asc(bookingBookings.uid));
    const byUid = new Map(rows.map((r) => [r.uid, toRow(r)]));
    const root = byUid.get(rootUid);
    if (!root) return null;
    let current = root;
    let length = 1;
    const seen = new Set([root.uid]);
    while (current.rescheduledTo && byUid.has(current.rescheduledTo) && !seen.has(current.rescheduledTo)) {
      current = byUid.get(current.rescheduledTo)!;
      seen.add(current.uid);
      length++;
    }
    return { root, current, length };
  }

  /** The uid's chain root, or null when the uid was never seen. */
  async rootOf(source: Source, uid: string): Promise<string | null> {
    return (await this.#row(this.#db, source, uid))?.rootUid ?? null;
  }

  /** Takes the right to create the chain's meeting; false while another worker holds it. */
  async claim(source: Source, rootUid: string): Promise<boolean> {
    const rows = await this.#db
      .update(bookingBookings)
      .set({ claimedAt: new Date() })
      .where(
        and(
          eq(bookingBookings.source, source),
          eq(bookingBookings.uid, rootUid),
          isNull(bookingBookings.meetingId),
          or(isNull(bookingBookings.claimedAt), lt(bookingBookings.claimedAt, new Date(Date.now() - CLAIM_MS))),
        ),
      )
      .returning({ uid: bookingBookings.uid });
    return rows.length === 1;
  }

  async release(source: Source, rootUid: string): Promise<void> {
    await this.#db
      .update(bookingBookings)
      .set({ claimedAt: null })
      .where(and(eq(bookingBookings.source, source), eq(bookingBookings.uid, rootUid)));
  }

  async setMeeting(source: Source, rootUid: string, meetingId: string, hash: string): Promise<void> {
    await this.#db
      .update(bookingBookings)
      .set({ meetingId, meetingHash: hash, claimedAt: null, updatedAt: new Date() })
      .where(and(eq(bookingBookings.source, source), eq(bookingBookings.uid, rootUid)));
  }

  /**
   * The latest booking of each chain (never-rescheduled bookings, and the last of each reschedule
   * chain), newest first, with the chain's HubSpot meeting; `host`: only those it organizes (e-mail).
   */
  async list(opts: { host?: string; limit?: number } = {}): Promise<ListedBooking[]> {
    const root = alias(bookingBookings, 'root');
    const rows = await this.#db
      .select({ booking: bookingBookings, meetingId: root.meetingId })
      .from(bookingBookings)
      .leftJoin(root, and(eq(root.source, bookingBookings.source), eq(root.uid, bookingBookings.rootUid)))
      .where(
        and(
          isNull(bookingBookings.rescheduledTo),
          isNotNull(bookingBookings.details),
          opts.host ? sql`lower(${bookingBookings.details}->'organizer'->>'email') = ${opts.host.trim().toLowerCase()}` : undefined,
        ),
      )
      .orderBy(desc(bookingBookings.updatedAt))
      .limit(opts.limit ?? 100);
    return rows.map(({ booking: r, meetingId }) => {
      const d = toRow(r).details!;
      return {
        source: r.source as Source,
        uid: r.uid,
        rootUid: r.rootUid,
        state: r.cancelled ? 'cancelled' : r.uid === r.rootUid ? 'scheduled' : 'rescheduled',
        title: d.title,
        meetingType: { id: d.eventTypeId, name: d.eventTypeName },
        start: d.start,
        end: d.end,
        host: d.organizer,
        attendee: { name: d.attendee.name, email: d.attendee.email },
        hubspotMeetingId: meetingId ?? null,
      };
    });
  }

  async count(): Promise<number> {
    const [row] = await this.#db.select({ n: sql<number>`count(*)::int` }).from(bookingBookings);
    return row?.n ?? 0;
  }

  async #row(db: Db, source: Source, uid: string) {
    const [row] = await db
      .select()
      .from(bookingBookings)
      .where(and(eq(bookingBookings.source, source), eq(bookingBookings.uid, uid)));
    return row;
  }
}

function toRow(r: typeof bookingBookings.$inferSelect): BookingRow {
  const details = r.details == null ? null : bookingDetailsSchema.parse(r.details);
  return {
    uid: r.uid,
    rootUid: r.rootUid,
    rescheduledTo: r.rescheduledTo,
    cancelled: r.cancelled,
    details,
    meetingId: r.meetingId,
    meetingHash: r.meetingHash,
  };
}
