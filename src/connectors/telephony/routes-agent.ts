/**
 * The agent API: what the calling widget (inside HubSpot) and the pop-up page
 * (`/agent/`) call on behalf of a salesperson — sign-in, click-to-call from
 * their own extension (T6), hang-up, the widget's engagement (C3), their live
 * call events (T7) and caller look-up. Outside `/api/` (no admin session):
 * every route but sign-in takes `Authorization: Bearer <session token>`, so no
 * token ever travels in a URL. The admin's side (sign-in links, the widget URL,
 * revoking everything) lives under `/api/telephony/agents`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { NotConnectedError, NotFoundError, SpokesError, UnauthorizedError, ValidationError } from '../../errors.ts';
import { appBaseUrlFor } from '../../hubspot/manifest.ts';
import { sendUiPage } from '../../web/admin/ui-pages.ts';
import { AgentAuth, agentWidgetUrl } from './agent-auth.ts';
import { engagementBody, placeCall, recordWidgetEngagement } from './click-to-call.ts';
import { refreshRegisteredWidgetUrl } from './widget-url-refresh.ts';
import { registerAgentCallHistoryRoute } from './routes-history.ts';
import type { Binding } from './bindings.ts';
import type { TelephonyContext } from './context.ts';
import type { LiveMatch } from './live.ts';

/** What both pages show of the signed-in salesperson. */
export interface ApiAgent {
  ownerId: string;
  userId: number | null;
  name: string;
  email: string | null;
  extension: string;
  portalId: number;
}

const NOT_BOUND = 'Your HubSpot user is not bound to a PBX extension. Ask your Spokes admin to bind you on the Phone system page.';
/** Calls each owner took part in (dialled or received events for), to refuse acting on someone else's call. */
const KNOWN_CALLS = 2_000;

// HubSpot ids arrive as numbers from the SDK and as strings elsewhere.
const hubspotId = z.union([z.string().trim().regex(/^\d+$/, 'must be a HubSpot id'), z.number().int().nonnegative()]).transform(String);
const sessionBody = z.union([
  z.object({ signInToken: z.string().min(1).max(1000) }).strict(),
  z.object({
    widgetKey: z.string().min(1).max(200),
    portalId: hubspotId,
    ownerId: hubspotId.nullish(),
    userId: hubspotId.nullish(),
  }).strict(),
]);
const dialBody = z.object({
  number: z.string().trim().min(2, 'required').max(40),
  /** HubSpot's `countryCode` of the number (ISO 3166 alpha-2): read a number saved without a country code in that country. */
  countryCode: z.string().trim().regex(/^[A-Za-z]{2}$/, 'a two-letter country code, e.g. "DE"').transform((c) => c.toUpperCase()).optional(),
});
const callParams = z.object({ callId: z.string().min(1).max(200) });
const lookupQuery = z.object({ number: z.string().trim().min(1, 'required').max(40) });

class AgentError extends SpokesError {
  constructor(code: 'not_bound' | 'wrong_portal', message: string) {
    super(code, message, { status: 409 });
  }
}

export function registerTelephonyAgentRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const { bindings, live, services } = ctx;
  const auth = new AgentAuth(services.database.db, services.secretBox);
  const known = new Map<string, true>();
  const remember = (ownerId: string, callId: string) => {
    const key = `${ownerId}:${callId}`;
    known.delete(key);
    known.set(key, true);
    if (known.size > KNOWN_CALLS) known.delete(known.keys().next().value!);
  };
  // The newest event id, told to each new stream so that its first reconnect resumes from there.
  let newestSeq = 0;
  live.onAny((e) => {
    newestSeq = Math.max(newestSeq, e.seq);
    remember(e.ownerId, e.callId);
  });

  async function portal(): Promise<{ portalId: number; appUrl: string }> {
    const connection = await services.hubspot.store.connection();
    if (!connection) throw new NotConnectedError('Spokes is not connected to HubSpot yet. Ask your Spokes admin to connect it.');
    return { portalId: connection.portalId, appUrl: appBaseUrlFor(connection.baseUrl) };
  }

  function toAgent(b: Binding, portalId: number): ApiAgent {
    return { ownerId: b.ownerId, userId: b.userId, name: b.ownerName || b.ownerEmail || `HubSpot user ${b.ownerId}`, email: b.ownerEmail, extension: b.extension, portalId };
  }

  /** The session's salesperson and their binding; 401 without a live session, 409 when no longer bound. */
  async function agentOf(request: FastifyRequest): Promise<{ binding: Binding; expiresAt: Date }> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError('Sign in first: this request has no agent session (Authorization: Bearer …).');
    const claims = await auth.verifySession(match[1]!);
    if (!claims) throw new UnauthorizedError('Your Spokes sign-in has expired or was revoked. Open your personal sign-in link again, or ask your Spokes admin for a new one.');
    const binding = await bindings.byOwner(claims.ownerId);
    if (!binding) throw new AgentError('not_bound', NOT_BOUND);
    return { binding, expiresAt: claims.expiresAt };
  }

  /** A call this process knows to be someone else's is refused; one it has not seen yet is taken on trust. */
  function checkOwnCall(ownerId: string, callId: string): void {
    if (known.has(`${ownerId}:${callId}`)) return;
    if (live.latest(callId)) throw new NotFoundError(`no call ${callId} of yours`);
  }

  // Sign-in: the widget with its key and the HubSpot user from onReady, or the pop-up page with a personal link.
  app.post('/agent-api/sessions', async (request) => {
    const body = parseInput(sessionBody, request.body, 'body');
    const { portalId } = await portal();
    let binding: Binding | null;
    if ('signInToken' in body) {
      const ownerId = await auth.verifySignInToken(body.signInToken);
      if (!ownerId) throw new UnauthorizedError('This sign-in link is not valid any more. Ask your Spokes admin for a new one.');
      binding = await bindings.byOwner(ownerId);
    } else {
      if (!await auth.verifyWidgetKey(body.widgetKey)) throw new UnauthorizedError('The calling widget\'s key is not valid (it changes when an admin revokes sign-ins). Ask your Spokes admin to update the widget URL in HubSpot\'s calling settings.');
      if (body.portalId !== String(portalId)) throw new AgentError('wrong_portal', `This Spokes is connected to HubSpot account ${portalId}, not ${body.portalId}.`);
      if (!body.ownerId && !body.userId) throw new ValidationError('give the HubSpot user as ownerId or userId', [{ field: 'body.ownerId', message: 'required' }]);
      binding = body.ownerId ? await bindings.byOwner(body.ownerId) : null;
      if (!binding && body.userId) binding = (await bindings.list()).find((b) => b.userId !== null && String(b.userId) === body.userId) ?? null;
    }
    if (!binding) throw new AgentError('not_bound', NOT_BOUND);
    const session = await auth.issueSession(binding.ownerId);
    return { token: session.token, expiresAt: session.expiresAt.toISOString(), agent: toAgent(binding, portalId) };
  });

  app.get('/agent-api/me', async (request) => {
    const { binding } = await agentOf(request);
    const { portalId, appUrl } = await portal();
    return { agent: toAgent(binding, portalId), portalId, hubspotAppUrl: appUrl, sandbox: services.config.sandboxMode };
  });

  // T6: rings the agent's own extension, then dials the number.
  app.post('/agent-api/calls', async (request, reply) => {
    const { binding } = await agentOf(request);
    const { number, countryCode } = parseInput(dialBody, request.body, 'body');
    return placeCall(ctx, request, reply, {
      binding, number, region: countryCode, via: 'agent', notConnectedMessage: 'No phone system is connected to Spokes. Ask your Spokes admin.',
      onPlaced: (callId) => remember(binding.ownerId, callId),
    });
  });

  // The agent's own calls from the call history (missed ones to call back).
  registerAgentCallHistoryRoute(app, ctx, agentOf);

  app.post('/agent-api/calls/:callId/hangup', async (request) => {
    const { binding } = await agentOf(request);
    const { callId } = parseInput(callParams, request.params, 'params');
    checkOwnCall(binding.ownerId, callId);
    return { hungUp: await (await ctx.registry.adapter()).hangup(callId) };
  });

  // C3: the widget created this call's engagement; the call logger completes it instead of creating a second one.
  app.put('/agent-api/calls/:callId/engagement', async (request) => {
    const { binding } = await agentOf(request);
    const { callId } = parseInput(callParams, request.params, 'params');
    const { engagementId } = parseInput(engagementBody, request.body, 'body');
    checkOwnCall(binding.ownerId, callId);
    return recordWidgetEngagement(ctx, callId, engagementId, binding);
  });

  // T7: the agent's own live call events, read with fetch streaming (EventSource cannot send the header).
  app.get('/agent-api/events', async (request, reply) => {
    const { binding, expiresAt } = await agentOf(request);
    const lastId = Number(request.headers['last-event-id'] ?? NaN);
    const resume = Number.isFinite(lastId) ? lastId : undefined;
    ctx.streams.open(reply, { group: 'agent', expiresAt, startId: resume === undefined ? newestSeq : null, subscribe: (send) => live.subscribe(binding.ownerId, send, resume) });
  });

  app.get('/agent-api/lookup', async (request) => {
    await agentOf(request);
    const { number } = parseInput(lookupQuery, request.query, 'query');
    const connection = await ctx.store.get();
    const found = (await services.phone.index.lookup(number, { region: connection?.settings.numbers.defaultRegion ?? services.config.defaultRegion })).records[0];
    const match: LiveMatch | null = found
      ? { objectType: found.objectType, objectId: found.objectId, label: found.label, url: services.phone.urlOf(found), autoCreated: false }
      : null;
    return { match };
  });

  // ---- the admin's side: sign-in links for each bound user, the widget URL, revoking everything.
  const agentsView = async () => {
    const base = services.hubspot.publicUrl;
    const all = await bindings.list();
    return {
      generation: await auth.generation(),
      widgetUrl: await agentWidgetUrl(services.database.db, services.secretBox, base),
      agents: await Promise.all(all.sort((a, b) => (a.ownerName ?? '').localeCompare(b.ownerName ?? '')).map(async (b) => ({
        ownerId: b.ownerId, name: b.ownerName || b.ownerEmail || `HubSpot user ${b.ownerId}`, email: b.ownerEmail, extension: b.extension,
        // A fragment: the token never reaches a server log or a Referer header.
        signInUrl: `${base}/agent/#token=${await auth.signInToken(b.ownerId)}`,
      }))),
    };
  };
  app.get('/api/telephony/agents', agentsView);
  app.post('/api/telephony/agents/rotate', async (request) => {
    const generation = await auth.rotate();
    ctx.streams.endAll('agent');
    request.log.info({ generation }, 'agent sign-ins revoked: new widget key and sign-in links');
    // The widget URL registered in HubSpot carries the old key: bring it up to date, or tell the admin why not.
    const callingSettings = await refreshRegisteredWidgetUrl(services, await auth.widgetKey(), request.log);
    return { ...await agentsView(), callingSettings };
  });

  // The pop-up page itself.
  app.get('/agent', (_request, reply) => sendUiPage(reply, 'agent', AGENT_PAGE_HEADERS));
  // What the pop-up page's "Send test pop-up" opens (no session needed: it says nothing about anyone).
  app.get('/agent/popup-test', (_request, reply) => reply.headers(AGENT_PAGE_HEADERS).type('text/html; charset=utf-8').send(POPUP_TEST_PAGE));
}

// The agent page opens HubSpot tabs but talks only to Spokes, and is never framed.
const AGENT_PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
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
