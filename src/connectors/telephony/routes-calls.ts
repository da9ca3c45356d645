/**
 * Calls as users see them: click-to-call (T6), live call events (T7, server-sent
 * events) and the engagement the calling widget created (C3). The PBX's webhook
 * push is declared in index.ts (mounted by the platform). Recordings (T8) are in routes-recordings.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
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
  app.post('/calls', async (request, reply) => {
    const body = parseInput(dialBody, request.body, 'body');
    return placeCall(ctx, request, reply, { binding: await bindingFor(body), number: body.number, via: 'admin' });
  });

  app.get('/calls/:callId', async (request) => {
    const { callId } = parseInput(z.object({ callId: z.string().min(1) }), request.params, 'params');
    const event = live.latest(callId);
    if (!event) throw new NotFoundError(`no live call ${callId}`);
    return event;
  });

  app.post('/calls/:callId/hangup', async (request) => {
    const { callId } = parseInput(z.object({ callId: z.string().min(1) }), request.params, 'params');
    return { hungUp: await (await registry.adapter()).hangup(callId) };
  });

  // C3: a calling app created this call's engagement in HubSpot; the call logger completes it instead of creating another.
  // The call's owner is whose extension the PBX's live events name; HubSpot must confirm the engagement is this call's.
  app.put('/calls/:callId/engagement', async (request) => {
    const { callId } = parseInput(z.object({ callId: z.string().min(1) }), request.params, 'params');
    const { engagementId } = parseInput(engagementBody, request.body, 'body');
    const ownerId = live.latest(callId)?.ownerId;
    if (!ownerId) throw new NotFoundError(`no live call ${callId}`);
    return ctx.agentCalls.recordEngagement(ownerId, callId, engagementId);
  });

  // T7: one user's live call events, as server-sent events.
  app.get('/events', async (request, reply) => {
    const { ownerId } = parseInput(z.object({ ownerId: z.string().min(1) }), request.query, 'query');
    const lastId = Number(request.headers['last-event-id'] ?? NaN);
    ctx.streams.open(reply, { group: 'admin', subscribe: (send) => live.subscribe(ownerId, send, Number.isFinite(lastId) ? lastId : undefined) });
  });
}
