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

  const hs = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hubspot.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
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
    await connectByOAuth(spokes.runtime.services.hubspot, hubspot);
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
});
