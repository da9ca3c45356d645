/**
 * The pop-up page's side of the agent API: the session token kept in
 * localStorage (so a reload keeps the salesperson signed in), requests with
 * `Authorization: Bearer …`, and the shapes the server answers.
 */
import { z } from 'zod';
import { agentRequest } from './agent-request.ts';

export const agentSchema = z.object({
  ownerId: z.string(),
  userId: z.number().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  extension: z.string(),
  portalId: z.number(),
});
export type Agent = z.infer<typeof agentSchema>;

export const sessionSchema = z.object({ token: z.string(), expiresAt: z.string(), agent: agentSchema });
export type AgentSession = z.infer<typeof sessionSchema>;

export const meSchema = z.object({ agent: agentSchema, portalId: z.number(), hubspotAppUrl: z.string(), sandbox: z.boolean() });
export type AgentMe = z.infer<typeof meSchema>;

export const matchSchema = z.object({
  objectType: z.enum(['contact', 'company']),
  objectId: z.string(),
  label: z.string().nullable(),
  url: z.string(),
  autoCreated: z.boolean(),
});
export type CallerMatch = z.infer<typeof matchSchema>;

/** One event of `GET /agent-api/events` (LiveCallEvent on the server). */
export const liveEventSchema = z.object({
  seq: z.number(),
  type: z.enum(['call', 'call_failed']),
  callId: z.string(),
  state: z.enum(['ringing', 'answered', 'held', 'ended', 'failed']),
  direction: z.enum(['inbound', 'outbound', 'internal']).nullable(),
  externalNumber: z.string().nullable(),
  extension: z.string(),
  ownerId: z.string(),
  match: matchSchema.nullable(),
  searchUrl: z.string().nullable(),
  message: z.string().optional(),
  reason: z.string().optional(),
  at: z.string(),
});
export type LiveEvent = z.infer<typeof liveEventSchema>;

const SESSION_KEY = 'spokes.agent.session';

export function storedSession(): AgentSession | null {
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null'));
    if (!parsed.success || Date.parse(parsed.data.expiresAt) <= Date.now()) return null;
    return parsed.data;
  } catch {
    return null;
  }
}

export function storeSession(session: AgentSession | null): void {
  if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else localStorage.removeItem(SESSION_KEY);
}

/** The token of a personal sign-in link (`/agent/#token=…`), removed from the address bar at once. */
export function takeLinkToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

const WORDING = {
  network: 'Spokes did not answer. Check that you are online; this page tries again by itself.',
  unexpected: 'Spokes sent an answer this page does not understand. Reload the page.',
};

function request<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, opts: { token?: string; body?: unknown } = {}): Promise<T> {
  return agentRequest(method, path, schema, { ...opts, wording: WORDING });
}

export function signInWithLink(signInToken: string): Promise<AgentSession> {
  return request('POST', '/agent-api/sessions', sessionSchema, { body: { signInToken } });
}

export function fetchMe(token: string): Promise<AgentMe> {
  return request('GET', '/agent-api/me', meSchema, { token });
}

/** One of the salesperson's own calls (`GET /agent-api/calls`, from the call history). */
export const myCallSchema = z.object({
  cdrId: z.string(),
  callId: z.string().nullable(),
  direction: z.string(),
  status: z.string(),
  externalNumber: z.string().nullable(),
  startedAt: z.string(),
  durationMs: z.number(),
  state: z.string(),
  missed: z.boolean(),
  name: z.string().nullable(),
  recordUrl: z.string().nullable(),
  hubspotUrl: z.string().nullable(),
});
export type MyCall = z.infer<typeof myCallSchema>;

const myCallsSchema = z.object({ calls: z.array(myCallSchema), nextCursor: z.string().nullable() });

export function fetchMyCalls(token: string, opts: { missed?: boolean; cursor?: string } = {}): Promise<z.infer<typeof myCallsSchema>> {
  const q = new URLSearchParams({ limit: '20' });
  if (opts.missed) q.set('outcome', 'missed');
  if (opts.cursor) q.set('cursor', opts.cursor);
  return request('GET', `/agent-api/calls?${q}`, myCallsSchema, { token });
}

/** Click-to-call from the salesperson's own extension: their phone rings first, then the number is dialled. */
export function dial(token: string, number: string): Promise<{ callId: string; extension: string; number: string }> {
  return request('POST', '/agent-api/calls', z.object({ callId: z.string(), extension: z.string(), number: z.string() }), { token, body: { number } });
}
