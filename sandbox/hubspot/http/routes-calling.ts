/**
 * Calling extensions (reference §11): app settings, recording and channel-connection
 * settings (developer API key), `recordings/ready` and `inbound-call` (OAuth).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiError, notFound, validationError } from '../errors.ts';
import { calculatePhone } from '../model/phone-properties.ts';
import type { Portal } from '../model/portal.ts';
import type { CallingSettings, SandboxApp } from '../model/sandbox-state.ts';
import { formatTimestamp } from '../time-format.ts';
import { authenticateDeveloper } from './auth.ts';
import { guard, type SandboxContext } from './context.ts';
import { sourceOf } from './routes-objects.ts';

const settingsFields = {
  name: z.string().min(1),
  url: z.string().min(1),
  width: z.number().int(),
  height: z.number().int(),
  isReady: z.boolean(),
  supportsCustomObjects: z.boolean(),
  supportsInboundCalling: z.boolean(),
  usesCallingWindow: z.boolean(),
  usesRemote: z.boolean(),
};
const settingsSchema = z.object(settingsFields).passthrough();
const settingsPatchSchema = z.object(settingsFields).partial().passthrough();
const recordingSchema = z.object({ urlToRetrieveAuthedRecording: z.string().min(1) });
const channelSchema = z.object({ url: z.string().min(1), isReady: z.boolean() });
const phoneSchema = z.object({ e164Number: z.string().min(1), phoneNumberType: z.string(), extension: z.string().nullish() });
const inboundSchema = z
  .object({
    externalCallId: z.string(),
    createEngagement: z.boolean(),
    engagementProperties: z.record(z.string(), z.string()),
    finalCallStatus: z.enum([
      'BUSY',
      'CALLING_CRM_USER',
      'CANCELED',
      'COMPLETED',
      'CONNECTING',
      'FAILED',
      'HOLD',
      'IN_PROGRESS',
      'MISSED',
      'NO_ANSWER',
      'QUEUED',
      'RINGING',
      'UNKNOWN',
    ]),
    fromNumber: phoneSchema,
    toNumber: phoneSchema,
    potentialRecipientUserIds: z.array(z.number().int()),
    userId: z.number().int().optional(),
    callStartedTimestamp: z.string().optional(),
    durationSeconds: z.number().int().optional(),
  })
  .passthrough();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw validationError(`Invalid input JSON: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

function settingsBody(s: CallingSettings): Record<string, unknown> {
  const { createdAt, updatedAt, ...rest } = s;
  return { ...rest, createdAt: formatTimestamp(createdAt), updatedAt: formatTimestamp(updatedAt) };
}

/** Contacts and companies whose calculated phone numbers equal the caller's number (§3.1, §11). */
export function callerIdMatches(portal: Portal, e164: string): Array<Record<string, unknown>> {
  const number = calculatePhone(e164, portal.settings.defaultRegion).e164 || e164;
  const matches: Array<Record<string, unknown>> = [];
  const contacts = portal.store('contacts');
  const contactIds = new Set([
    ...(contacts.exactMatches('hs_calculated_phone_number', number.toLowerCase()) ?? []),
    ...(contacts.exactMatches('hs_calculated_mobile_number', number.toLowerCase()) ?? []),
  ]);
  for (const id of [...contactIds].sort((a, b) => a - b)) {
    const c = contacts.get(id)!;
    matches.push({
      callerIdType: 'CONTACT',
      objectCoordinates: { portalId: portal.portalId, objectTypeId: '0-1', objectId: id },
      firstName: c.properties.firstname,
      lastName: c.properties.lastname,
      email: c.properties.email,
    });
  }
  const companies = portal.store('companies');
  for (const id of [...(companies.exactMatches('hs_calculated_phone_number', number.toLowerCase()) ?? [])].sort((a, b) => a - b)) {
    matches.push({
      callerIdType: 'COMPANY',
      objectCoordinates: { portalId: portal.portalId, objectTypeId: '0-2', objectId: id },
      name: companies.get(id)!.properties.name,
    });
  }
  return matches;
}

export function registerCallingRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  type P = { Params: { appId: string } };
  const base = '/crm/v3/extensions/calling/:appId/settings';
  const dev = (request: FastifyRequest<P>): SandboxApp => authenticateDeveloper(ctx.state, request, request.params.appId)!;
  const now = () => ctx.state.clock.now();
  const missing = (what: string, app: SandboxApp) => notFound(`No ${what} found for app ${app.appId}.`);

  app.post<P>(base, async (request) => {
    const target = dev(request);
    if (target.calling) throw apiError(409, 'CONFLICT', `Calling settings already exist for app ${target.appId}. Use PATCH to update them.`);
    const input = parse(settingsSchema, request.body);
    target.calling = { ...pick(input), createdAt: now(), updatedAt: now() };
    ctx.state.touch();
    return settingsBody(target.calling);
  });
  app.get<P>(base, async (request) => {
    const target = dev(request);
    if (!target.calling) throw missing('calling settings', target);
    return settingsBody(target.calling);
  });
  app.patch<P>(base, async (request) => {
    const target = dev(request);
    if (!target.calling) throw missing('calling settings', target);
    const input = parse(settingsPatchSchema, request.body);
    Object.assign(target.calling, Object.fromEntries(Object.entries(pick(input as z.infer<typeof settingsSchema>)).filter(([, v]) => v !== undefined)), {
      updatedAt: now(),
    });
    ctx.state.touch();
    return settingsBody(target.calling);
  });
  app.delete<P>(base, async (request, reply) => {
    const target = dev(request);
    target.calling = undefined;
    ctx.state.touch();
    reply.code(204).send();
  });

  for (const method of ['post', 'patch'] as const) {
    app[method]<P>(`${base}/recording`, async (request) => {
      const target = dev(request);
      if (method === 'patch' && !target.recording) throw missing('recording settings', target);
      target.recording = parse(recordingSchema, request.body);
      ctx.state.touch();
      return target.recording;
    });
    app[method]<P>(`${base}/channel-connection`, async (request) => {
      const target = dev(request);
      if (method === 'patch' && !target.channelConnection) throw missing('channel connection settings', target);
      const input = method === 'post' ? parse(channelSchema, request.body) : parse(channelSchema.partial(), request.body);
      target.channelConnection = { url: '', isReady: false, createdAt: now(), ...target.channelConnection, ...input, updatedAt: now() } as NonNullable<
        SandboxApp['channelConnection']
      >;
      ctx.state.touch();
      const c = target.channelConnection;
      return { url: c.url, isReady: c.isReady, createdAt: formatTimestamp(c.createdAt), updatedAt: formatTimestamp(c.updatedAt) };
    });
  }
  app.get<P>(`${base}/recording`, async (request) => {
    const target = dev(request);
    if (!target.recording) throw missing('recording settings', target);
    return target.recording;
  });
  app.get<P>(`${base}/channel-connection`, async (request) => {
    const target = dev(request);
    if (!target.channelConnection) throw missing('channel connection settings', target);
    const c = target.channelConnection;
    return { url: c.url, isReady: c.isReady, createdAt: formatTimestamp(c.createdAt), updatedAt: formatTimestamp(c.updatedAt) };
  });
  app.delete<P>(`${base}/channel-connection`, async (request, reply) => {
    dev(request).channelConnection = undefined;
    ctx.state.touch();
    reply.code(204).send();
  });

  app.post('/crm/v3/extensions/calling/recordings/ready', async (request, reply) => {
    const auth = guard(ctx, request, reply, { scopes: [['crm.objects.contacts.write']] });
    const input = parse(z.object({ engagementId: z.union([z.number().int(), z.string().regex(/^\d+$/)]) }), request.body);
    const call = auth.portal.store('calls').get(Number(input.engagementId));
    if (!call || call.archived) throw notFound(`No call engagement with id ${input.engagementId} exists.`);
    reply.code(204).send();
  });

  app.post('/crm/v3/extensions/calling/inbound-call', async (request, reply) => {
    const auth = guard(ctx, request, reply, { scopes: [['crm.objects.contacts.write']] });
    const input = parse(inboundSchema, request.body);
    const matches = callerIdMatches(auth.portal, input.fromNumber.e164Number);
    if (input.createEngagement) {
      const owner = input.userId !== undefined ? auth.portal.ownerByUserId(input.userId) : undefined;
      const contact = matches.find((m) => m.callerIdType === 'CONTACT');
      const started = input.callStartedTimestamp ? Date.parse(input.callStartedTimestamp) : ctx.state.clock.now();
      ctx.objects.create(
        auth.portal,
        'calls',
        {
          properties: {
            hs_timestamp: String(Number.isNaN(started) ? ctx.state.clock.now() : started),
            hs_call_direction: 'INBOUND',
            hs_call_status: input.finalCallStatus,
            hs_call_from_number: input.fromNumber.e164Number,
            hs_call_to_number: input.toNumber.e164Number,
            hs_call_external_id: input.externalCallId,
            ...(input.durationSeconds !== undefined ? { hs_call_duration: String(input.durationSeconds * 1000) } : {}),
            ...(owner ? { hubspot_owner_id: String(owner.id) } : {}),
            ...(auth.appId !== undefined ? { hs_call_app_id: String(auth.appId) } : {}),
            ...input.engagementProperties,
          },
          associations: contact
            ? [
                {
                  to: { id: (contact.objectCoordinates as { objectId: number }).objectId },
                  types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }],
                },
              ]
            : [],
        },
        sourceOf(auth),
      );
      ctx.state.touch();
    }
    return { callerIdMatches: matches };
  });
}

function pick(input: z.infer<typeof settingsSchema>): Omit<CallingSettings, 'createdAt' | 'updatedAt'> {
  const { name, url, width, height, isReady, supportsCustomObjects, supportsInboundCalling, usesCallingWindow, usesRemote } = input;
  return { name, url, width, height, isReady, supportsCustomObjects, supportsInboundCalling, usesCallingWindow, usesRemote };
}
