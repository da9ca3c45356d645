/**
 * The agent API (what the calling widget and the pop-up page call for a
 * salesperson), against Spokes in sandbox mode: the HubSpot and Yeastar
 * emulators connected, users bound by e-mail, the integration enabled.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, signInOverHttp, startSpokes, type AdminHttp, type Spokes } from '../support/world.ts';
import { eq } from 'drizzle-orm';
import { agentCalls, callLogs, extensionBindings } from '../../src/connectors/telephony/schema.ts';
import { signWebhookBody, type YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { createHubSpotContact, openAgentStream, signInWithHubSpot } from './agent-support.ts';
import { cdrFrame } from './telephony-support.ts';

interface AgentsView {
  generation: number;
  widgetUrl: string;
  agents: { ownerId: string; name: string; email: string | null; extension: string; signInUrl: string }[];
}
interface SessionAnswer {
  token: string;
  expiresAt: string;
  agent: { ownerId: string; userId: number | null; name: string; email: string | null; extension: string; portalId: number };
}

describe('agent API', () => {
  let spokes: Spokes;
  let admin: AdminHttp;
  let pbx: YeastarSandbox;
  let hubspotUrl: string;
  let portalId: number;
  let view: AgentsView;
  let portalToken: string;

  const call = (method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${spokes.url}${path}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  const tokenOf = (signInUrl: string) => new URL(signInUrl).hash.replace(/^#token=/, '');
  const userOf = async (ownerId: string) =>
    ((await (await fetch(`${hubspotUrl}/crm/v3/owners/${ownerId}`, { headers: { authorization: `Bearer ${portalToken}` } })).json()) as { userId: number })
      .userId;
  async function signInWith(body: unknown): Promise<SessionAnswer> {
    const res = await call('POST', '/agent-api/sessions', { body });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as SessionAnswer;
  }

  before(async () => {
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' } });
    admin = await signInOverHttp(spokes);
    pbx = spokes.runtime.services.sandboxes!.yeastar;
    hubspotUrl = spokes.runtime.services.sandboxes!.hubspot.url;
    portalId = (await spokes.runtime.services.hubspot.store.connection())!.portalId;
    portalToken = spokes.runtime.services.sandboxes!.hubspot.info().portals.find((p) => p.portalId === portalId)!.privateAppToken;
    const res = await admin.request('GET', '/api/telephony/agents');
    assert.equal(res.status, 200);
    view = (await res.json()) as AgentsView;
  });
  after(async () => {
    await spokes?.close();
  });

  it('lists a sign-in link per bound user and the widget URL, for admins only', async () => {
    assert.ok(view.agents.length >= 3, 'the sandbox binds its users');
    for (const a of view.agents) {
      assert.match(a.signInUrl, new RegExp(`^${spokes.url}/agent/#token=a1\\.`));
      assert.match(a.extension, /^10\d\d$/);
    }
    assert.equal(view.widgetUrl, `${spokes.url}/widget/`, 'the widget URL holds no secret any more');
    assert.equal((await fetch(`${spokes.url}/api/telephony/agents`)).status, 401);
    const noCsrf = await fetch(`${spokes.url}/api/telephony/agents/rotate`, { method: 'POST', headers: { cookie: admin.cookie } });
    assert.equal(noCsrf.status, 403);
  });

  it('signs in with a personal link and tells the page who is signed in', async () => {
    const first = view.agents[0]!;
    const session = await signInWith({ signInToken: tokenOf(first.signInUrl) });
    assert.equal(session.agent.ownerId, first.ownerId);
    assert.equal(session.agent.extension, first.extension);
    assert.equal(session.agent.name, first.name);
    assert.equal(session.agent.portalId, portalId);
    const days = (Date.parse(session.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `a session lasts 30 days (${days})`);

    const me = await call('GET', '/agent-api/me', { token: session.token });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { agent: session.agent, portalId, hubspotAppUrl: hubspotUrl, sandbox: true });
  });

  it('signs nobody in from the widget key and the ids a page claims (issue 9 item 1)', async () => {
    const other = view.agents[1]!;
    // What any salesperson (or anyone holding the old widget URL) could send to become someone else.
    for (const body of [
      { widgetKey: 'any', portalId, ownerId: other.ownerId },
      { widgetKey: 'any', portalId, userId: 5000002 },
      { portalId, ownerId: other.ownerId },
    ]) {
      const res = await call('POST', '/agent-api/sessions', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'validation_failed');
    }
  });

  it('signs the calling widget in as the HubSpot user who signed in at HubSpot, once per sign-in', async () => {
    const agent = view.agents[1]!;
    const { back, collected, handoff } = await signInWithHubSpot(spokes, await userOf(agent.ownerId));
    assert.equal(back, '/widget/sign-in#done');
    assert.equal(collected.status, 200, await collected.clone().text());
    const answer = (await collected.json()) as { ready: boolean; session: SessionAnswer };
    assert.equal(answer.ready, true);
    assert.equal(answer.session.agent.ownerId, agent.ownerId);
    assert.equal(answer.session.agent.extension, agent.extension);
    assert.equal((await call('GET', '/agent-api/me', { token: answer.session.token })).status, 200);
    // Spent: a second collect (someone who saw the secret later) gets nothing.
    const again = await call('POST', '/agent-api/sign-in/handoff', { body: { handoff } });
    assert.equal(again.status, 401);
    // A secret nobody finished a sign-in for: not ready (the widget keeps waiting).
    assert.deepEqual(await (await call('POST', '/agent-api/sign-in/handoff', { body: { handoff: 'x'.repeat(43) } })).json(), { ready: false });
    assert.equal((await call('POST', '/agent-api/sign-in/handoff', { body: { handoff: 'short' } })).status, 400);
  });

  it('does not finish a HubSpot sign-in that comes back to another browser (no cookie of the flow)', async () => {
    const agent = view.agents[0]!;
    const { back, collected } = await signInWithHubSpot(spokes, await userOf(agent.ownerId), { dropCookie: true });
    assert.match(back, /^\/widget\/sign-in#error=.*another%20browser/);
    assert.deepEqual(await collected.json(), { ready: false });
  });

  it("passes the pop-up page's session of the same browser on to the widget, and nothing without one", async () => {
    const agent = view.agents[0]!;
    const page = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    const handoff = 'h'.repeat(20) + Date.now().toString(36).padStart(23, '0');
    assert.equal((await call('POST', '/agent-api/sign-in/from-session', { body: { handoff } })).status, 401);
    const res = await call('POST', '/agent-api/sign-in/from-session', { token: page.token, body: { handoff } });
    assert.equal(res.status, 200, await res.clone().text());
    const { session } = (await (await call('POST', '/agent-api/sign-in/handoff', { body: { handoff } })).json()) as { session: SessionAnswer };
    assert.equal(session.agent.ownerId, agent.ownerId);
  });

  it('refuses forged links and tokens (401) and unbound users (409 not_bound)', async () => {
    const expectError = async (res: Response, status: number, code: string) => {
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(body.error.code, code);
      return body.error.message;
    };
    await expectError(await call('POST', '/agent-api/sessions', { body: { signInToken: 'a1.eyJrIjoiaSIsIm8iOiIxIiwiZyI6MX0.forged' } }), 401, 'unauthorized');
    await expectError(await call('POST', '/agent-api/sessions', { body: {} }), 400, 'validation_failed');

    for (const [method, path] of [
      ['GET', '/agent-api/me'],
      ['POST', '/agent-api/calls'],
      ['POST', '/agent-api/calls/1.1/hangup'],
      ['PUT', '/agent-api/calls/1.1/engagement'],
      ['POST', '/agent-api/calls/1.1/claim'],
      ['GET', '/agent-api/calls/current'],
      ['PATCH', '/agent-api/calls/1.1/wrap-up'],
      ['GET', '/agent-api/events'],
      ['GET', '/agent-api/lookup?number=1'],
      ['POST', '/agent-api/sign-in/from-session'],
    ] as const) {
      await expectError(await call(method, path), 401, 'unauthorized');
      await expectError(await call(method, path, { token: 'a1.bm90.aGluZw' }), 401, 'unauthorized');
    }
  });

  /** An engagement as HubSpot creates it for a calling widget's `outgoingCall`/`incomingCall` (the record page's calling host, as that user). */
  async function hubspotCreates(userId: number, externalCallId: string, direction = 'OUTBOUND'): Promise<string> {
    const res = await fetch(`${hubspotUrl}/calling-host/api/${portalId}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `hubspot_sandbox_user=${userId}` },
      body: JSON.stringify({ direction, externalCallId }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return String(((await res.json()) as { engagementId: number }).engagementId);
  }

  it("places a call from the agent's own extension, hangs it up and records the engagement HubSpot created for it", async () => {
    const agent = view.agents[1]!;
    const { token } = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    pbx.setDialRules({ defaults: { outcome: 'answered', manual: true } });
    const before = pbx.dialRequests().length;
    const res = await call('POST', '/agent-api/calls', { token, body: { number: '+1 (646) 555-0143' } });
    assert.equal(res.status, 200, await res.clone().text());
    const placed = (await res.json()) as { callId: string; extension: string; number: string };
    assert.equal(placed.extension, agent.extension);
    assert.equal(placed.number, '+16465550143');
    const dials = pbx.dialRequests().slice(before);
    assert.equal(dials.length, 1);
    assert.deepEqual(
      { caller: dials[0]!.body.caller, callee: dials[0]!.body.callee, callId: dials[0]!.call_id },
      { caller: agent.extension, callee: '+16465550143', callId: placed.callId },
    );

    const engagementId = await hubspotCreates(await userOf(agent.ownerId), placed.callId);
    const engagement = await call('PUT', `/agent-api/calls/${placed.callId}/engagement`, { token, body: { engagementId: Number(engagementId) } });
    assert.equal(engagement.status, 200, await engagement.clone().text());
    assert.deepEqual(await engagement.json(), { callId: placed.callId, engagementId });
    const [row] = await spokes.runtime.database.db.select().from(agentCalls).where(eq(agentCalls.callId, placed.callId));
    assert.equal(row?.engagementId, engagementId);
    assert.equal(row?.ownerId, agent.ownerId);
    assert.equal((await spokes.runtime.database.db.select().from(callLogs)).filter((r) => r.cdrId.startsWith('widget:')).length, 0, 'no second call_logs row');
    assert.equal((await call('PUT', `/agent-api/calls/${placed.callId}/engagement`, { token, body: { engagementId } })).status, 200, 'the same again');

    const hangup = await call('POST', `/agent-api/calls/${placed.callId}/hangup`, { token });
    assert.equal(hangup.status, 200);
    assert.deepEqual(await hangup.json(), { hungUp: true });
    // Another agent may not hang up this call.
    const other = await signInWith({ signInToken: tokenOf(view.agents[2]!.signInUrl) });
    assert.equal((await call('POST', `/agent-api/calls/${placed.callId}/hangup`, { token: other.token })).status, 404);
    pbx.setDialRules({ defaults: { manual: false } });
  });

  it("accepts an engagement only for the salesperson's own call and only the one HubSpot created for that call (issue 9 item 2)", async () => {
    const [me, them] = [view.agents[0]!, view.agents[1]!];
    const { token } = await signInWith({ signInToken: tokenOf(me.signInUrl) });
    const { token: theirToken } = await signInWith({ signInToken: tokenOf(them.signInUrl) });
    pbx.setDialRules({ defaults: { outcome: 'answered', manual: true } });
    const dial = async (t: string, number: string) =>
      ((await (await call('POST', '/agent-api/calls', { token: t, body: { number } })).json()) as { callId: string }).callId;
    const mine = await dial(token, '+16465550151');
    const theirs = await dial(theirToken, '+16465550152');
    const theirEngagement = await hubspotCreates(await userOf(them.ownerId), theirs);
    const expectError = async (res: Response, status: number, pattern?: RegExp) => {
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(res.status, status, JSON.stringify(body));
      if (pattern) assert.match(body.error.message, pattern);
    };
    // The issue's probe: a call id nobody placed yet (ids are guessable), with another call's engagement.
    const [epoch, seq] = theirs.split('.');
    await expectError(await call('PUT', `/agent-api/calls/${epoch}.${Number(seq) + 5}/engagement`, { token, body: { engagementId: theirEngagement } }), 404);
    // Someone else's call.
    await expectError(await call('PUT', `/agent-api/calls/${theirs}/engagement`, { token, body: { engagementId: theirEngagement } }), 404);
    // My call, another call's engagement; an engagement HubSpot does not have; one of my call created as someone else.
    await expectError(
      await call('PUT', `/agent-api/calls/${mine}/engagement`, { token, body: { engagementId: theirEngagement } }),
      409,
      /not this call's: it is the engagement of call/,
    );
    await expectError(
      await call('PUT', `/agent-api/calls/${mine}/engagement`, { token, body: { engagementId: '999999999' } }),
      409,
      /HubSpot has no call engagement/,
    );
    const asThem = await hubspotCreates(await userOf(them.ownerId), mine);
    await expectError(await call('PUT', `/agent-api/calls/${mine}/engagement`, { token, body: { engagementId: asThem } }), 409, /another HubSpot user/);
    // The right one; afterwards no other engagement can replace it, and it cannot serve another call.
    const right = await hubspotCreates(await userOf(me.ownerId), mine);
    assert.equal((await call('PUT', `/agent-api/calls/${mine}/engagement`, { token, body: { engagementId: right } })).status, 200);
    const second = await hubspotCreates(await userOf(me.ownerId), mine);
    await expectError(
      await call('PUT', `/agent-api/calls/${mine}/engagement`, { token, body: { engagementId: second } }),
      409,
      /already has HubSpot engagement/,
    );
    const another = await dial(token, '+16465550153');
    await expectError(await call('PUT', `/agent-api/calls/${another}/engagement`, { token, body: { engagementId: right } }), 409);
    await expectError(await call('PUT', `/agent-api/calls/${mine}/engagement`, { token, body: { engagementId: 'abc' } }), 400);
    for (const id of [mine, theirs, another]) await call('POST', `/agent-api/calls/${id}/hangup`, { token: id === theirs ? theirToken : token });
    pbx.setDialRules({ defaults: { manual: false } });
  });

  it("keeps a call's wrap-up for its salesperson only: current calls, claim and wrap-up refuse anyone else's call", async () => {
    const [me, them] = [view.agents[0]!, view.agents[1]!];
    const { token } = await signInWith({ signInToken: tokenOf(me.signInUrl) });
    const { token: theirToken } = await signInWith({ signInToken: tokenOf(them.signInUrl) });
    pbx.setDialRules({ defaults: { outcome: 'answered', manual: true } });
    const { callId } = (await (await call('POST', '/agent-api/calls', { token, body: { number: '+16465550161' } })).json()) as { callId: string };
    const current = async (t: string) =>
      ((await (await call('GET', '/agent-api/calls/current', { token: t })).json()) as { calls: { callId: string; wrapUp: { notes: string } | null }[] }).calls;
    assert.ok(
      (await current(token)).some((c) => c.callId === callId),
      "the caller's widget sees the call",
    );
    assert.ok(!(await current(theirToken)).some((c) => c.callId === callId), "nobody else's does");

    const draft = await call('PATCH', `/agent-api/calls/${callId}/wrap-up`, {
      token,
      body: { notes: 'Call back Tuesday.', disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7' },
    });
    assert.equal(draft.status, 200, await draft.clone().text());
    assert.equal((await current(token)).find((c) => c.callId === callId)?.wrapUp?.notes, 'Call back Tuesday.');
    assert.equal((await call('PATCH', `/agent-api/calls/${callId}/wrap-up`, { token: theirToken, body: { notes: 'mine now' } })).status, 404);
    assert.equal((await call('POST', `/agent-api/calls/${callId}/claim`, { token: theirToken })).status, 404);
    for (const body of [{ notes: 1 }, { disposition: 'not an outcome' }, { state: 'deleted' }, { owner: them.ownerId }]) {
      const res = await call('PATCH', `/agent-api/calls/${callId}/wrap-up`, { token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    const dismissed = await call('PATCH', `/agent-api/calls/${callId}/wrap-up`, { token, body: { state: 'dismissed' } });
    assert.equal(((await dismissed.json()) as { wrapUp: string }).wrapUp, 'dismissed');
    assert.ok(!(await current(token)).some((c) => c.callId === callId), 'a dismissed wrap-up is not offered again');
    await call('POST', `/agent-api/calls/${callId}/hangup`, { token });
    pbx.setDialRules({ defaults: { manual: false } });
  });

  it('reads a number saved without a country code in the country HubSpot gives (countryCode), and refuses a bad one', async () => {
    const agent = view.agents[1]!;
    const { token } = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    const before = pbx.dialRequests().length;
    const res = await call('POST', '/agent-api/calls', { token, body: { number: '030 12345678', countryCode: 'de' } });
    assert.equal(res.status, 200, await res.clone().text());
    const placed = (await res.json()) as { callId: string; number: string };
    assert.equal(placed.number, '+493012345678');
    assert.equal(pbx.dialRequests().slice(before)[0]?.body.callee, '+493012345678');
    await call('POST', `/agent-api/calls/${placed.callId}/hangup`, { token });
    const bad = await call('POST', '/agent-api/calls', { token, body: { number: '030 12345678', countryCode: 'Germany' } });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { details?: { field: string }[] } };
    assert.equal(body.error.details?.[0]?.field, 'body.countryCode');
  });

  it('answers a PBX refusal with 409 dial_failed, a sentence for the salesperson and the reason', async () => {
    // A user bound to an extension the PBX does not have.
    await spokes.runtime.database.db
      .insert(extensionBindings)
      .values({ extension: '1999', ownerId: '55501', ownerName: 'Gone Phone', ownerEmail: null, userId: null, source: 'manual' });
    const links = (await (await admin.request('GET', '/api/telephony/agents')).json()) as AgentsView;
    const { token } = await signInWith({ signInToken: tokenOf(links.agents.find((a) => a.ownerId === '55501')!.signInUrl) });
    const res = await call('POST', '/agent-api/calls', { token, body: { number: '+16465550144' } });
    assert.equal(res.status, 409);
    assert.deepEqual(await res.json(), {
      error: {
        code: 'dial_failed',
        reason: 'unknown_extension',
        message: 'Extension 1999 does not exist on the PBX. Ask your administrator to check your extension binding.',
      },
    });
    const bad = await call('POST', '/agent-api/calls', { token, body: { number: 'call me' } });
    assert.equal(bad.status, 400);
  });

  it("streams the agent's own call events with the matched contact, and resumes after Last-Event-ID", async () => {
    const agent = view.agents[0]!;
    const { token } = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    const contact = await createHubSpotContact(spokes, { firstname: 'Ada', lastname: 'Stream', phone: '+1 646 555 0171' });
    await eventually('the phone index learns the new contact', async () => {
      const res = await call('GET', '/agent-api/lookup?number=%2B16465550171', { token });
      const { match } = (await res.json()) as { match: { objectId: string } | null };
      return match?.objectId === contact.id;
    });
    const lookup = await (await call('GET', '/agent-api/lookup?number=6465550171', { token })).json();
    assert.deepEqual(lookup, {
      match: {
        objectType: 'contact',
        objectId: contact.id,
        label: 'Ada Stream',
        url: `${hubspotUrl}/contacts/${portalId}/record/0-1/${contact.id}`,
        autoCreated: false,
      },
    });
    assert.deepEqual(await (await call('GET', '/agent-api/lookup?number=%2B16465550999', { token })).json(), { match: null });

    const stream = await openAgentStream(spokes.url, token);
    assert.match(stream.contentType, /^text\/event-stream/);
    // Someone else's call is not in this agent's stream.
    pbx.simulateCall({ direction: 'inbound', external: '+16465550172', extension: view.agents[1]!.extension, outcome: 'no_answer', ringSeconds: 1 });
    const { call_id } = pbx.simulateCall({
      direction: 'inbound',
      external: '+16465550171',
      extension: agent.extension,
      outcome: 'answered',
      ringSeconds: 1,
      talkSeconds: 1,
    });
    const ringing = await stream.next((e) => e.callId === call_id && e.state === 'ringing');
    assert.equal(ringing.type, 'call');
    assert.equal(ringing.direction, 'inbound');
    assert.equal(ringing.extension, agent.extension);
    assert.equal(ringing.ownerId, agent.ownerId);
    assert.deepEqual(ringing.match, {
      objectType: 'contact',
      objectId: contact.id,
      label: 'Ada Stream',
      url: `${hubspotUrl}/contacts/${portalId}/record/0-1/${contact.id}`,
      autoCreated: false,
    });
    assert.equal(ringing.id, String(ringing.seq));
    const ended = await stream.next((e) => e.callId === call_id && e.state === 'ended');
    assert.ok(stream.events.every((e) => e.ownerId === agent.ownerId));
    stream.close();

    // A page that saw the ringing event gets everything after it again.
    const resumed = await openAgentStream(spokes.url, token, { lastEventId: ringing.seq });
    const replayed = await resumed.next((e) => e.seq === ended.seq);
    assert.ok(replayed.seq > ringing.seq);
    assert.ok(resumed.events.every((e) => e.seq > ringing.seq));
    resumed.close();
  });

  it('answers 401, never 500, to a token whose payload is not an object (issue 9 item 6)', async () => {
    for (const payload of ['null', '1', '"s"', '[]', 'true']) {
      const forged = `a1.${Buffer.from(payload).toString('base64url')}.c2ln`;
      const me = await call('GET', '/agent-api/me', { token: forged });
      assert.equal(me.status, 401, `GET /agent-api/me with payload ${payload}`);
      const session = await call('POST', '/agent-api/sessions', { body: { signInToken: forged } });
      assert.equal(session.status, 401, `POST /agent-api/sessions with payload ${payload}`);
      assert.equal(((await session.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
  });

  it('ignores a replayed "ringing" frame of a call that ended: no second pop-up (issue 9 item 10)', async () => {
    const agent = view.agents[0]!;
    const { token } = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    const stream = await openAgentStream(spokes.url, token);
    const { call_id } = pbx.simulateCall({
      direction: 'inbound',
      external: '+16465550181',
      extension: agent.extension,
      outcome: 'no_answer',
      ringSeconds: 0.3,
    });
    await stream.next((e) => e.callId === call_id && e.state === 'ended');
    // The very frame the PBX sent while the phone rang, delivered again (a webhook retry, a replay) after the call ended.
    const ringing = pbx.events().find((e) => e.type === 30011 && e.msg.call_id === call_id)!;
    const raw = JSON.stringify({ type: ringing.type, sn: pbx.info().serialNumber, msg: JSON.stringify(ringing.msg) });
    const res = await fetch(`${spokes.url}/webhooks/telephony/yeastar`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signWebhookBody(pbx.info().webhookSecret, raw) },
      body: raw,
    });
    assert.equal(res.status, 200, await res.clone().text());
    // A later call reaches the stream: anything the replay published would have arrived before it.
    const { call_id: next } = pbx.simulateCall({
      direction: 'inbound',
      external: '+16465550182',
      extension: agent.extension,
      outcome: 'no_answer',
      ringSeconds: 0.3,
    });
    await stream.next((e) => e.callId === next && e.state === 'ringing');
    assert.deepEqual(
      stream.events.filter((e) => e.callId === call_id).map((e) => e.state),
      ['ringing', 'ended'],
    );

    // A call this Spokes never saw ring (say it restarted meanwhile): its record arrives and is logged, then a
    // ringing frame of it is replayed. The call ended: no pop-up either.
    const unseen = `${Math.floor(Date.now() / 1000) - 900}.${Math.floor(Math.random() * 1e6)}`;
    const cdr = cdrFrame({ pbx }, { call_from: '+16465550183', call_to: agent.extension, type: 'Inbound', status: 'NO ANSWER', agoSeconds: 3 });
    const post = (frame: { type: number; sn: string; msg: string }) => {
      const body = JSON.stringify(frame);
      return fetch(`${spokes.url}/webhooks/telephony/yeastar`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signWebhookBody(pbx.info().webhookSecret, body) },
        body,
      });
    };
    assert.equal((await post({ ...cdr, msg: JSON.stringify({ ...JSON.parse(cdr.msg), call_id: unseen }) })).status, 200);
    await eventually(
      'the call record is logged',
      async () => (await spokes.runtime.database.db.select().from(callLogs).where(eq(callLogs.callId, unseen))).length > 0,
    );
    assert.equal((await post({ type: 30011, sn: pbx.info().serialNumber, msg: JSON.stringify({ ...ringing.msg, call_id: unseen }) })).status, 200);
    const { call_id: last } = pbx.simulateCall({
      direction: 'inbound',
      external: '+16465550184',
      extension: agent.extension,
      outcome: 'no_answer',
      ringSeconds: 0.3,
    });
    await stream.next((e) => e.callId === last && e.state === 'ringing');
    assert.deepEqual(
      stream.events.filter((e) => e.callId === unseen).map((e) => e.state),
      [],
      'nothing published for the ended call',
    );
    stream.close();
  });

  it('revokes every session and sign-in link when an admin rotates, closing open streams', async () => {
    const agent = view.agents[0]!;
    const session = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    const stream = await openAgentStream(spokes.url, session.token);
    const res = await admin.request('POST', '/api/telephony/agents/rotate');
    assert.equal(res.status, 200);
    const next = (await res.json()) as AgentsView;
    assert.equal(next.generation, view.generation + 1);
    await stream.closed;

    assert.equal((await call('GET', '/agent-api/me', { token: session.token })).status, 401);
    assert.equal((await call('GET', '/agent-api/events', { token: session.token })).status, 401);
    assert.equal((await call('POST', '/agent-api/sessions', { body: { signInToken: tokenOf(agent.signInUrl) } })).status, 401);
    assert.equal(next.widgetUrl, view.widgetUrl, 'the widget URL in HubSpot stays valid');

    const fresh = await signInWith({ signInToken: tokenOf(next.agents.find((a) => a.ownerId === agent.ownerId)!.signInUrl) });
    assert.equal((await call('GET', '/agent-api/me', { token: fresh.token })).status, 200);
    view = next;
  });

  it("revokes one salesperson's sessions, streams and link, for admins only, leaving the others signed in", async () => {
    const [target, bystander] = [view.agents[0]!, view.agents[1]!];
    const session = await signInWith({ signInToken: tokenOf(target.signInUrl) });
    const widget = (await (await signInWithHubSpot(spokes, await userOf(target.ownerId))).collected.json()) as { session: SessionAnswer };
    const other = await signInWith({ signInToken: tokenOf(bystander.signInUrl) });
    const stream = await openAgentStream(spokes.url, session.token);
    const otherStream = await openAgentStream(spokes.url, other.token);

    assert.equal((await fetch(`${spokes.url}/api/telephony/agents/${target.ownerId}/revoke`, { method: 'POST' })).status, 401, 'not without an admin session');
    assert.equal(
      (await fetch(`${spokes.url}/api/telephony/agents/${target.ownerId}/revoke`, { method: 'POST', headers: { cookie: admin.cookie } })).status,
      403,
      'not without the CSRF token',
    );
    assert.equal((await admin.request('POST', '/api/telephony/agents/987654321/revoke')).status, 404);
    const res = await admin.request('POST', `/api/telephony/agents/${target.ownerId}/revoke`);
    assert.equal(res.status, 200, await res.clone().text());
    const next = (await res.json()) as AgentsView;
    await stream.closed;

    for (const token of [session.token, widget.session.token]) assert.equal((await call('GET', '/agent-api/me', { token })).status, 401);
    assert.equal((await call('POST', '/agent-api/sessions', { body: { signInToken: tokenOf(target.signInUrl) } })).status, 401, 'the old link');
    assert.equal((await call('GET', '/agent-api/me', { token: other.token })).status, 200, 'someone else stays signed in');
    assert.equal(
      await Promise.race([otherStream.closed.then(() => 'closed'), new Promise((r) => setTimeout(r, 200, 'open'))]),
      'open',
      'their stream stays open',
    );
    otherStream.close();
    // The new link works; the others' links did not change.
    const newLink = next.agents.find((a) => a.ownerId === target.ownerId)!.signInUrl;
    assert.notEqual(newLink, target.signInUrl);
    assert.equal(next.agents.find((a) => a.ownerId === bystander.ownerId)!.signInUrl, bystander.signInUrl);
    await signInWith({ signInToken: tokenOf(newLink) });
    view = next;
  });

  it('signs out a salesperson an admin unbinds, and a HubSpot sign-in of an unbound user gets 409 not_bound', async () => {
    const agent = view.agents.filter((a) => a.email)[2]!;
    const { token } = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    const unbind = await admin.request('PUT', '/api/telephony/bindings', { bindings: [{ ownerId: agent.ownerId, extension: null }] });
    assert.equal(unbind.status, 200, await unbind.clone().text());
    assert.equal((await call('GET', '/agent-api/me', { token })).status, 401, 'the session is revoked, not just refused');
    const { back, collected } = await signInWithHubSpot(spokes, await userOf(agent.ownerId));
    assert.match(back, /^\/widget\/sign-in#error=/);
    assert.equal(collected.status, 409);
    assert.equal(((await collected.json()) as { error: { code: string } }).error.code, 'not_bound');
    const rebind = await admin.request('PUT', '/api/telephony/bindings', { bindings: [{ ownerId: agent.ownerId, extension: agent.extension }] });
    assert.equal(rebind.status, 200, await rebind.clone().text());
    view = (await (await admin.request('GET', '/api/telephony/agents')).json()) as AgentsView;
  });

  it('answers 409 not_bound to a signed-in agent an admin has unbound', async () => {
    const agent = view.agents[2]!;
    const { token } = await signInWith({ signInToken: tokenOf(agent.signInUrl) });
    await spokes.runtime.database.db.delete(extensionBindings).where(eq(extensionBindings.ownerId, agent.ownerId));
    const res = await call('GET', '/agent-api/me', { token });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_bound');
  });
});
