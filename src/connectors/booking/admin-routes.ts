/**
 * The booking connector's admin API, at `/api/booking/…`. Who may call: a
 * signed-in admin, with the session's CSRF token on changes (the root guard of
 * src/web/admin/require-admin.ts covers every `/api/` route; none of these is
 * public). Connecting and disconnecting are the platform's
 * `/api/connections` routes.
 *
 *   GET   /sources                              the sources and their webhook URLs (never the secrets)
 *   GET   /bookings?host=&limit=                the latest booking of each chain with its HubSpot meeting (a member: their own)
 *   GET   /meeting-types                        every meeting type (a member: those of their bookings), placeholders, defaults
 *   PATCH /meeting-types/:source/:eventTypeId   sync on/off, create contacts, templates (400 naming a field)
 *   POST  /meeting-types/preview                a template rendered with a sample booking
 *   GET   /property-sync                        lists, last sync test, last run, running, next syncs, manual allowed?
 *   PUT   /property-sync                        save the Contact/Company property lists
 *   POST  /property-sync/test                   M6: which listed names HubSpot lacks (writes nothing)
 *   POST  /property-sync/run                    M7: manual sync (409 with the reason and the next allowed time)
 *   GET   /routing?email=|domain=               synced values and owner, no HubSpot call
 *   POST  /routing-token                        a new routing API token for machines (shown once; the old one stops working)
 *   DELETE /routing-token                       no token: machine callers are refused
 * Members read; changes need a manager or an owner (roles.ts defaults). Machines call
 * `GET /booking/routing` with the token (routing-token.ts), never these.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError, NotFoundError, SpokesError } from '../../errors.ts';
import { parseInput } from '../../web/errors.ts';
import type { ConnectorContext, ConnectorJob } from '../../platform/connector.ts';
import { meetingTypeUpdate, placeholderValues, render, sourceParam, DEFAULT_BODY_TEMPLATE, DEFAULT_TITLE_TEMPLATE, PLACEHOLDERS } from './meeting-types.ts';
import type { MeetingTypes } from './meeting-types.ts';
import { SOURCE_NAMES, SOURCES, type BookingDetails } from './payloads.ts';
import { propertyLists, type PropertyStore } from './property-store.ts';
import { propertyMirror, type PropertySync } from './property-sync.ts';
import type { RoutingTokens } from './routing-token.ts';
import type { Bookings } from './bookings.ts';

interface Deps {
  stores: { bookings: Bookings; types: MeetingTypes; properties: PropertyStore; sync: PropertySync; tokens: RoutingTokens };
  manualSync: ConnectorJob<any, any, any>;
}

const typeParams = z.object({ source: sourceParam, eventTypeId: z.string().min(1).max(100) });
const previewBody = z
  .object({
    titleTemplate: z.string().max(4_000),
    bodyTemplate: z.string().max(4_000),
    source: sourceParam.default('calcom'),
    meetingTypeName: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
const bookingsQuery = z
  .object({ host: z.string().trim().max(320).pipe(z.email()).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();
export const routingQuery = z
  .object({ email: z.string().trim().max(320).pipe(z.email()).optional(), domain: z.string().trim().min(3).max(253).optional() })
  .strict()
  .refine((q) => q.email || q.domain, { message: 'give an e-mail or a domain', path: ['email'] });

/** The booking shown in the meeting-types page's live preview. */
export const SAMPLE_BOOKING: BookingDetails = {
  title: 'Product Demo between Sam Admin and Jane Roe',
  eventTypeId: '1002',
  eventTypeSlug: 'product-demo',
  eventTypeName: 'Product Demo',
  start: '2030-03-04T15:00:00.000Z',
  end: '2030-03-04T15:45:00.000Z',
  organizer: { name: 'Sam Admin', email: 'admin@spokes-sandbox.test' },
  attendee: { name: 'Jane Roe', email: 'jane@acme.example', phone: null },
  location: 'Zoom',
  videoCallUrl: 'https://zoom.us/j/1234567890',
  notes: 'We would like to see the reporting features.',
  company: 'Acme Inc.',
};

export async function registerBookingAdminRoutes(router: FastifyInstance, ctx: ConnectorContext<any, any>, deps: Deps): Promise<void> {
  const { bookings, types, properties, sync, tokens } = deps.stores;
  /** A member sees their own items only: the bookings they host (their Spokes e-mail is the organizer's). */
  const ownHost = (request: FastifyRequest) => {
    const user = request.adminSession?.user;
    return user && user.role === 'member' ? user.email : undefined;
  };

  router.get('/bookings', async (request) => {
    const q = parseInput(bookingsQuery, request.query, 'query');
    const own = ownHost(request);
    return { scope: own ? 'own' : 'all', bookings: await bookings.list({ host: own ?? q.host, limit: q.limit }) };
  });

  router.get('/sources', async () => {
    const connection = (await ctx.connections.list())[0];
    const creds = connection ? ((await ctx.connections.open(connection.id)).credentials as Record<string, string | undefined>) : {};
    return {
      connectionId: connection?.id ?? null,
      sources: SOURCES.map((source) => ({
        source,
        name: SOURCE_NAMES[source],
        configured: !!creds[`${source}Secret`],
        webhookUrl: connection ? `${ctx.publicUrl}/webhooks/booking/${source}/${connection.id}` : null,
        signatureHeader: source === 'calcom' ? 'X-Cal-Signature-256' : 'X-Immedio-Signature',
      })),
    };
  });

  router.get('/meeting-types', async (request) => ({
    meetingTypes: await typesFor(ownHost(request)),
    placeholders: PLACEHOLDERS,
    defaults: { titleTemplate: DEFAULT_TITLE_TEMPLATE, bodyTemplate: DEFAULT_BODY_TEMPLATE },
  }));

  // A member: the meeting types of the bookings they host.
  async function typesFor(host: string | undefined) {
    const all = await types.list();
    if (!host) return all;
    const hosted = new Set((await bookings.list({ host, limit: 1_000 })).map((b) => `${b.source}:${b.meetingType.id}`));
    return all.filter((t) => hosted.has(`${t.source}:${t.eventTypeId}`));
  }

  router.patch('/meeting-types/:source/:eventTypeId', async (request) => {
    const { source, eventTypeId } = parseInput(typeParams, request.params, 'params');
    const change = parseInput(meetingTypeUpdate, request.body, 'body');
    const updated = await types.update(source, eventTypeId, change);
    if (!updated) throw new NotFoundError(`There is no ${SOURCE_NAMES[source]} meeting type "${eventTypeId}".`);
    return updated;
  });

  router.post('/meeting-types/preview', async (request) => {
    const body = parseInput(previewBody, request.body, 'body');
    const checked = parseInput(meetingTypeUpdate, { titleTemplate: body.titleTemplate, bodyTemplate: body.bodyTemplate }, 'body');
    const sample = body.meetingTypeName ? { ...SAMPLE_BOOKING, eventTypeName: body.meetingTypeName } : SAMPLE_BOOKING;
    const values = placeholderValues(body.source, sample);
    return {
      title: render(checked.titleTemplate!, values),
      bodyHtml: render(checked.bodyTemplate!, values, { html: true }),
      // The same body as plain lines, for a page that shows it without rendering HTML.
      bodyLines: checked
        .bodyTemplate!.split('\n')
        .map((line) => render(line, values))
        .filter(Boolean),
      sample,
    };
  });

  const syncView = async () => {
    const state = await properties.state();
    const health = await propertyMirror.health(ctx.checkpoints, sync.sink(state), (await ctx.connections.list())[0]?.id ?? null);
    return {
      contactProperties: state.contactProperties,
      companyProperties: state.companyProperties,
      testResult: state.testResult,
      running: state.runningSince ? { since: state.runningSince.toISOString(), mode: state.runningMode } : null,
      lastRun: state.lastRun,
      lastManualAt: state.lastManualAt?.toISOString() ?? null,
      nextIncrementalAt: nextCron(5),
      nextNightlyAt: nextNightly(),
      manual: properties.manualAllowed(state),
      // The mirror's health (src/sync/engine/mirror.ts): rows kept, and how far each incremental window has read.
      synced: { contacts: health.counts.contact, companies: health.counts.company },
      readUpTo: health.readUpTo,
      routingToken: state.routingTokenCreatedAt ? { createdAt: state.routingTokenCreatedAt.toISOString() } : null,
    };
  };

  router.get('/property-sync', syncView);

  router.put('/property-sync', async (request) => {
    await properties.saveLists(parseInput(propertyLists, request.body, 'body'));
    return syncView();
  });

  router.post('/property-sync/test', async () => sync.test(ctx));

  router.post('/property-sync/run', async (_request, reply) => {
    const connection = (await ctx.connections.list()).find((c) => c.choice === 'enabled');
    if (!connection) throw new ConflictError('Connect and enable a booking source first: the property sync belongs to it.');
    const manual = properties.manualAllowed(await properties.state());
    if (!manual.allowed || !(await properties.claimManual()))
      throw new SpokesError('conflict', manual.reason ?? 'A manual sync was just started.', {
        status: 409,
        details: [{ field: 'manual', message: manual.nextAllowedAt ? `next allowed at ${manual.nextAllowedAt}` : 'wait for the running sync to finish' }],
      });
    await ctx.queue.enqueue(deps.manualSync, { mode: 'full', trigger: 'manual', key: String(Date.now()) });
    return reply.status(202).send({ queued: true });
  });

  // The machine callers' token (routing-token.ts): made or remade (the old one stops working), shown once; or removed.
  router.post('/routing-token', async (_request, reply) => reply.status(201).send(await tokens.rotate()));
  router.delete('/routing-token', async (_request, reply) => {
    await tokens.revoke();
    return reply.status(204).send();
  });

  router.get('/routing', async (request) => {
    const q = parseInput(routingQuery, request.query, 'query');
    return { query: q, ...(await properties.route(q)) };
  });
}

/** The next run of a `*\/n * * * *` schedule (UTC). */
function nextCron(everyMinutes: number): string {
  const ms = everyMinutes * 60_000;
  return new Date(Math.ceil((Date.now() + 1) / ms) * ms).toISOString();
}

/** The nightly full sync: 02:30 UTC. */
function nextNightly(): string {
  const next = new Date();
  next.setUTCHours(2, 30, 0, 0);
  if (next.getTime() <= Date.now()) next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString();
}
