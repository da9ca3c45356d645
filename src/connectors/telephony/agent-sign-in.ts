/**
 * How the calling widget signs a salesperson in (issue 9 item 1). The SDK's
 * `onReady` ids are only the page's word, so a session needs proof of who the
 * person is: HubSpot's, through the connected app's OAuth ("Sign in with
 * HubSpot", src/hubspot/user-sign-in.ts), or the pop-up page's session they
 * already hold in this browser (their personal link).
 *
 * The widget is a third-party frame whose storage is partitioned, so the
 * sign-in runs in a top-level window of Spokes (`/widget/sign-in`), opened by
 * the widget. The widget gives that window a random `handoff` secret by
 * postMessage (never in a URL); the window finishes the sign-in against it, and
 * the widget collects the session with the secret. Nobody else can: the
 * secret is only in the two windows, the OAuth `state` binds the flow to the
 * browser that started it (a cookie), and a collected hand-off is spent.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { and, eq, isNull, lt } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { UnauthorizedError } from '../../errors.ts';
import { HUBSPOT } from '../../hubspot/manifest.ts';
import { identifyUser, userSignInUrl, UserSignInError } from '../../hubspot/user-sign-in.ts';
import type { CallbackQuery } from '../../oauth/authorization.ts';
import { agentSignIns } from './schema.ts';
import { AgentError, NOT_BOUND, type AgentGuard } from './agent-guard.ts';
import type { Binding } from './bindings.ts';
import type { TelephonyContext } from './context.ts';

/** The state prefix that sends HubSpot's callback here (HubSpotService.registerSignInCallback). */
const STATE_PREFIX = 'agent';
const COOKIE = 'spokes_agent_sign_in';
/** How long a sign-in may take at HubSpot, and how long the widget has to collect its result. */
const FLOW_TTL_MS = 10 * 60_000;
const HANDOFF_TTL_MS = 5 * 60_000;
/** The sign-in window's page: it reads the outcome from its fragment (never sent to a server). */
const DONE_PAGE = '/widget/sign-in';

const handoffBody = z.object({ handoff: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'a random secret of 32 to 128 URL-safe characters') }).strict();

const hash = (value: string) => createHash('sha256').update(value).digest('base64url');

interface FlowState {
  /** Hash of the widget's hand-off secret. */
  h: string;
  /** Hash of the browser's cookie. */
  b: string;
  /** Expiry, epoch ms. */
  e: number;
}

export function registerAgentSignIn(app: FastifyInstance, ctx: TelephonyContext, guard: AgentGuard): void {
  const { services, bindings } = ctx;
  const db = services.database.db;
  const hubspotDeps = () => ({ store: services.hubspot.store, redirectUrl: services.hubspot.redirectUrl });
  const secure = services.hubspot.publicUrl.startsWith('https:');

  async function recordHandoff(handoffHash: string, outcome: { ownerId: string } | { errorCode: string; errorMessage: string }): Promise<void> {
    await db.delete(agentSignIns).where(lt(agentSignIns.expiresAt, new Date(Date.now() - 24 * 3600_000)));
    // A replayed callback never replaces the first outcome.
    await db
      .insert(agentSignIns)
      .values({
        handoffHash,
        expiresAt: new Date(Date.now() + HANDOFF_TTL_MS),
        ...('ownerId' in outcome ? { ownerId: outcome.ownerId } : { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage }),
      })
      .onConflictDoNothing();
  }

  /** The bound salesperson with this HubSpot user id (bindings keep it; older ones are looked up by owner). */
  async function bindingOfUser(userId: number): Promise<Binding | null> {
    const all = await bindings.list();
    const direct = all.find((b) => b.userId === userId);
    if (direct) return direct;
    const owner = await services.hubspot.api
      .call('finding the HubSpot owner of a user', (c) => c.crm.owners.ownersApi.getById(userId, 'userId'))
      .catch(() => null);
    return owner ? (all.find((b) => b.ownerId === String(owner.id)) ?? null) : null;
  }

  function seal(state: FlowState): string {
    const body = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${STATE_PREFIX}.${body}.${services.secretBox.sign(body, 'agent-sign-in-state')}`;
  }

  function open(state: string | undefined): FlowState | null {
    const [prefix, body, sig] = (state ?? '').split('.');
    if (prefix !== STATE_PREFIX || !body || !sig || !services.secretBox.verify(body, 'agent-sign-in-state', sig)) return null;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as FlowState;
      return typeof parsed?.h === 'string' && typeof parsed.b === 'string' && typeof parsed.e === 'number' ? parsed : null;
    } catch {
      return null;
    }
  }

  const finish = (reply: FastifyReply, fragment: string) =>
    reply
      .clearCookie(COOKIE, { path: HUBSPOT.callbackPath })
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(`${DONE_PAGE}#${fragment}`, 302);
  const failed = (reply: FastifyReply, message: string) => finish(reply, `error=${encodeURIComponent(message)}`);

  // Step 1, in the sign-in window: where to send the person at HubSpot. The cookie ties the callback to this browser.
  app.post('/sign-in/hubspot', async (request, reply) => {
    const { handoff } = parseInput(handoffBody, request.body, 'body');
    const { portalId } = await guard.portal();
    const browser = randomBytes(32).toString('base64url');
    const state = seal({ h: hash(handoff), b: hash(browser), e: Date.now() + FLOW_TTL_MS });
    const authorizeUrl = await userSignInUrl(hubspotDeps(), { portalId, state });
    reply.setCookie(COOKIE, browser, { path: HUBSPOT.callbackPath, httpOnly: true, sameSite: 'lax', secure, maxAge: FLOW_TTL_MS / 1000 });
    return { authorizeUrl };
  });

  // Step 2: HubSpot sends the person back (to the admin's callback path, told apart by the state's prefix).
  services.hubspot.registerSignInCallback(STATE_PREFIX, async (query: CallbackQuery, request, reply) => {
    const flow = open(query.state);
    const cookie = (request.cookies as Record<string, string | undefined>)[COOKIE];
    if (!flow || flow.e < Date.now())
      return failed(reply, 'This sign-in took too long or its link is not valid. Close this window and click Sign in again in the calling widget.');
    // Started in another browser (or a link sent to someone): never finish it here.
    if (!cookie || hash(cookie) !== flow.b)
      return failed(reply, 'This sign-in was started in another browser window. Click Sign in again in the calling widget.');
    if (query.error) return failed(reply, `HubSpot did not sign you in: ${query.error_description || query.error}.`);
    if (!query.code) return failed(reply, 'HubSpot sent no sign-in code back. Click Sign in again in the calling widget.');
    try {
      const who = await identifyUser(hubspotDeps(), query.code);
      const { portalId } = await guard.portal();
      if (who.hubId !== portalId) {
        const message = `You signed in to HubSpot account ${who.hubId}, but this Spokes is connected to account ${portalId}.`;
        await recordHandoff(flow.h, { errorCode: 'wrong_portal', errorMessage: message });
        return failed(reply, message);
      }
      const binding = await bindingOfUser(who.userId);
      if (!binding) {
        await recordHandoff(flow.h, { errorCode: 'not_bound', errorMessage: NOT_BOUND });
        return failed(reply, NOT_BOUND);
      }
      await recordHandoff(flow.h, { ownerId: binding.ownerId });
      request.log.info({ ownerId: binding.ownerId }, 'salesperson signed in to the calling widget with HubSpot');
      return finish(reply, 'done');
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'calling widget sign-in with HubSpot failed');
      return failed(reply, err instanceof UserSignInError ? err.message : `Signing in failed: ${(err as Error).message}`);
    }
  });

  // The same window, when the pop-up page's session of this browser (its personal link) is there: no HubSpot needed.
  app.post('/sign-in/from-session', async (request) => {
    const { binding } = await guard.agentOf(request);
    const { handoff } = parseInput(handoffBody, request.body, 'body');
    await recordHandoff(hash(handoff), { ownerId: binding.ownerId });
    return { ok: true };
  });

  // Step 3, in the widget: the session, once the window finished; `ready: false` until then. Single use.
  app.post('/sign-in/handoff', async (request) => {
    const { handoff } = parseInput(handoffBody, request.body, 'body');
    const handoffHash = hash(handoff);
    const [row] = await db.select().from(agentSignIns).where(eq(agentSignIns.handoffHash, handoffHash));
    if (!row) return { ready: false };
    const [taken] = await db
      .update(agentSignIns)
      .set({ collectedAt: new Date() })
      .where(and(eq(agentSignIns.handoffHash, handoffHash), isNull(agentSignIns.collectedAt)))
      .returning();
    if (!taken || taken.expiresAt.getTime() < Date.now()) throw new UnauthorizedError('This sign-in was already used or has expired. Click Sign in again.');
    if (taken.errorCode === 'not_bound' || taken.errorCode === 'wrong_portal') throw new AgentError(taken.errorCode, taken.errorMessage ?? NOT_BOUND);
    const binding = taken.ownerId ? await bindings.byOwner(taken.ownerId) : null;
    if (!binding) throw new AgentError('not_bound', NOT_BOUND);
    return { ready: true, session: await guard.sessionFor(binding) };
  });
}
