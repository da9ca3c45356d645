/**
 * The property sync and the routing API (issue 14, M5–M7): the admin lists
 * Contact and Company property names; the sync test names the ones HubSpot
 * lacks and writes nothing; a manual sync copies every contact and company
 * (at most once every 2 hours, never while one runs — the API says when next
 * and why); an incremental run picks up a HubSpot edit; the routing API
 * answers from Spokes alone, to a signed-in admin only.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { eventually, startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { connectByOAuth } from '../support/hubspot-connect.ts';
import { booking } from '../../src/connectors/booking/index.ts';
import type { ApiConnection } from '../../src/platform/wire.ts';
import { configureSandboxWebhooks, HUBSPOT_WEBHOOKS } from '../../src/hubspot/webhooks/index.ts';

interface SyncView {
  contactProperties: string[];
  companyProperties: string[];
  testResult: { ok: boolean; missing: { objectType: string; name: string }[] } | null;
  running: unknown;
  lastRun: { mode: string; trigger: string; contacts: number; companies: number; requests: number; finishedAt: string; error?: string } | null;
  manual: { allowed: boolean; nextAllowedAt: string | null; reason: string | null };
  nextIncrementalAt: string;
  nextNightlyAt: string;
  synced: { contacts: number; companies: number };
}

describe('booking: property sync and the routing API', { timeout: 180_000 }, () => {
  let hubspot: HubSpotSandbox;
  let spokes: Spokes;
  let admin: AdminHttp;
  let token: string;
  let appId: number;

  const hs = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hubspot.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const json = async <T>(res: Response, status = 200): Promise<T> => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  };
  const view = async () => json<SyncView>(await admin.request('GET', '/api/booking/property-sync'));

  before(async () => {
    hubspot = await startHubSpotSandbox();
    const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
    token = portal.privateAppToken;
    hubspot.seed({ portalId: portal.portalId, contacts: 450, companies: 60, owners: 4 });
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: hubspot.url } });
    // The incremental poll made long (once a year, same schedule key): no pass runs unless a test starts one.
    const poll = booking.schedules!.findIndex((s) => s.cron === '*/5 * * * *');
    const { job, payload } = booking.schedules![poll]!;
    await spokes.runtime.services.queue.schedule(job, '0 0 1 1 *', payload, `${job.name}/${poll}`);
    appId = (await connectByOAuth(spokes.runtime.services.hubspot, hubspot)).appId;
    admin = await signInOverHttp(spokes);
    const c = await json<ApiConnection>(
      await admin.request('POST', '/api/connections', { connector: 'booking', input: { calcomSecret: 'whsec_routing_1234' } }),
      201,
    );
    await json(await admin.request('POST', `/api/connections/${c.id}/enable`));
  });
  after(async () => {
    await spokes?.close();
    await hubspot?.close();
  });

  it('saves the lists (a bad name is a 400 naming it); the sync test names each missing property and writes nothing', async () => {
    const bad = await json<{ error: { details: { field: string }[] } }>(
      await admin.request('PUT', '/api/booking/property-sync', { contactProperties: ['Country!'] }),
      400,
    );
    assert.deepEqual(
      bad.error.details.map((d) => d.field),
      ['body.contactProperties.0'],
    );
    await json(
      await admin.request('PUT', '/api/booking/property-sync', {
        contactProperties: ['country', 'jobtitle', 'no_such_prop'],
        companyProperties: ['numberofemployees', 'industry'],
      }),
    );
    const test = await json<{ ok: boolean; missing: { objectType: string; name: string }[] }>(await admin.request('POST', '/api/booking/property-sync/test'));
    assert.deepEqual([test.ok, test.missing], [false, [{ objectType: 'contact', name: 'no_such_prop' }]]);
    const v = await view();
    assert.deepEqual(v.testResult?.missing, test.missing, 'the result is kept for the page');
    assert.deepEqual(v.synced, { contacts: 0, companies: 0 }, 'the test writes nothing');
    assert.equal(v.lastRun, null);
  });

  it('a manual sync copies every contact and company; a second one within 2 hours is refused with when and why', async () => {
    await json(
      await admin.request('PUT', '/api/booking/property-sync', {
        contactProperties: ['country', 'jobtitle'],
        companyProperties: ['numberofemployees', 'industry'],
      }),
    );
    await json(await admin.request('POST', '/api/booking/property-sync/run'), 202);
    const done = await eventually(
      'the manual sync',
      async () => {
        const v = await view();
        return v.lastRun?.trigger === 'manual' ? v : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(done.lastRun!.error, undefined);
    assert.deepEqual([done.lastRun!.mode, done.synced.contacts, done.synced.companies], ['full', 450, 60]);
    assert.ok(done.lastRun!.requests >= 5, `requests: ${done.lastRun!.requests}`);
    assert.equal(done.manual.allowed, false);
    assert.ok(done.manual.nextAllowedAt && Date.parse(done.manual.nextAllowedAt) > Date.now() + 110 * 60_000);
    const refused = await json<{ error: { message: string; details: { field: string; message: string }[] } }>(
      await admin.request('POST', '/api/booking/property-sync/run'),
      409,
    );
    assert.match(refused.error.message, /once every 2 hours/);
    assert.match(refused.error.details[0]!.message, /next allowed at/);
    assert.ok(Date.parse(done.nextIncrementalAt) > Date.now() && Date.parse(done.nextNightlyAt) > Date.now());
  });

  it('routing answers synced values and the owner for an e-mail or a domain, with no HubSpot call; only to a signed-in admin', async () => {
    const found = await hs('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'associatedcompanyid', operator: 'HAS_PROPERTY' },
            { propertyName: 'hubspot_owner_id', operator: 'HAS_PROPERTY' },
          ],
        },
      ],
      properties: ['email', 'country', 'jobtitle', 'associatedcompanyid', 'hubspot_owner_id'],
      limit: 1,
    });
    const contact = found.results[0];
    assert.ok(contact, 'the seed has a contact with a company and an owner');
    const company = await hs('GET', `/crm/v3/objects/companies/${contact.properties.associatedcompanyid}?properties=domain,numberofemployees,industry`);
    const owners = await hs('GET', '/crm/v3/owners');
    const owner = owners.results.find((o: { id: string }) => o.id === contact.properties.hubspot_owner_id);

    const before = hubspot.stats().requests;
    const r = await json<{
      contact: { id: string; properties: Record<string, string | null> };
      company: { id: string; domain: string; properties: Record<string, string | null> };
      owner: { id: string; email: string };
    }>(await admin.request('GET', `/api/booking/routing?email=${encodeURIComponent(contact.properties.email.toUpperCase())}`));
    assert.equal(r.contact.id, contact.id);
    assert.deepEqual(r.contact.properties, { country: contact.properties.country, jobtitle: contact.properties.jobtitle });
    assert.equal(r.company.id, company.id);
    assert.equal(r.company.properties.numberofemployees, company.properties.numberofemployees);
    assert.deepEqual([r.owner.id, r.owner.email], [owner.id, owner.email]);
    assert.equal(hubspot.stats().requests, before, 'no HubSpot call');

    const byDomain = await json<{ contact: null; company: { id: string } }>(
      await admin.request('GET', `/api/booking/routing?domain=${encodeURIComponent(`www.${company.properties.domain}`)}`),
    );
    assert.deepEqual([byDomain.contact, byDomain.company.id], [null, company.id]);
    const missing = await json<{ error: { details: { field: string }[] } }>(await admin.request('GET', '/api/booking/routing'), 400);
    assert.deepEqual(
      missing.error.details.map((d) => d.field),
      ['query.email'],
    );
    assert.equal((await fetch(`${spokes.url}/api/booking/routing?domain=example.com`)).status, 401, 'no session: refused');
    const noCsrf = await fetch(`${spokes.url}/api/booking/property-sync/run`, { method: 'POST', headers: { cookie: admin.cookie } });
    assert.equal(noCsrf.status, 403, 'a change without the CSRF token: refused');
  });

  it('an incremental run picks up a HubSpot edit', async () => {
    const [contact] = (await hs('GET', '/crm/v3/objects/contacts?limit=1&properties=email')).results;
    await hs('PATCH', `/crm/v3/objects/contacts/${contact.id}`, { properties: { jobtitle: 'Chief Routing Officer' } });
    const ctx = spokes.runtime.services.platform.context('booking');
    const job = booking.jobs.find((j) => j.name === 'booking.sync-properties')!;
    await ctx.queue.enqueue(job, { mode: 'incremental', trigger: 'schedule', key: 'test-incremental' });
    await eventually(
      'the incremental run',
      async () => {
        const v = await view();
        return v.lastRun?.mode === 'incremental' ? v : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const r = await json<{ contact: { properties: Record<string, string> } }>(
      await admin.request('GET', `/api/booking/routing?email=${encodeURIComponent(contact.properties.email)}`),
    );
    assert.equal(r.contact.properties.jobtitle, 'Chief Routing Officer');
  });

  it('a full pass drops what HubSpot no longer has; every pass is one entry in the activity log with its counts', async () => {
    // No webhooks yet in this world: only a pass can notice the deletion.
    const [, , gone] = (await hs('GET', '/crm/v3/objects/contacts?limit=3&properties=email')).results;
    await hs('DELETE', `/crm/v3/objects/contacts/${gone.id}`);
    const routed = async () =>
      (await json<{ contact: unknown }>(await admin.request('GET', `/api/booking/routing?email=${encodeURIComponent(gone.properties.email)}`))).contact;
    assert.ok(await routed(), 'still in Spokes before the pass');
    const ctx = spokes.runtime.services.platform.context('booking');
    await ctx.queue.enqueue(booking.jobs.find((j) => j.name === 'booking.sync-properties')!, { mode: 'full', trigger: 'schedule', key: 'test-full' });
    const done = await eventually('the full pass', async () => {
      const v = await view();
      return v.lastRun?.mode === 'full' && v.lastRun.trigger === 'schedule' ? v : undefined;
    });
    assert.equal(done.lastRun!.error, undefined);
    assert.deepEqual([done.lastRun!.contacts, done.lastRun!.companies, (done.lastRun as { removed?: number }).removed], [449, 60, 1]);
    assert.deepEqual(done.synced, { contacts: 449, companies: 60 });
    const readUpTo = (done as unknown as { readUpTo: Record<string, string | null> }).readUpTo;
    assert.ok(readUpTo.contact && readUpTo.company && Date.parse(readUpTo.contact) <= Date.now(), JSON.stringify(readUpTo));
    assert.equal(await routed(), null);
    const audit = await json<{ entries: { operation: string; outcome: string; causeType: string }[] }>(
      await admin.request('GET', '/api/audit?connector=booking&limit=200'),
    );
    const passes = audit.entries.filter((e) => e.operation.startsWith('mirror '));
    assert.ok(
      passes.some((e) => /^mirror full pass: 60 companies, 449 contacts, 1 removed, \d+ HubSpot requests$/.test(e.operation) && e.outcome === 'succeeded'),
      JSON.stringify(passes),
    );
    assert.ok(
      passes.some((e) => e.operation.startsWith('mirror incremental pass') && e.causeType === 'schedule'),
      'the incremental pass too',
    );
    assert.ok(
      passes.some((e) => e.causeType === 'person'),
      'the manual one, caused by a person',
    );
  });

  it("HubSpot's webhooks refresh the changed records within seconds, with no pass running (M7)", async () => {
    const app = hubspot.info().apps.find((a) => a.appId === appId)!;
    await configureSandboxWebhooks({ baseUrl: hubspot.url, appId, developerApiKey: app.developerApiKey, targetUrl: `${spokes.url}${HUBSPOT_WEBHOOKS.path}` });
    const lastRun = (await view()).lastRun;
    const [contact, gone] = (await hs('GET', '/crm/v3/objects/contacts?limit=2&properties=email')).results;
    const route = async (email: string) =>
      json<{ contact: { properties: Record<string, string | null> } | null }>(
        await admin.request('GET', `/api/booking/routing?email=${encodeURIComponent(email)}`),
      );
    assert.ok((await route(gone.properties.email)).contact, 'synced before');

    await hs('PATCH', `/crm/v3/objects/contacts/${contact.id}`, { properties: { country: 'Iceland' } });
    await hs('DELETE', `/crm/v3/objects/contacts/${gone.id}`);
    const started = Date.now();
    await eventually(
      'the changed country',
      async () => ((await route(contact.properties.email)).contact?.properties.country === 'Iceland' ? true : undefined),
      { timeoutMs: 15_000 },
    );
    await eventually('the deleted contact gone', async () => ((await route(gone.properties.email)).contact === null ? true : undefined), { timeoutMs: 15_000 });
    assert.ok(Date.now() - started < 15_000);
    assert.deepEqual((await view()).lastRun, lastRun, 'no sync pass ran: the webhook events did it');
  });

  it('machines call GET /booking/routing with the routing API token: shown once, stored hashed, refused when absent, wrong or rotated; it opens nothing else', async () => {
    const [contact] = (await hs('GET', '/crm/v3/objects/contacts?limit=1&properties=email')).results;
    const path = `/booking/routing?email=${encodeURIComponent(contact.properties.email)}`;
    const machine = (token?: string, p = path, method = 'GET') =>
      fetch(`${spokes.url}${p}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.equal((await machine()).status, 401, 'no token made yet, none given');
    assert.equal((await machine('spk_route_guess')).status, 401, 'no token made yet');

    const first = await json<{ token: string; createdAt: string }>(await admin.request('POST', '/api/booking/routing-token'), 201);
    assert.match(first.token, /^spk_route_[A-Za-z0-9_-]{43}$/);
    const v = await view();
    assert.deepEqual((v as unknown as { routingToken: unknown }).routingToken, { createdAt: first.createdAt });
    assert.ok(!JSON.stringify(v).includes(first.token), 'never shown again');

    const answer = await json<{ contact: { id: string } }>(await machine(first.token));
    assert.equal(answer.contact.id, contact.id);
    const refused = await json<{ error: { message: string } }>(await machine(), 401);
    assert.match(refused.error.message, /Authorization: Bearer/);
    assert.equal((await machine(`${first.token}x`)).status, 401, 'a wrong token');
    assert.equal((await machine(first.token, '/booking/routing')).status, 400, 'the token passes; the query is still checked');
    for (const [method, p] of [
      ['GET', `/api/booking/routing?email=${encodeURIComponent(contact.properties.email)}`],
      ['GET', '/api/booking/property-sync'],
      ['POST', '/api/booking/routing-token'],
      ['GET', '/api/connections'],
      ['GET', '/api/audit'],
    ] as const)
      assert.equal((await machine(first.token, p, method)).status, 401, `${method} ${p}: the token is not a session`);

    const second = await json<{ token: string }>(await admin.request('POST', '/api/booking/routing-token'), 201);
    assert.equal((await machine(first.token)).status, 401, 'rotated: the old token is refused');
    assert.equal((await machine(second.token)).status, 200);
    assert.equal((await admin.request('DELETE', '/api/booking/routing-token')).status, 204);
    assert.equal((await machine(second.token)).status, 401, 'removed');
  });
});
