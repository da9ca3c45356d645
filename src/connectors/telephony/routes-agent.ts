/**
 * The agent API: what the calling widget (inside HubSpot) and the pop-up page
 * (`/agent/`) call on behalf of a salesperson — sign-in, click-to-call from
 * their own extension (T6), hang-up, the widget's engagement (C3), their live
 * call events (T7) and caller look-up. Outside `/api/` (no admin session):
 * every route but sign-in takes `Authorization: Bearer <session token>`, so no
 * token ever travels in a URL. The widget's "Sign in with HubSpot" lives in
 * agent-sign-in.ts; the admin's side (sign-in links, revoking) in
 * routes-agent-admin.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { UnauthorizedError } from '../../errors.ts';
import { sendUiPage } from '../../web/admin/ui-pages.ts';
import { placeCall } from './click-to-call.ts';
import { AgentError, NOT_BOUND, agentGuard } from './agent-guard.ts';
import { registerAgentSignIn } from './agent-sign-in.ts';
import { registerAgentCallRoutes } from './routes-agent-calls.ts';
import { registerAgentCallHistoryRoute } from './routes-history.ts';
import type { TelephonyContext } from './context.ts';
import type { LiveMatch } from './live.ts';

export type { ApiAgent } from './agent-guard.ts';

// The pop-up page's personal link. (The calling widget signs in with HubSpot: agent-sign-in.ts.)
const sessionBody = z.object({ signInToken: z.string().min(1).max(1000) }).strict();
const dialBody = z.object({
  number: z.string().trim().min(2, 'required').max(40),
  /** HubSpot's `countryCode` of the number (ISO 3166 alpha-2): read a number saved without a country code in that country. */
  countryCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code, e.g. "DE"')
    .transform((c) => c.toUpperCase())
    .optional(),
});
const callParams = z.object({ callId: z.string().min(1).max(200) });
const lookupQuery = z.object({ number: z.string().trim().min(1, 'required').max(40) });

export function registerTelephonyAgentRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const { bindings, live, services } = ctx;
  const guard = agentGuard(ctx);
  const { agentOf, portal, toAgent } = guard;
  // The newest event id, told to each new stream so that its first reconnect resumes from there.
  let newestSeq = 0;
  live.onAny((e) => {
    newestSeq = Math.max(newestSeq, e.seq);
  });

  registerAgentSignIn(app, ctx, guard);
  registerAgentCallRoutes(app, ctx, guard);

  // The pop-up page signs in with the personal link an admin gave the salesperson.
  app.post('/sessions', async (request) => {
    const { signInToken } = parseInput(sessionBody, request.body, 'body');
    const ownerId = await guard.auth.verifySignInToken(signInToken);
    if (!ownerId) throw new UnauthorizedError('This sign-in link is not valid any more. Ask your Spokes admin for a new one.');
    const binding = await bindings.byOwner(ownerId);
    if (!binding) throw new AgentError('not_bound', NOT_BOUND);
    return guard.sessionFor(binding);
  });

  app.get('/me', async (request) => {
    const { binding } = await agentOf(request);
    const { portalId, appUrl } = await portal();
    return { agent: toAgent(binding, portalId), portalId, hubspotAppUrl: appUrl, sandbox: services.config.sandboxMode };
  });

  // T6: rings the agent's own extension, then dials the number; the call is theirs from now on.
  app.post('/calls', async (request, reply) => {
    const { binding } = await agentOf(request);
    const { number, countryCode } = parseInput(dialBody, request.body, 'body');
    const placed = await placeCall(ctx, request, reply, {
      binding,
      number,
      region: countryCode,
      via: 'agent',
      notConnectedMessage: 'No phone system is connected to Spokes. Ask your Spokes admin.',
    });
    if ('callId' in placed) await ctx.agentCalls.dialled(binding, placed.callId, placed.number);
    return placed;
  });

  // The agent's own calls from the call history (missed ones to call back).
  registerAgentCallHistoryRoute(app, ctx, agentOf);

  // Only a call the PBX attributes to the salesperson (their dial, or their extension's live events).
  app.post('/calls/:callId/hangup', async (request) => {
    const { binding } = await agentOf(request);
    const { callId } = parseInput(callParams, request.params, 'params');
    await ctx.agentCalls.attributed(binding.ownerId, callId);
    return { hungUp: await (await ctx.registry.adapter()).hangup(callId) };
  });

  // T7: the agent's own live call events, read with fetch streaming (EventSource cannot send the header).
  app.get('/events', async (request, reply) => {
    const { binding, expiresAt } = await agentOf(request);
    const lastId = Number(request.headers['last-event-id'] ?? NaN);
    const resume = Number.isFinite(lastId) ? lastId : undefined;
    ctx.streams.open(reply, {
      group: 'agent',
      owner: binding.ownerId,
      expiresAt,
      startId: resume === undefined ? newestSeq : null,
      subscribe: (send) => live.subscribe(binding.ownerId, send, resume),
    });
  });

  app.get('/lookup', async (request) => {
    await agentOf(request);
    const { number } = parseInput(lookupQuery, request.query, 'query');
    const connection = await ctx.store.get();
    const found = (await services.phone.index.lookup(number, { region: connection?.settings.numbers.defaultRegion ?? services.config.defaultRegion }))
      .records[0];
    const match: LiveMatch | null = found
      ? { objectType: found.objectType, objectId: found.objectId, label: found.label, url: services.phone.urlOf(found), autoCreated: false }
      : null;
    return { match };
  });
}

/** The pop-up page (`/agent`): a page anyone may load; it signs in by itself. */
export function registerAgentPages(app: FastifyInstance): void {
  // The pop-up page itself.
  app.get('/', (_request, reply) => sendUiPage(reply, 'agent', AGENT_PAGE_HEADERS));
  // What the pop-up page's "Send test pop-up" opens (no session needed: it says nothing about anyone).
  app.get('/popup-test', (_request, reply) => reply.headers(AGENT_PAGE_HEADERS).type('text/html; charset=utf-8').send(POPUP_TEST_PAGE));
}

// The agent page opens HubSpot tabs but talks only to Spokes, and is never framed.
const AGENT_PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const POPUP_TEST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pop-ups work — Spokes</title><link rel="icon" href="/favicon.svg"></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:15vh auto;padding:0 20px;color:#1b2430">
<h1 style="font-size:22px">Pop-ups work</h1><p>Spokes opened this tab the way it opens a caller's HubSpot record when your phone rings.
You can close it; keep the Spokes pop-up page open while you work.</p></body></html>`;
