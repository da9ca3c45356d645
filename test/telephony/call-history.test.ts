/**
 * The call history over HTTP (T8): what an admin finds on the Calls page —
 * search, filters, paging, the CSV export, links to the call in HubSpot — the
 * one-click retry of a call not logged, and a salesperson's own calls on the
 * agent API, each route refused to whoever may not call it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshNumber, QUICK, startTelephony, type Telephony } from './telephony-support.ts';
import { eventually } from '../support/world.ts';

interface ApiCall {
  cdrId: string;
  callId: string | null;
  direction: string;
  status: string;
  externalNumber: string | null;
  startedAt: string;
  state: string;
  detail: string | null;
  ownerId: string | null;
  ownerName: string | null;
  contactName: string | null;
  hubspotUrl: string | null;
  contactUrl: string | null;
  missed: boolean;
  retryable: boolean;
  engagementId: string | null;
}

describe('Call history', () => {
  let t: Telephony;
  let grace: { contactId: string; number: string };
  let formula: { contactId: string; number: string };
  const placed: Record<string, string> = {};
  const agents: { ownerId: string; extension: string; token: string }[] = [];

  const list = async (query = '') => {
    const res = await t.admin.request('GET', `/api/telephony/calls${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { calls: ApiCall[]; nextCursor: string | null };
  };
  const rowOf = async (callId: string) => {
    const ids = t.idsOf(callId);
    return (await list('?limit=200')).calls.find((c) => c.callId === callId || ids.includes(c.cdrId));
  };
  const untilState = async (callId: string, states: string[], timeoutMs = 30_000) => {
    await eventually(`call ${callId} is ${states.join(' or ')}`, async () => states.includes((await rowOf(callId))?.state ?? ''), { timeoutMs });
    return (await rowOf(callId))!;
  };

  before(async () => {
    t = await startTelephony();
    grace = { number: freshNumber(), contactId: '' };
    grace.contactId = (await t.createContact({ firstname: 'Grace', lastname: 'Hopper', phone: grace.number })).contactId;
    formula = { number: freshNumber(), contactId: '' };
    formula.contactId = (await t.createContact({ firstname: '=HYPERLINK("http://evil.example")', lastname: 'Jones', phone: formula.number })).contactId;
    placed.grace = t.pbx.simulateCall({ direction: 'inbound', external: grace.number, extension: '1001', outcome: 'answered', ...QUICK }).call_id;
    placed.missed = t.pbx.simulateCall({ direction: 'inbound', external: freshNumber(), extension: '1001', outcome: 'no_answer', ...QUICK }).call_id;
    placed.outbound = t.pbx.simulateCall({ direction: 'outbound', external: formula.number, extension: '1002', outcome: 'answered', ...QUICK }).call_id;
    for (const id of Object.values(placed)) await t.loggedCall(id);
    // Two salespeople signed in to the pop-up page with their personal links.
    const view = (await (await t.admin.request('GET', '/api/telephony/agents')).json()) as {
      agents: { ownerId: string; extension: string; signInUrl: string }[];
    };
    for (const extension of ['1001', '1002']) {
      const agent = view.agents.find((a) => a.extension === extension)!;
      const res = await fetch(`${t.url}/agent-api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signInToken: new URL(agent.signInUrl).hash.replace(/^#token=/, '') }),
      });
      agents.push({ ownerId: agent.ownerId, extension, token: ((await res.json()) as { token: string }).token });
    }
  });
  after(() => t.close());

  it("lists calls newest first with their date and time, names, and the call's own page in HubSpot", async () => {
    const { calls } = await list();
    const grace1 = calls.find((c) => c.callId === placed.grace)!;
    assert.equal(grace1.contactName, 'Grace Hopper');
    assert.equal(grace1.state, 'logged');
    assert.ok(!Number.isNaN(Date.parse(grace1.startedAt)) && grace1.startedAt.includes('T'), 'a full date and time');
    assert.deepEqual(
      calls.map((c) => c.startedAt),
      [...calls.map((c) => c.startedAt)].sort().reverse(),
    );
    // The link opens the call's record page in HubSpot (the emulator), with its title and the contact.
    assert.equal(grace1.hubspotUrl, `${t.hubspot.url}/contacts/${t.portalId}/record/0-48/${grace1.engagementId}`);
    const page = await (await fetch(grace1.hubspotUrl!)).text();
    assert.match(page, /Inbound call from Grace Hopper/);
    assert.match(page, new RegExp(`data-object-id="${grace.contactId}"`));
    assert.equal((await rowOf(placed.missed))!.missed, true);
  });

  it('searches by any part of the number and by the first letters of the name', async () => {
    const digits = grace.number.slice(-7);
    for (const q of [grace.number, `${digits.slice(0, 3)} ${digits.slice(3)}`, 'grace', 'HOPP', 'grace hop']) {
      const { calls } = await list(`?q=${encodeURIComponent(q)}`);
      assert.deepEqual(
        calls.map((c) => c.callId),
        [placed.grace],
        q,
      );
    }
    assert.deepEqual((await list('?q=nobody')).calls, []);
  });

  it('filters by user, direction, missed and logged, and pages with a cursor', async () => {
    const [agent1, agent2] = agents;
    assert.deepEqual(new Set((await list(`?ownerId=${agent2!.ownerId}`)).calls.map((c) => c.callId)), new Set([placed.outbound]));
    assert.deepEqual(
      (await list('?direction=outbound')).calls.map((c) => c.callId),
      [placed.outbound],
    );
    assert.deepEqual(
      (await list(`?outcome=missed&ownerId=${agent1!.ownerId}`)).calls.map((c) => c.callId),
      [placed.missed],
    );
    assert.ok((await list('?logged=logged')).calls.every((c) => c.state === 'logged'));
    const first = await list('?limit=1');
    const second = await list(`?limit=1&cursor=${first.nextCursor}`);
    assert.equal(first.calls.length, 1);
    assert.equal(second.calls.length, 1);
    assert.notEqual(first.calls[0]!.cdrId, second.calls[0]!.cdrId);
    assert.ok(second.calls[0]!.startedAt <= first.calls[0]!.startedAt);
  });

  it('answers 400 naming a bad or unknown filter', async () => {
    for (const [query, field, words] of [
      ['?direction=sideways', 'query.direction', /direction/],
      ['?outcome=maybe', 'query.outcome', /outcome/],
      ['?from=yesterday', 'query.from', /from/],
      ['?cursor=garbage', 'query.cursor', /cursor/],
      ['?colour=blue', 'query', /colour/],
    ] as const) {
      const res = await t.admin.request('GET', `/api/telephony/calls${query}`);
      assert.equal(res.status, 400, query);
      const { error } = (await res.json()) as { error: { code: string; message: string; details: { field: string }[] } };
      assert.equal(error.code, 'validation_failed');
      assert.equal(error.details[0]!.field, field, query);
      assert.match(error.message, words, query);
    }
  });

  it('exports the filtered calls as CSV, with cells a spreadsheet cannot run as formulas', async () => {
    const res = await t.admin.request('GET', `/api/telephony/calls.csv?ownerId=${agents[1]!.ownerId}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="spokes-calls-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark, for spreadsheet apps');
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(text.startsWith('Started (UTC),Direction,Outcome,Number,Contact'), text.slice(0, 80));
    const lines = text.trim().split('\r\n');
    assert.equal(lines.length, 2, 'the header and the one call of that user');
    assert.ok(lines[1]!.includes(formula.number.slice(2)), lines[1]);
    assert.doesNotMatch(lines[1]!, /(^|,)"?[=+\-@]/, 'no cell starts with a formula character');
    assert.ok(lines[1]!.includes('"\'=HYPERLINK(""http://evil.example"") Jones"'), `a name starting with = is text: ${lines[1]}`);
    assert.ok(lines[1]!.includes(',Logged,'));
  });

  it('is for signed-in admins only; the retry also needs the CSRF token', async () => {
    for (const path of ['/api/telephony/calls', '/api/telephony/calls.csv']) assert.equal((await fetch(`${t.url}${path}`)).status, 401, path);
    const row = (await rowOf(placed.grace))!;
    const path = `/api/telephony/calls/${encodeURIComponent(row.cdrId)}/retry`;
    assert.equal((await fetch(`${t.url}${path}`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${t.url}${path}`, { method: 'POST', headers: { cookie: t.admin.cookie } })).status, 403);
    const agent = await fetch(`${t.url}/api/telephony/calls`, { headers: { authorization: `Bearer ${agents[0]!.token}` } });
    assert.equal(agent.status, 401, 'an agent session is not an admin session');
  });

  it('retries a call skipped because its extension was not bound, once the user is bound', async () => {
    const users = (await (await t.admin.request('GET', '/api/telephony/users')).json()) as { users: { ownerId: string; extension: string | null }[] };
    const user = users.users.find((u) => u.extension === '1003')!;
    assert.equal((await t.admin.request('PUT', '/api/telephony/bindings', { bindings: [{ ownerId: user.ownerId, extension: null }] })).status, 200);
    const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: freshNumber(), extension: '1003', outcome: 'answered', ...QUICK });
    const skipped = await untilState(call_id, ['skipped']);
    assert.match(skipped.detail ?? '', /1003 is not bound/);
    assert.equal(skipped.retryable, true);
    assert.deepEqual((await list('?logged=not_logged')).calls.map((c) => c.callId).includes(call_id), true);

    assert.equal((await t.admin.request('PUT', '/api/telephony/bindings', { bindings: [{ ownerId: user.ownerId, extension: '1003' }] })).status, 200);
    const res = await t.admin.request('POST', `/api/telephony/calls/${encodeURIComponent(skipped.cdrId)}/retry`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { cdrId: skipped.cdrId, action: 'requeued' });
    const logged = await untilState(call_id, ['logged']);
    assert.equal(logged.ownerId, user.ownerId);
    const engagements = await t.engagementsOf(call_id);
    assert.equal(engagements.length, 1);
    assert.equal(engagements[0]!.properties.hubspot_owner_id, user.ownerId);
  });

  it('shows why a call is not logged yet while HubSpot fails, and retries it now on request', async () => {
    t.hubspot.setFaults({ serverErrorProbability: 1, pathPrefixes: ['/crm/v3/objects/calls'] });
    try {
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: grace.number, extension: '1001', outcome: 'answered', ...QUICK });
      const failing = await untilState(call_id, ['retrying']);
      assert.match(failing.detail ?? '', /HubSpot|50\d/);
      assert.equal(failing.retryable, true);
      assert.equal((await list(`?logged=retrying&q=${encodeURIComponent(grace.number)}`)).calls[0]?.callId, call_id);
      t.hubspot.setFaults({});
      // The next attempt is due in seconds; "Retry" runs it now (or finds it already running).
      const res = await t.admin.request('POST', `/api/telephony/calls/${encodeURIComponent(failing.cdrId)}/retry`);
      assert.ok([200, 409].includes(res.status), await res.clone().text());
      if (res.status === 200) assert.equal(((await res.json()) as { action: string }).action, 'attempt_brought_forward');
      const logged = await untilState(call_id, ['logged']);
      assert.equal(logged.detail, null);
      assert.equal((await t.engagementsOf(call_id)).length, 1, 'logged once, whatever the attempts');
    } finally {
      t.hubspot.setFaults({});
    }
  });

  it('refuses to retry a logged call, an internal call or an unknown one', async () => {
    const logged = (await rowOf(placed.grace))!;
    const retry = (cdrId: string) => t.admin.request('POST', `/api/telephony/calls/${encodeURIComponent(cdrId)}/retry`);
    const res = await retry(logged.cdrId);
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /already logged/);
    const { call_id } = t.pbx.simulateCall({ direction: 'internal', external: '1002', extension: '1001', ...QUICK });
    const internal = await untilState(call_id, ['skipped']);
    assert.equal(internal.retryable, false);
    assert.equal((await retry(internal.cdrId)).status, 409);
    assert.equal((await retry('no-such-call')).status, 404);
  });

  it("gives a salesperson their own calls only, missed ones marked, never someone else's", async () => {
    const mine = async (token: string | undefined, query = '') =>
      fetch(`${t.url}/agent-api/calls${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const [agent1, agent2] = agents;
    const res1 = await mine(agent1!.token);
    assert.equal(res1.status, 200);
    const calls1 = ((await res1.json()) as { calls: { callId: string; missed: boolean; name: string | null; recordUrl: string | null }[] }).calls;
    assert.ok(calls1.some((c) => c.callId === placed.grace && c.name === 'Grace Hopper' && c.recordUrl?.endsWith(`/0-1/${grace.contactId}`)));
    assert.ok(calls1.some((c) => c.callId === placed.missed && c.missed));
    assert.ok(!calls1.some((c) => c.callId === placed.outbound), "not the other salesperson's call");
    const calls2 = ((await (await mine(agent2!.token)).json()) as { calls: { callId: string }[] }).calls;
    assert.deepEqual(
      calls2.map((c) => c.callId),
      [placed.outbound],
    );
    assert.deepEqual(
      ((await (await mine(agent1!.token, '?outcome=missed')).json()) as { calls: { callId: string }[] }).calls.map((c) => c.callId),
      [placed.missed],
    );
    // Naming another user is refused, not obeyed.
    const other = await mine(agent1!.token, `?ownerId=${agent2!.ownerId}`);
    assert.equal(other.status, 400);
    assert.match(await other.text(), /ownerId/);
    assert.equal((await mine(undefined)).status, 401);
    assert.equal((await mine('not-a-token')).status, 401);
  });
});
