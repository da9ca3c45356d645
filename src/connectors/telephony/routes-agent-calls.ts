/**
 * The calling widget's calls (agent-calls.ts), for the signed-in salesperson
 * only (`Authorization: Bearer …`): claiming a call before announcing it to
 * HubSpot, the engagement HubSpot created for it, the call in progress and
 * the open wrap-ups when a widget loads, and the wrap-up itself. Every route
 * acts only on calls the PBX attributes to the session's salesperson.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { engagementBody } from './click-to-call.ts';
import type { AgentGuard } from './agent-guard.ts';
import type { TelephonyContext } from './context.ts';

const callParams = z.object({ callId: z.string().min(1).max(200) });
const wrapUpBody = z
  .object({
    notes: z.string().max(20_000).optional(),
    /** A HubSpot call outcome (`hs_call_disposition`): its GUID. */
    disposition: z
      .string()
      .trim()
      .regex(/^[0-9a-f-]{8,64}$/i, 'a HubSpot call outcome id')
      .nullable()
      .optional(),
    /** What the widget shows of the call on its wrap-up screen, kept for a reload. */
    view: z
      .record(z.string(), z.unknown())
      .refine((v) => JSON.stringify(v).length <= 8_000, 'at most 8,000 characters as JSON')
      .optional(),
    state: z.enum(['saved', 'dismissed']).optional(),
  })
  .strict();

export function registerAgentCallRoutes(app: FastifyInstance, ctx: TelephonyContext, guard: AgentGuard): void {
  const { agentCalls } = ctx;

  // Before `incomingCall({createEngagement})`: the first widget to claim a call has HubSpot create its engagement.
  app.post('/calls/:callId/claim', async (request) => {
    const { binding } = await guard.agentOf(request);
    const { callId } = parseInput(callParams, request.params, 'params');
    return agentCalls.claim(binding, callId);
  });

  // C3: the engagement HubSpot created for the widget's call (checked with HubSpot); the call logger completes it.
  app.put('/calls/:callId/engagement', async (request) => {
    const { binding } = await guard.agentOf(request);
    const { callId } = parseInput(callParams, request.params, 'params');
    const { engagementId } = parseInput(engagementBody, request.body, 'body');
    return agentCalls.recordEngagement(binding.ownerId, callId, engagementId);
  });

  // A widget that loads: the call going on (ringing, connected) and the wrap-ups left open, in any tab.
  app.get('/calls/current', async (request) => {
    const { binding } = await guard.agentOf(request);
    return { calls: await agentCalls.current(binding.ownerId) };
  });

  // The wrap-up's draft (notes, outcome) as it is typed, then saved (after HubSpot's callCompleted) or dismissed.
  app.patch('/calls/:callId/wrap-up', async (request) => {
    const { binding } = await guard.agentOf(request);
    const { callId } = parseInput(callParams, request.params, 'params');
    const change = parseInput(wrapUpBody, request.body, 'body');
    const row = await agentCalls.changeWrapUp(binding.ownerId, callId, change);
    // Logged already: the notes and outcome go onto the engagement now (else the call logger adds them).
    if (change.state === 'saved' && row.logged && row.savedAt) await ctx.jobDeps.logging.applyWrapUp(callId, binding.ownerId, row.savedAt);
    return { callId, wrapUp: row.wrapUp, notes: row.notes, disposition: row.disposition };
  });
}
