/**
 * Helpers for the agent API and pop-up page tests and the pop-up benchmark:
 * a contact created in the HubSpot emulator, the agent's event stream read
 * the way the pages read it (fetch streaming with the Bearer header), and
 * "Sign in with HubSpot" over HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { Spokes } from '../support/world.ts';
import type { LiveCallEvent } from '../../src/connectors/telephony/live.ts';

/** Creates a contact in the sandbox's HubSpot portal (Spokes hears of it by webhook). */
export async function createHubSpotContact(spokes: Pick<Spokes, 'runtime'>, properties: Record<string, string>): Promise<{ id: string }> {
  const sandbox = spokes.runtime.services.sandboxes!.hubspot;
  const portal = sandbox.info().portals.find((p) => p.type === 'STANDARD')!;
  const res = await fetch(`${sandbox.url}/crm/v3/objects/contacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${portal.privateAppToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ properties }),
  });
  if (res.status !== 201) throw new Error(`creating a contact answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string };
}

export type StreamedEvent = LiveCallEvent & { id: string; event: string };

export interface AgentStream {
  contentType: string;
  events: StreamedEvent[];
  /** Resolves with the first event (seen or to come) that `test` accepts. */
  next(test: (e: StreamedEvent) => boolean, timeoutMs?: number): Promise<StreamedEvent>;
  /** Resolves when the server ends the stream. */
  closed: Promise<void>;
  close(): void;
}

export async function openAgentStream(baseUrl: string, token: string, opts: { lastEventId?: number } = {}): Promise<AgentStream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/agent-api/events`, {
    headers: { authorization: `Bearer ${token}`, ...(opts.lastEventId !== undefined ? { 'last-event-id': String(opts.lastEventId) } : {}) },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`the event stream answered ${res.status}: ${await res.text()}`);
  const events: StreamedEvent[] = [];
  const waiters = new Set<() => void>();
  const closed = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const i = line.indexOf(':');
            fields[line.slice(0, i)] = (fields[line.slice(0, i)] ? `${fields[line.slice(0, i)]}\n` : '') + line.slice(i + 1).replace(/^ /, '');
          }
          if (fields.data) events.push({ ...JSON.parse(fields.data), id: fields.id, event: fields.event });
          for (const w of waiters) w();
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  })();
  return {
    contentType: res.headers.get('content-type') ?? '',
    events,
    closed,
    close: () => abort.abort(),
    next(test, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(test);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.callId, e.state]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * "Sign in with HubSpot" over HTTP, as the calling widget's sign-in window does it: start with a
 * hand-off secret (a cookie ties the flow to this "browser"), approve at the HubSpot emulator as the
 * given sandbox user, come back to Spokes' callback, then collect. Returns where the callback sent the
 * window (`#done` or `#error=…`) and what collecting answered.
 */
export async function signInWithHubSpot(
  spokes: Pick<Spokes, 'url' | 'runtime'>,
  userId: number,
  opts: { handoff?: string; dropCookie?: boolean } = {},
): Promise<{
  handoff: string;
  back: string;
  collected: Response;
}> {
  const hubspot = spokes.runtime.services.sandboxes!.hubspot;
  const handoff = opts.handoff ?? randomBytes(32).toString('base64url');
  const start = await fetch(`${spokes.url}/agent-api/sign-in/hubspot`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handoff }),
  });
  if (start.status !== 200) throw new Error(`starting the sign-in answered ${start.status}: ${await start.text()}`);
  const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const authorize = new URL(authorizeUrl);
  const portalId = /\/oauth\/(\d+)\/authorize/.exec(authorize.pathname)?.[1];
  // The consent page's "Connect app", as the signed-in sandbox user.
  const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), portal_id: portalId ?? '', decision: 'approve' });
  const decision = await fetch(`${hubspot.url}/oauth/authorize/decision`, {
    method: 'POST',
    redirect: 'manual',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `hubspot_sandbox_user=${userId}` },
  });
  if (decision.status !== 302) throw new Error(`HubSpot's consent answered ${decision.status}: ${await decision.text()}`);
  const callback = new URL(decision.headers.get('location')!);
  const back = await fetch(`${spokes.url}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: opts.dropCookie ? {} : { cookie } });
  const collected = await fetch(`${spokes.url}/agent-api/sign-in/handoff`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handoff }),
  });
  return { handoff, back: back.headers.get('location') ?? `HTTP ${back.status}`, collected };
}
