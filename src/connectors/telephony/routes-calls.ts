/**
 * Calls as users see them: click-to-call (T6), live call events (T7, server-sent
 * events), the engagement the calling widget created (C3), and the PBX's webhook
 * push. Recordings (T8) are in routes-recordings.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../errors.ts';
import type { TelephonyContext } from './context.ts';
import type { Binding } from './bindings.ts';
import { engagementBody, placeCall } from './click-to-call.ts';

const dialBody = z
  .object({
    ownerId: z.string().min(1).optional(),
    userEmail: z.string().email().optional(),
    number: z.string().trim().min(2, 'required').max(40),
  })
  .refine((b) => b.ownerId || b.userEmail, { message: 'give the HubSpot user as ownerId or userEmail', path: ['ownerId'] });

export function registerTelephonyCallRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const { bindings, registry, live } = ctx;

  async function bindingFor(q: { ownerId?: string; userEmail?: string }): Promise<Binding> {
    const binding = q.ownerId
      ? await bindings.byOwner(q.ownerId)
      : ((await bindings.list()).find((b) => b.ownerEmail?.toLowerCase() === q.userEmail!.toLowerCase()) ?? null);
    if (!binding)
      throw new ValidationError('This HubSpot user is not bound to a PBX extension. An admin binds users on the Phone system page of Spokes.', [
        { field: q.ownerId ? 'body.ownerId' : 'body.userEmail', message: 'not bound to an extension' },
      ]);
    return binding;
  }

  // T6: rings the user's extension, then dials the number.
  app.post('/api/telephony/calls', async (request, reply) => {
    const body = parseInput(dialBody, request.body, 'body');
    return placeCall(ctx, request, reply, { binding: await bindingFor(body), number: body.number, via: 'admin' });
  });

  app.get('/api/telephony/calls/:callId', async (request) => {
    const { callId } = parseInput(z.object({ callId: z.string().min(1) }), request.params, 'params');
    const event = live.latest(callId);
    if (!event) throw new NotFoundError(`no live call ${callId}`);
    return event;
  });

  app.post('/api/telephony/calls/:callId/hangup', async (request) => {
    const { callId } = parseInput(z.object({ callId: z.string().min(1) }), request.params, 'params');
    return { hungUp: await (await registry.adapter()).hangup(callId) };
  });

  // C3: a calling app created this call's engagement in HubSpot; the call logger completes it instead of creating another.
  // The call's owner is whose extension the PBX's live events name; HubSpot must confirm the engagement is this call's.
  app.put('/api/telephony/calls/:callId/engagement', async (request) => {
    const { callId } = parseInput(z.object({ callId: z.string().min(1) }), request.params, 'params');
    const { engagementId } = parseInput(engagementBody, request.body, 'body');
    const ownerId = live.latest(callId)?.ownerId;
    if (!ownerId) throw new NotFoundError(`no live call ${callId}`);
    return ctx.agentCalls.recordEngagement(ownerId, callId, engagementId);
  });

  // T7: one user's live call events, as server-sent events.
  app.get('/api/telephony/events', async (request, reply) => {
    const { ownerId } = parseInput(z.object({ ownerId: z.string().min(1) }), request.query, 'query');
    const lastId = Number(request.headers['last-event-id'] ?? NaN);
    ctx.streams.open(reply, { group: 'admin', subscribe: (send) => live.subscribe(ownerId, send, Number.isFinite(lastId) ? lastId : undefined) });
  });

  // The PBX's webhook push: verify the signature over the raw body, route, answer fast.
  app.register(async (scope) => {
    // The signature covers the raw bytes: no parser of the app (JSON among them) may touch the body first.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_req, body, done) => done(null, body));
    scope.post('/webhooks/telephony/yeastar', async (request, reply) => {
      const adapter = await registry.adapter().catch(() => undefined);
      if (!adapter?.verifyWebhook || !adapter.parseWebhook) throw new NotFoundError('no Yeastar PBX is connected');
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (!adapter.verifyWebhook(raw, request.headers['x-signature']))
        throw new UnauthorizedError("bad or missing X-Signature: the webhook secret in Spokes must match the PBX's");
      const parsed = await adapter.parseWebhook(raw);
      if (!parsed.ok) {
        request.log.warn({ err: parsed.error.message }, 'malformed PBX webhook refused');
        throw parsed.error;
      }
      if (parsed.event) await ctx.router.handle(parsed.event);
      else request.log.debug({ eventType: parsed.eventType }, 'PBX webhook event Spokes does not use');
      return reply.status(200).send({ ok: true });
    });
  });
}
