import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { buildHubSpotApp, startHubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { call, installApp } from '../support/hubspot-harness.ts';

async function listContacts(
  app: Awaited<ReturnType<typeof buildHubSpotApp>>,
  token: string,
): Promise<Array<{ id: string; properties: Record<string, string | null> }>> {
  const results = [];
  let after = '';
  do {
    const response = await app.app.inject({
      method: 'GET',
      url: `/crm/v3/objects/contacts?limit=100&properties=firstname,lastname,email,phone,mobilephone,country,hubspot_owner_id${after ? `&after=${after}` : ''}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const body = response.json();
    results.push(...body.results);
    after = body.paging?.next?.after ?? '';
  } while (after);
  return results;
}

describe('HubSpot sandbox snapshots and seeds', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart from its snapshot: records, apps, tokens and the clock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hubspot-snapshot-'));
    dirs.push(dir);
    const snapshotPath = join(dir, 'hubspot.json');
    const first = await startHubSpotSandbox({ snapshotPath, snapshotDebounceMs: 50 });
    const installed = await installApp(first);
    const company = await call(first.url, 'POST', '/crm/v3/objects/companies', {
      token: installed.accessToken,
      body: { properties: { name: 'Persisted Inc', phone: '+49 30 1234567' } },
    });
    const contact = await call(first.url, 'POST', '/crm/v3/objects/contacts', {
      token: installed.accessToken,
      body: {
        properties: { email: 'persist@example.com', firstname: 'Pia' },
        associations: [{ to: { id: company.body.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
      },
    });
    await call(first.url, 'POST', '/crm/v3/properties/contacts', {
      token: installed.accessToken,
      body: { name: 'spokes_flag', label: 'Flag', type: 'bool', fieldType: 'booleancheckbox', groupName: 'contactinformation', options: [] },
    });
    first.advanceClock(60_000);
    const infoBefore = first.info();
    await first.close();
    assert.ok((await stat(snapshotPath)).size > 0);

    const second = await startHubSpotSandbox({ snapshotPath });
    try {
      const infoAfter = second.info();
      assert.deepEqual(infoAfter.portals, infoBefore.portals);
      assert.deepEqual(
        infoAfter.apps.map((a) => [a.clientId, a.clientSecret]),
        infoBefore.apps.map((a) => [a.clientId, a.clientSecret]),
      );
      const read = await call(second.url, 'GET', `/crm/v3/objects/contacts/${contact.body.id}?properties=email,firstname&associations=companies`, {
        token: installed.accessToken,
      });
      assert.equal(read.status, 200, 'the access token still works');
      assert.equal(read.body.properties.firstname, 'Pia');
      assert.equal(read.body.associations.companies.results[0].id, company.body.id);
      const dupe = await call(second.url, 'POST', '/crm/v3/objects/contacts', {
        token: installed.accessToken,
        body: { properties: { email: 'PERSIST@example.com' } },
      });
      assert.equal(dupe.status, 409, 'the e-mail index was rebuilt');
      const next = await call(second.url, 'POST', '/crm/v3/objects/contacts', {
        token: installed.accessToken,
        body: { properties: { email: 'next@example.com', spokes_flag: 'true' } },
      });
      assert.ok(Number(next.body.id) > Number(contact.body.id));
      const refreshed = await call(second.url, 'POST', '/oauth/v1/token', {
        form: { grant_type: 'refresh_token', client_id: installed.clientId, client_secret: installed.clientSecret, refresh_token: installed.refreshToken },
      });
      assert.equal(refreshed.status, 200);
    } finally {
      await second.close();
    }
  });

  it('seeds the same records from the same seed, and different ones from another', async () => {
    const build = async (seed: number) => {
      const app = await buildHubSpotApp({ seed: { contacts: 120, companies: 15, owners: 4, seed } });
      const contacts = await listContacts(app, app.info().portals[0].privateAppToken);
      await app.close();
      // Creation times follow the wall clock; everything else comes from the seed.
      return contacts.map((c) =>
        [c.id, c.properties.firstname, c.properties.lastname, c.properties.email, c.properties.phone, c.properties.mobilephone, c.properties.country].join('|'),
      );
    };
    const [a, b, c] = [await build(7), await build(7), await build(8)];
    assert.equal(a.length, 120);
    assert.ok(
      a.every((line, i) => line === b[i]),
      'same seed, same records',
    );
    assert.ok(
      a.some((line, i) => line !== c[i]),
      'another seed, other records',
    );
  });

  it('seeds realistic international contacts, companies and owners', async () => {
    const app = await buildHubSpotApp({});
    try {
      const summary = app.seed({ contacts: 300, companies: 30, owners: 6, seed: 21 });
      assert.equal(summary.owners.length, 6);
      for (const owner of summary.owners) assert.match(owner.email, /^[a-z0-9.]+@acme-sales\.example$/);
      const contacts = await listContacts(app, app.info().portals[0].privateAppToken);
      assert.equal(contacts.length, 300);
      const countries = new Set(contacts.map((c) => c.properties.country));
      assert.ok(countries.size >= 6, `countries: ${[...countries]}`);
      const phones = contacts.map((c) => c.properties.phone!);
      assert.ok(
        phones.some((p) => p.startsWith('+')),
        'international format',
      );
      assert.ok(
        phones.some((p) => /^\(?0?\d/.test(p) && !p.startsWith('+')),
        'national format',
      );
      assert.ok(
        phones.some((p) => p.includes('(')),
        'parentheses',
      );
      assert.ok(
        phones.some((p) => p.includes('-')),
        'dashes',
      );
      assert.ok(
        phones.some((p) => /ext\.|x\d|Durchwahl/.test(p)),
        'extensions',
      );
      const valid = phones.filter((p) => parsePhoneNumberFromString(p.replace(/^00/, '+'), 'US')?.isPossible());
      assert.ok(valid.length > phones.length * 0.6);
      for (const c of contacts) assert.match(c.properties.email!, /^[a-z0-9.]+@[a-z0-9.-]+\.[a-z.]+$/);
      assert.ok(
        contacts.some((c) => /[äöüéèçłśżãí]/i.test(`${c.properties.firstname}${c.properties.lastname}`)),
        'non-ASCII names',
      );
      const withCompany = await app.app.inject({
        method: 'GET',
        url: `/crm/v3/objects/contacts/${summary.firstContactId}?associations=companies`,
        headers: { authorization: `Bearer ${app.info().portals[0].privateAppToken}` },
      });
      assert.ok(withCompany.json().associations.companies.results.length >= 1);
    } finally {
      await app.close();
    }
  });
});
