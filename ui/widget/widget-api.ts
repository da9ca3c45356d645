/**
 * The calling widget's side of Spokes' agent API (the same API and wire shapes
 * as the pop-up page, ui/agent/): the session — collected from the sign-in
 * window (sign-in.ts) and kept in localStorage for the HubSpot user it belongs
 * to — and the call actions.
 */
import { z } from 'zod';
import { agentRequest } from '../shared/agent-request.ts';
import { liveEventSchema, matchSchema, meSchema, sessionSchema, type Agent, type AgentSession } from '../shared/agent-api.ts';
import { safeStorage } from './safe-storage.ts';

/** A failed request, with the agent API's `code` (`not_bound`, `wrong_portal`, `dial_failed`…) and a dial's `reason`. */
export { AgentApiError as WidgetApiError } from '../shared/agent-request.ts';
export { liveEventSchema, type LiveEvent, type CallerMatch, type Agent, type AgentSession } from '../shared/agent-api.ts';

const SESSION_KEY = 'spokes.widget.session';

/** The HubSpot user the SDK's `onReady` names: the page's word, enough to tell users of one browser apart. */
export interface HubSpotUser {
  portalId: number;
  ownerId?: number | string | null;
  userId?: number | string | null;
}

/** Whether a session is this HubSpot user's (another user signed in to HubSpot in this browser must sign in anew). */
export function sessionIsFor(agent: Agent, who: HubSpotUser): boolean {
  if (agent.portalId !== who.portalId) return false;
  if (who.ownerId !== undefined && who.ownerId !== null && String(who.ownerId) !== agent.ownerId) return false;
  if (who.userId !== undefined && who.userId !== null && agent.userId !== null && String(who.userId) !== String(agent.userId)) return false;
  return true;
}

/** The saved session, if it belongs to this HubSpot user in this portal and has not expired. */
export function storedSession(who: HubSpotUser): AgentSession | null {
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(safeStorage.get(SESSION_KEY) ?? 'null'));
    if (!parsed.success) return null;
    const s = parsed.data;
    return Date.parse(s.expiresAt) > Date.now() && sessionIsFor(s.agent, who) ? s : null;
  } catch {
    return null;
  }
}

export function storeSession(session: AgentSession | null): void {
  if (session) safeStorage.set(SESSION_KEY, JSON.stringify(session));
  else safeStorage.remove(SESSION_KEY);
}

const WORDING = {
  network: 'Spokes did not answer. Check your connection and try again.',
  unexpected: 'Spokes sent an answer this widget does not understand. Reload the page.',
};

function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, schema: z.ZodType<T>, opts: { token?: string; body?: unknown } = {}): Promise<T> {
  return agentRequest(method, path, schema, { ...opts, wording: WORDING });
}

const dialSchema = z.object({ callId: z.string(), extension: z.string(), number: z.string() });
const hangupSchema = z.object({ hungUp: z.boolean() });
const engagementSchema = z.object({ callId: z.string(), engagementId: z.string() });
const lookupSchema = z.object({ match: matchSchema.nullable() });
/** GET /agent-api/calls/current (ApiAgentCall on the server). */
export const currentCallSchema = z.object({
  callId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  number: z.string().nullable(),
  extension: z.string(),
  state: z.enum(['ringing', 'answered', 'held', 'ended']),
  live: liveEventSchema.nullable(),
  engagementId: z.string().nullable(),
  wrapUp: z.object({ notes: z.string(), disposition: z.string().nullable(), view: z.record(z.string(), z.unknown()).nullable() }).nullable(),
});
export type CurrentCall = z.infer<typeof currentCallSchema>;
const claimSchema = z.object({ create: z.boolean(), engagementId: z.string().nullable() });
const wrapUpSchema = z.object({ callId: z.string(), wrapUp: z.enum(['open', 'saved', 'dismissed']), notes: z.string(), disposition: z.string().nullable() });
export interface WrapUpChange {
  notes?: string;
  disposition?: string | null;
  view?: Record<string, unknown>;
  state?: 'saved' | 'dismissed';
}

const handoffSchema = z.union([z.object({ ready: z.literal(false) }), z.object({ ready: z.literal(true), session: sessionSchema })]);

export const widgetApi = {
  /** The sign-in window's result, once it finished (`ready: false` before). */
  collectSignIn: (handoff: string) => request('POST', '/agent-api/sign-in/handoff', handoffSchema, { body: { handoff } }),
  me: (token: string) => request('GET', '/agent-api/me', meSchema, { token }),
  dial: (token: string, number: string, countryCode?: string) =>
    request('POST', '/agent-api/calls', dialSchema, { token, body: countryCode ? { number, countryCode } : { number } }),
  hangup: (token: string, callId: string) => request('POST', `/agent-api/calls/${encodeURIComponent(callId)}/hangup`, hangupSchema, { token, body: {} }),
  engagement: (token: string, callId: string, engagementId: number | string) =>
    request('PUT', `/agent-api/calls/${encodeURIComponent(callId)}/engagement`, engagementSchema, { token, body: { engagementId: String(engagementId) } }),
  /** Before announcing a call to HubSpot: whether this widget has HubSpot create its engagement. */
  claim: (token: string, callId: string) => request('POST', `/agent-api/calls/${encodeURIComponent(callId)}/claim`, claimSchema, { token, body: {} }),
  /** The call going on and the wrap-ups left open (another tab, a reload). */
  current: (token: string) => request('GET', '/agent-api/calls/current', z.object({ calls: z.array(currentCallSchema) }), { token }),
  wrapUp: (token: string, callId: string, change: WrapUpChange) =>
    request('PATCH', `/agent-api/calls/${encodeURIComponent(callId)}/wrap-up`, wrapUpSchema, { token, body: change }),
  lookup: (token: string, number: string) => request('GET', `/agent-api/lookup?number=${encodeURIComponent(number)}`, lookupSchema, { token }),
};
