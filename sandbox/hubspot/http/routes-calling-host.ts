/**
 * What the record page's calling host (pages/calling-host.js, run in the browser)
 * needs from the emulator, playing HubSpot's own app back end: the SDK's ESM
 * bundle and the host script, and — as the signed-in user, by cookie — the call
 * engagements HubSpot creates for `outgoingCall`/`incomingCall` with
 * `createEngagement`, their updates, the `callCompleted` write (properties and
 * default associations), caller-id matching and record look-ups. These are not
 * public HubSpot APIs: HubSpot's page uses internal ones that nobody else calls.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AssociationService } from '../crm/association-service.ts';
import type { WriteSource } from '../crm/events.ts';
import { apiError, notFound, validationError } from '../errors.ts';
import { defaultAssociationType } from '../model/association-types.ts';
import { resolveObjectType, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import { CALL_STATUSES } from '../model/properties-engagements.ts';
import { CALLING_ASSETS } from '../pages/calling-host.ts';
import type { SandboxContext } from './context.ts';
import { callerIdMatches } from './routes-calling.ts';
import { currentUser } from './routes-oauth-authorize.ts';

const SDK_BUNDLE = createRequire(import.meta.url).resolve('@hubspot/calling-extensions-sdk/dist/main.esm.js');
const HOST_SCRIPT = fileURLToPath(new URL('../pages/calling-host.js', import.meta.url));

const id = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]);
const value = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const createBody = z.object({
  /** Absent for a widget that only the localStorage override defines (no app behind it). */
  appId: id.optional(),
  direction: z.enum(['OUTBOUND', 'INBOUND']),
  externalCallId: z.string().min(1).max(200),
  fromNumber: z.string().max(100).optional(),
  toNumber: z.string().max(100).optional(),
  callStartTime: z.number().optional(),
});
const updateBody = z.object({ properties: z.record(z.string(), value) });
const completeBody = z.object({
  engagementProperties: z.record(z.string(), value).default({}),
  /** The records the call belongs to: the dialed record (calleeInfo), the record on screen, a caller-id match. */
  associations: z
    .array(z.object({ objectTypeId: z.string(), objectId: id }))
    .max(10)
    .default([]),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw validationError(`Invalid input JSON: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function registerCallingHostRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const associations = new AssociationService(ctx.objects, ctx.events, () => ctx.state.clock.now());

  for (const [path, file] of [
    [CALLING_ASSETS.sdk, SDK_BUNDLE],
    [CALLING_ASSETS.host, HOST_SCRIPT],
  ] as const) {
    app.get(path, async (_request, reply) => {
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache');
      return readFile(file, 'utf8');
    });
  }

  /** The signed-in user's portal and identity: HubSpot's app pages act as the user, not as an app. */
  function session(request: FastifyRequest<{ Params: { portalId: string } }>): { portal: Portal; source: WriteSource; ownerId?: number } {
    const user = currentUser(ctx, request);
    const portal = ctx.state.portal(Number(request.params.portalId));
    if (!portal) throw notFound(`Portal ${request.params.portalId} does not exist.`);
    if (!user.portalIds.includes(portal.portalId)) throw apiError(403, 'FORBIDDEN', `${user.email} is not a user in ${portal.settings.name}.`);
    return { portal, source: { changeSource: 'CALLING', userId: user.userId }, ownerId: portal.ownerByUserId(user.userId)?.id };
  }

  function call(portal: Portal, callId: string) {
    const record = /^\d+$/.test(callId) ? portal.store('calls').get(Number(callId)) : undefined;
    if (!record || record.archived) throw notFound(`No call engagement with id ${callId} exists.`);
    return record;
  }

  type P = { Params: { portalId: string } };
  type PC = { Params: { portalId: string; callId: string } };

  // OUTGOING_CALL_STARTED / INCOMING_CALL with createEngagement: HubSpot's minimal engagement, on no timeline yet.
  app.post<P>('/calling-host/api/:portalId/calls', async (request, reply) => {
    const { portal, source, ownerId } = session(request);
    const input = parse(createBody, request.body);
    const started = input.callStartTime && Number.isFinite(input.callStartTime) ? input.callStartTime : ctx.state.clock.now();
    const record = ctx.objects.create(
      portal,
      'calls',
      {
        properties: {
          hs_timestamp: String(Math.round(started)),
          hs_call_direction: input.direction,
          hs_call_status: input.direction === 'OUTBOUND' ? 'CONNECTING' : 'RINGING',
          hs_call_external_id: input.externalCallId,
          ...(input.appId ? { hs_call_app_id: String(input.appId) } : {}),
          hs_call_source: 'CALLING_SDK',
          ...(input.fromNumber ? { hs_call_from_number: input.fromNumber } : {}),
          ...(input.toNumber ? { hs_call_to_number: input.toNumber } : {}),
          ...(ownerId !== undefined ? { hubspot_owner_id: String(ownerId) } : {}),
        },
      },
      { ...source, appId: input.appId },
    );
    ctx.state.touch();
    reply.code(201);
    return { engagementId: record.id };
  });

  // CALL_ANSWERED / CALL_ENDED: the status moves on (values hs_call_status does not know, like REJECTED, are dropped).
  app.patch<PC>('/calling-host/api/:portalId/calls/:callId', async (request) => {
    const { portal, source } = session(request);
    const record = call(portal, request.params.callId);
    const { properties } = parse(updateBody, request.body);
    if (properties.hs_call_status !== undefined && !CALL_STATUSES.includes(String(properties.hs_call_status))) delete properties.hs_call_status;
    if (Object.keys(properties).length) ctx.objects.update(portal, 'calls', record, properties, source);
    ctx.state.touch();
    return { engagementId: record.id };
  });

  // CALL_COMPLETED: the widget's properties, then the default associations, so the call shows on the timeline.
  app.post<PC>('/calling-host/api/:portalId/calls/:callId/complete', async (request) => {
    const { portal, source } = session(request);
    const record = call(portal, request.params.callId);
    const input = parse(completeBody, request.body);
    const targets: Array<{ type: ObjectTypeName; id: number }> = [];
    const add = (type: ObjectTypeName, targetId: number) => {
      if (!targets.some((t) => t.type === type && t.id === targetId)) targets.push({ type, id: targetId });
    };
    for (const a of input.associations) {
      const type = resolveObjectType(a.objectTypeId);
      if (!type || !['contacts', 'companies', 'deals'].includes(type)) continue;
      const target = portal.store(type).get(a.objectId);
      if (!target || target.archived) continue;
      add(type, target.id);
      // HubSpot's default: activities logged on a contact also go to its primary company.
      const primary =
        type === 'contacts' ? portal.associations.list('contacts', target.id, 'companies').find((e) => e.types.some((t) => t.label === 'Primary')) : undefined;
      if (primary) add('companies', primary.toId);
    }
    const properties = { ...input.engagementProperties };
    for (const [key, v] of Object.entries(properties)) if (v === null || v === '') delete properties[key];
    if (Object.keys(properties).length) ctx.objects.update(portal, 'calls', record, properties, source);
    for (const t of targets) associations.add(portal, 'calls', record.id, t.type, t.id, defaultAssociationType('calls', t.type)!, source);
    ctx.state.touch();
    return { engagementId: record.id, associated: targets };
  });

  // INCOMING_CALL: caller-id matching from the portal's own records (§11 callerIdMatches).
  app.get<P>('/calling-host/api/:portalId/caller-id', async (request) => {
    const { portal } = session(request);
    const { number } = parse(z.object({ number: z.string().min(1).max(100) }), request.query);
    return { callerIdMatches: callerIdMatches(portal, number) };
  });

  // NAVIGATE_TO_RECORD: only to a record that exists (else the host answers NAVIGATE_TO_RECORD_FAILED).
  app.get<{ Params: { portalId: string; typeId: string; id: string } }>('/calling-host/api/:portalId/records/:typeId/:id', async (request) => {
    const { portal } = session(request);
    const type = resolveObjectType(request.params.typeId);
    const record = type && /^\d+$/.test(request.params.id) ? portal.store(type).get(Number(request.params.id)) : undefined;
    if (!type || !record || record.archived) throw notFound(`No record ${request.params.typeId}/${request.params.id} in portal ${portal.portalId}.`);
    return { url: `/contacts/${portal.portalId}/record/${request.params.typeId}/${record.id}` };
  });
}
