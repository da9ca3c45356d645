/**
 * A booking chain → its one HubSpot meeting (M3), the way Cal.com's own
 * HubSpot app writes it (reference §E.2/§E.3): title and body from the
 * meeting type's templates, start and end, `hs_timestamp`, the place or the
 * video link, outcome SCHEDULED (RESCHEDULED once moved, CANCELED once
 * cancelled), owner = the HubSpot owner whose e-mail is the organizer's;
 * associated with the attendee's contact (found by e-mail, created when the
 * type says so) and that contact's primary company. The properties' hash is
 * kept: a repeated delivery computes the same and writes nothing.
 */
import type { Client } from '@hubspot/api-client';
import { RemoteRejectedError, SpokesError } from '../../errors.ts';
import { hashValues } from '../../sync/record-links.ts';
import type { ConnectorJobContext } from '../../platform/connector.ts';
import type { Bookings, Chain } from './bookings.ts';
import { placeholderValues, render, type MeetingType, type MeetingTypes } from './meeting-types.ts';
import type { BookingDetails, Source } from './payloads.ts';

/** HubSpot-defined association types (v4 defaults): meeting → contact 200, meeting → company 188. */
const MEETING_TO_CONTACT = 200;
const MEETING_TO_COMPANY = 188;

export interface MeetingDeps {
  bookings: Bookings;
  types: MeetingTypes;
  owners: OwnerDirectory;
}

type Ctx = ConnectorJobContext<unknown, unknown>;

export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

export async function applyChain(deps: MeetingDeps, ctx: Ctx, source: Source, rootUid: string, cause: string): Promise<ApplyOutcome> {
  const chain = await deps.bookings.chain(source, rootUid);
  const details = chain?.current.details;
  if (!chain || !details) return 'unchanged';
  const type = await deps.types.forBooking(source, details);
  const connectionId = ctx.connection.id;
  if (!type.syncEnabled) {
    await ctx.audit.record({
      connectionId,
      target: 'hubspot',
      objectType: 'meeting',
      objectId: chain.root.meetingId,
      operation: chain.root.meetingId ? 'update' : 'create',
      cause: { type: 'event', ref: cause },
      outcome: 'skipped',
      error: `HubSpot sync is off for the meeting type "${type.name}" (${source} ${type.eventTypeId})`,
    });
    return 'skipped';
  }
  const ownerId = await deps.owners.idOf(ctx, details.organizer.email);
  const properties = meetingProperties(source, type, chain, details, ownerId);
  const hash = hashValues(properties);
  if (chain.root.meetingId && chain.root.meetingHash === hash) return 'unchanged';

  if (chain.root.meetingId) {
    const meetingId = chain.root.meetingId;
    await ctx.audit.write(
      { connectionId, target: 'hubspot', objectType: 'meeting', objectId: meetingId, operation: 'update', cause: { type: 'event', ref: cause } },
      () => ctx.hubspot.call('updating a booked meeting', (c) => c.crm.objects.meetings.basicApi.update(meetingId, { properties })),
    );
    await deps.bookings.setMeeting(source, rootUid, meetingId, hash);
    await ctx.links.markSynced({ connectionId, objectType: 'meeting', remoteId: `${source}:${rootUid}` }, { hubspotId: meetingId, hashToHubspot: hash });
    return 'updated';
  }
  if (chain.current.cancelled) {
    // Cancelled before any meeting was written (or the create arrives after its cancel): nothing to show.
    await ctx.audit.record({
      connectionId,
      target: 'hubspot',
      objectType: 'meeting',
      operation: 'create',
      cause: { type: 'event', ref: cause },
      outcome: 'skipped',
      error: 'the booking was cancelled before its meeting was written',
    });
    return 'skipped';
  }
  if (!(await deps.bookings.claim(source, rootUid))) {
    // Another worker is creating this chain's meeting: retry once it is done (then this is an update or nothing).
    throw new SpokesError('conflict', `the meeting of booking ${rootUid} is being created by another worker`, { status: 409, retryable: true });
  }
  try {
    const contact = await findOrCreateContact(ctx, type, details, cause);
    const associations = [
      ...(contact ? [{ to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: MEETING_TO_CONTACT }] }] : []),
      ...(contact?.companyId
        ? [{ to: { id: contact.companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: MEETING_TO_COMPANY }] }]
        : []),
    ];
    const meeting = await ctx.audit.write(
      {
        connectionId,
        target: 'hubspot',
        objectType: 'meeting',
        operation: 'create',
        cause: { type: 'event', ref: cause },
        idempotencyKey: `${source}:${rootUid}`,
        objectId: (m) => m.id,
      },
      () => ctx.hubspot.call('creating a booked meeting', (c) => c.crm.objects.meetings.basicApi.create({ properties, associations: associations as never })),
    );
    await deps.bookings.setMeeting(source, rootUid, meeting.id, hash);
    await ctx.links.markSynced({ connectionId, objectType: 'meeting', remoteId: `${source}:${rootUid}` }, { hubspotId: meeting.id, hashToHubspot: hash });
    return 'created';
  } catch (err) {
    await deps.bookings.release(source, rootUid);
    throw err;
  }
}

/** Archives the meeting of a chain found to be part of another one (see Bookings.record). */
export async function archiveAbsorbed(ctx: Ctx, meetingId: string, cause: string): Promise<void> {
  await ctx.audit.write(
    {
      connectionId: ctx.connection.id,
      target: 'hubspot',
      objectType: 'meeting',
      objectId: meetingId,
      operation: 'delete',
      cause: { type: 'event', ref: cause },
    },
    () => ctx.hubspot.call('archiving a duplicate booked meeting', (c) => c.crm.objects.meetings.basicApi.archive(meetingId)),
  );
}

export function meetingProperties(source: Source, type: MeetingType, chain: Chain, d: BookingDetails, ownerId: string | null): Record<string, string> {
  const values = placeholderValues(source, d);
  const outcome = chain.current.cancelled ? 'CANCELED' : chain.length > 1 ? 'RESCHEDULED' : 'SCHEDULED';
  return {
    hs_meeting_title: render(type.titleTemplate, values).slice(0, 1000) || d.title,
    hs_meeting_body: render(type.bodyTemplate, values, { html: true }),
    hs_meeting_start_time: d.start,
    hs_meeting_end_time: d.end,
    hs_timestamp: d.start,
    hs_meeting_location: d.videoCallUrl ?? d.location ?? '',
    hs_meeting_external_url: d.videoCallUrl ?? '',
    hs_meeting_outcome: outcome,
    hs_meeting_source: 'INTEGRATION',
    hubspot_owner_id: ownerId ?? '',
  };
}

/**
 * The attendee's contact. When the type creates missing contacts, the create goes first and a 409
 * ("Contact already exists. Existing ID: <id>", as Cal.com's app parses it) names the existing one —
 * no search, whose 5/s budget would otherwise cap bookings at 4 a second; else a search by e-mail.
 */
async function findOrCreateContact(ctx: Ctx, type: MeetingType, d: BookingDetails, cause: string): Promise<{ id: string; companyId: string | null } | null> {
  if (!type.createContacts) {
    const found = await ctx.hubspot.call('finding the attendee by e-mail', (c) =>
      c.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ' as never, value: d.attendee.email }] }],
        sorts: ['hs_object_id'],
        properties: ['email', 'associatedcompanyid'],
        limit: 10,
        after: '0',
      }),
    );
    const [hit] = found.results;
    return hit ? { id: hit.id, companyId: hit.properties.associatedcompanyid || null } : null;
  }
  const [firstname, ...rest] = d.attendee.name.trim().split(/\s+/);
  const properties: Record<string, string> = { email: d.attendee.email, firstname: firstname ?? '', lastname: rest.join(' ') };
  if (d.attendee.phone) properties.phone = d.attendee.phone;
  if (d.company) properties.company = d.company;
  let existingId: string;
  try {
    const created = await ctx.hubspot.call('creating the attendee as a contact', (c) => c.crm.contacts.basicApi.create({ properties, associations: [] }));
    await ctx.audit.record({
      connectionId: ctx.connection.id,
      target: 'hubspot',
      objectType: 'contact',
      objectId: created.id,
      operation: 'create',
      cause: { type: 'event', ref: cause },
      outcome: 'succeeded',
    });
    return { id: created.id, companyId: null };
  } catch (err) {
    const existing = err instanceof RemoteRejectedError && /Existing ID:\s*(\d+)/.exec(err.message);
    if (!existing) throw err;
    existingId = existing[1]!;
  }
  const contact = await ctx.hubspot.call("reading the attendee's contact", (c) => c.crm.contacts.basicApi.getById(existingId, ['associatedcompanyid']));
  return { id: contact.id, companyId: contact.properties.associatedcompanyid || null };
}

/** HubSpot owners by e-mail, read at most once a minute (an organizer matched to an owner, §E.2). */
export class OwnerDirectory {
  #cache: { at: number; byEmail: Map<string, string> } | undefined;

  async idOf(ctx: { hubspot: Ctx['hubspot'] }, email: string): Promise<string | null> {
    if (!this.#cache || Date.now() - this.#cache.at > 60_000) {
      const byEmail = new Map<string, string>();
      let after: string | undefined;
      do {
        const page = await ctx.hubspot.call('listing HubSpot owners', (c: Client) => c.crm.owners.ownersApi.getPage(undefined, after, 500, false));
        for (const o of page.results) if (o.email) byEmail.set(o.email.toLowerCase(), o.id);
        after = page.paging?.next?.after;
      } while (after);
      this.#cache = { at: Date.now(), byEmail };
    }
    return this.#cache.byEmail.get(email.toLowerCase()) ?? null;
  }
}
