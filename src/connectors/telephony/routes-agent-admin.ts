/**
 * The admin's side of salespeople's sign-ins (admins only, as every `/api/`
 * route): each bound user's personal link to the pop-up page, the calling
 * widget's URL for HubSpot's calling settings, revoking one salesperson's
 * sessions and link, or everyone's at once.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { NotFoundError } from '../../errors.ts';
import { agentWidgetUrl } from './agent-auth.ts';
import type { AgentGuard } from './agent-guard.ts';
import type { TelephonyContext } from './context.ts';

const ownerParams = z.object({
  ownerId: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'a HubSpot owner id'),
});

export function registerAgentAdminRoutes(app: FastifyInstance, ctx: TelephonyContext, guard: AgentGuard): void {
  const { bindings, services } = ctx;
  const { auth } = guard;

  const agentsView = async () => {
    const base = services.hubspot.publicUrl;
    const all = await bindings.list();
    return {
      generation: await auth.generation(),
      widgetUrl: agentWidgetUrl(base),
      agents: await Promise.all(
        all
          .sort((a, b) => (a.ownerName ?? '').localeCompare(b.ownerName ?? ''))
          .map(async (b) => ({
            ownerId: b.ownerId,
            name: b.ownerName || b.ownerEmail || `HubSpot user ${b.ownerId}`,
            email: b.ownerEmail,
            extension: b.extension,
            // A fragment: the token never reaches a server log or a Referer header.
            signInUrl: `${base}/agent/#token=${await auth.signInToken(b.ownerId)}`,
          })),
      ),
    };
  };

  app.get('/agents', agentsView);

  app.post('/agents/rotate', async (request) => {
    const generation = await auth.rotate();
    ctx.streams.endAll('agent');
    request.log.info({ generation }, 'agent sign-ins revoked: new sign-in links for everyone');
    return agentsView();
  });

  // One salesperson (a lost laptop, someone who left): their sessions, open streams and link stop working.
  app.post('/agents/:ownerId/revoke', async (request) => {
    const { ownerId } = parseInput(ownerParams, request.params, 'params');
    if (!(await bindings.byOwner(ownerId))) throw new NotFoundError(`no salesperson with owner id ${ownerId} is bound to an extension`);
    await auth.revokeOwner(ownerId);
    ctx.streams.endOwner(ownerId);
    request.log.info({ ownerId }, "one salesperson's sign-ins revoked: new sign-in link");
    return agentsView();
  });
}

/** A salesperson an admin unbound (T3) is signed out everywhere: a binding is what their sign-in rests on. */
export async function revokeUnbound(ctx: TelephonyContext, guard: AgentGuard, before: { ownerId: string }[]): Promise<string[]> {
  const now = new Set((await ctx.bindings.list()).map((b) => b.ownerId));
  const gone = [...new Set(before.map((b) => b.ownerId))].filter((o) => !now.has(o));
  for (const ownerId of gone) {
    await guard.auth.revokeOwner(ownerId);
    ctx.streams.endOwner(ownerId);
  }
  return gone;
}
