/**
 * Bad input for the Sansan connector (issue 13), one world: Spokes with its poller, the HubSpot
 * emulator connected through OAuth with the scopes Spokes' app asks for (no crm.schemas.contacts.write),
 * and the Sansan emulator. A wrong key, a missing HubSpot scope, a card with an invalid e-mail, a
 * tag that disappeared, a mapping to a property deleted in HubSpot, a Sansan 5xx storm and a key
 * revoked later are each a clear per-record or per-connection error; the sync goes on with the rest,
 * nothing already in HubSpot is lost, and the revoked key is replaced in place — same Sansan user,
 * from the checkpoint. A pass running elsewhere makes "Sync now" answer 409.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { eventually, startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { connectByOAuth } from '../support/hubspot-connect.ts';
import { DEFAULT_MAPPINGS } from '../../src/connectors/sansan/cards.ts';
import { takePassLock } from '../../src/sync/engine/pass-lock.ts';
import { STANDARD_MAPPINGS } from '../sync/engine-handle.ts';

describe('Sansan: bad input', () => {
  let hubspot: HubSpotSandbox;
  let sansan: SansanSandbox;
  let spokes: Spokes;
  let admin: AdminHttp;
  let id: string;
  let token: string;
  const tags: Record<'expo' | 'gone', string> = { expo: '', gone: '' };
  const cards: Record<string, string> = {};

  const json = async (res: Response) => (await res.json()) as any;
  const health = async () => json(await admin.request('GET', `/api/sansan/connections/${id}/health`));
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sansan.url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return res.status === 204 ? null : json(res);
  };
  const hs = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hubspot.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const contact = async (email: string) => {
    const r = await hs('GET', `/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email&properties=jobtitle,company,sansan_memo`);
    return r.status === 200 ? (r.body as { id: string; properties: Record<string, string | null> }) : undefined;
  };

  before(async () => {
    [hubspot, sansan] = await Promise.all([startHubSpotSandbox(), startSansanSandbox({ seed: false })]);
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: hubspot.url } });
    await connectByOAuth(spokes.runtime.services.hubspot, hubspot);
    admin = await signInOverHttp(spokes);
    token = hubspot.info().portals.find((p) => p.type === 'STANDARD')!.privateAppToken;
  });
  after(async () => {
    await spokes?.close();
    await Promise.all([hubspot?.close(), sansan?.close()]);
  });

  it('refuses a wrong key on its field and stores nothing', async () => {
    const info = sansan.info();
    const wrong = await admin.request('POST', '/api/connections', { connector: 'sansan', input: { apiKey: 'k'.repeat(32), apiBaseUrl: info.apiBaseUrl } });
    assert.equal(wrong.status, 400);
    const body = await json(wrong);
    assert.ok(
      body.error.details.some((d: any) => d.field.endsWith('input.apiKey') && /refused by Sansan/.test(d.message)),
      JSON.stringify(body),
    );
    assert.equal((await json(await admin.request('GET', '/api/connections?connector=sansan'))).connections.length, 0);
    const ok = await admin.request('POST', '/api/connections', { connector: 'sansan', input: { apiKey: info.apiKeys[0]!.key, apiBaseUrl: info.apiBaseUrl } });
    assert.equal(ok.status, 201, await ok.clone().text());
    id = (await json(ok)).id;
  });

  it('names the HubSpot scope the connection lacks, and refuses mappings it would need, by name', async () => {
    const h = await health();
    assert.equal(h.hubspotScopes.known, true);
    assert.deepEqual(
      h.hubspotScopes.missing.map((m: any) => m.scope),
      ['crm.schemas.contacts.write'],
    );
    const shown = await json(await admin.request('GET', `/api/connections/${id}`));
    assert.deepEqual(shown.status.details.missingScopes, ['crm.schemas.contacts.write']);
    const refused = await admin.request('PUT', `/api/sansan/connections/${id}/settings`, {
      tags: [],
      sync: { enabled: true, mappings: DEFAULT_MAPPINGS },
    });
    assert.equal(refused.status, 400);
    const details = (await json(refused)).error.details as { field: string; message: string }[];
    const reading = details.find((d) => d.field === 'sync.mappings.3.hubspot');
    assert.match(reading?.message ?? '', /sansan_last_name_reading.*crm\.schemas\.contacts\.write/);
  });

  it('syncs the good cards and excludes one with an invalid e-mail, naming why', { timeout: 60_000 }, async () => {
    const user = sansan.info().apiKeys[0]!.userId;
    tags.expo = (await control('POST', '/sandbox/tags', { name: 'Expo 2026', type: 'public', ownerUserId: user })).id;
    tags.gone = (await control('POST', '/sandbox/tags', { name: 'Old campaign', type: 'public', ownerUserId: user })).id;
    // A custom property the admin made in HubSpot, mapped from the card's memo.
    const made = await hs('POST', '/crm/v3/properties/contacts', {
      name: 'sansan_memo',
      label: 'Memo (Sansan)',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const saved = await admin.request('PUT', `/api/sansan/connections/${id}/settings`, {
      tags: [
        { id: tags.expo, name: 'Expo 2026', type: 'public' },
        { id: tags.gone, name: 'Old campaign', type: 'public' },
      ],
      sync: { enabled: true, mappings: [...STANDARD_MAPPINGS, { remote: ['memo'], hubspot: 'sansan_memo' }] },
      pollSeconds: 1,
    });
    assert.equal(saved.status, 200, await saved.clone().text());
    assert.equal((await admin.request('POST', `/api/connections/${id}/enable`)).status, 200);
    cards.a = (
      await control('POST', '/sandbox/cards', { lastName: 'Good', companyName: 'A KK', email: 'good@bad-input.example', memo: 'm1', tags: ['Expo 2026'] })
    ).id;
    cards.b = (await control('POST', '/sandbox/cards', { lastName: 'Broken', companyName: 'B KK', email: 'not-an-email', tags: ['Expo 2026'] })).id;
    cards.c = (
      await control('POST', '/sandbox/cards', { lastName: 'Campaign', companyName: 'C KK', email: 'campaign@bad-input.example', tags: ['Old campaign'] })
    ).id;
    await eventually(
      'both good cards in HubSpot',
      async () => ((await contact('good@bad-input.example')) && (await contact('campaign@bad-input.example')) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    assert.equal((await contact('good@bad-input.example'))?.properties.sansan_memo, 'm1');
    const h = await eventually('the excluded card in health', async () => {
      const x = await health();
      return x.counts.excluded === 1 ? x : undefined;
    });
    assert.equal(h.counts.synced, 2);
    assert.equal(h.excluded[0].remoteId, cards.b);
    assert.match(h.excluded[0].reason, /invalid e-mail "not-an-email"/);
  });

  it('names a selected tag that disappeared from Sansan; its contacts stay', { timeout: 30_000 }, async () => {
    await control('DELETE', `/sandbox/tags/${tags.gone}`);
    const now = await admin.request('POST', `/api/sansan/connections/${id}/sync-now`);
    assert.equal(now.status, 200, await now.clone().text());
    const error = (await health()).errors.find((e: any) => e.tagId === tags.gone);
    assert.match(error?.reason ?? '', /"Old campaign" no longer exists in Sansan/);
    assert.ok(await contact('campaign@bad-input.example'), 'nothing in HubSpot is deleted (D7)');
    // Saving the tags without it closes the error.
    const saved = await admin.request('PUT', `/api/sansan/connections/${id}/settings`, {
      tags: [{ id: tags.expo, name: 'Expo 2026', type: 'public' }],
      sync: { enabled: true, mappings: [...STANDARD_MAPPINGS, { remote: ['memo'], hubspot: 'sansan_memo' }] },
      pollSeconds: 1,
    });
    assert.equal(saved.status, 200);
    assert.equal((await health()).errors.filter((e: any) => e.tagId).length, 0);
  });

  it('a mapping to a property deleted in HubSpot fails the cards it touches, naming it; the rest sync', { timeout: 60_000 }, async () => {
    assert.equal((await hs('DELETE', '/crm/v3/properties/contacts/sansan_memo')).status, 204);
    await control('PATCH', `/sandbox/cards/${cards.a}`, { title: 'CTO', memo: 'm2' });
    await control('POST', '/sandbox/cards', { lastName: 'Plain', companyName: 'D KK', email: 'plain@bad-input.example', title: 'Buyer', tags: ['Expo 2026'] });
    const failing = await eventually('the card failing', async () => {
      const x = await health();
      return x.failing.find((f: any) => f.remoteId === cards.a);
    });
    assert.match(failing.reason, /sansan_memo/);
    assert.equal((await eventually('the other card synced', () => contact('plain@bad-input.example')))?.properties.jobtitle, 'Buyer');
    const before = await contact('good@bad-input.example');
    assert.notEqual(before?.properties.jobtitle, 'CTO', 'the failing card is not half-written');
  });

  it('a Sansan 5xx storm is a run-level error that clears; nothing is lost', { timeout: 90_000 }, async () => {
    const synced = (await health()).counts.synced;
    sansan.setFaults({ serverErrorProbability: 1, serverErrorStatuses: [503] });
    await eventually('the storm in health', async () => ((await health()).errors.some((e: any) => /503/.test(e.reason)) ? true : undefined), {
      timeoutMs: 45_000,
    });
    sansan.setFaults({});
    await eventually('the error cleared', async () => ((await health()).errors.length === 0 ? true : undefined), { timeoutMs: 30_000 });
    assert.equal((await health()).counts.synced, synced);
  });

  it('Sync now answers 409 while a pass of the connection runs elsewhere', async () => {
    const lock = await takePassLock(spokes.runtime.services.database.db, id, 'cards');
    try {
      const busy = await admin.request('POST', `/api/sansan/connections/${id}/sync-now`);
      assert.equal(busy.status, 409);
      assert.match((await json(busy)).error.message, /already running/);
    } finally {
      await lock.release();
    }
    assert.equal((await admin.request('POST', `/api/sansan/connections/${id}/sync-now`)).status, 200);
  });

  it('a key revoked later: re-authorization needed; a new key of the same user, only, resumes from the checkpoint', { timeout: 90_000 }, async () => {
    const info = sansan.info();
    const user = info.apiKeys[0]!;
    const before = await health();
    assert.equal(before.pass.initialDone, true);
    // The user reissues their key in Sansan: the stored one is refused from now on.
    const fresh = (await control('POST', `/sandbox/users/${user.userId}/api-key`)) as { key: string };
    const view = await eventually('needs re-authorization', async () => {
      const v = await json(await admin.request('GET', `/api/connections/${id}`));
      return v.state === 'needs_reauthorization' ? v : undefined;
    });
    assert.match(view.reason, /Sansan refuses the API key/);
    await control('PATCH', `/sandbox/cards/${cards.c}`, { title: 'Changed while refused', tags: ['Expo 2026'] });

    const put = (apiKey: string, as: Pick<AdminHttp, 'request'> = admin) => as.request('PUT', `/api/sansan/connections/${id}/api-key`, { apiKey });
    const anonymous = await fetch(`${spokes.url}/api/sansan/connections/${id}/api-key`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: fresh.key }),
    });
    assert.equal(anonymous.status, 401);
    const member = await memberSession();
    assert.equal((await put(fresh.key, member)).status, 403, 'a member may not replace the key');
    const wrong = await put('w'.repeat(32));
    assert.equal(wrong.status, 400);
    assert.deepEqual(
      (await json(wrong)).error.details.map((d: any) => [d.field, d.message]),
      [['body.apiKey', 'refused by Sansan']],
    );
    const otherUser = await put(info.apiKeys[1]!.key);
    assert.equal(otherUser.status, 400);
    const other = await json(otherUser);
    assert.equal(other.error.details[0].field, 'body.apiKey');
    assert.match(other.error.message, /another Sansan account/);
    assert.equal((await json(await admin.request('GET', `/api/connections/${id}`))).state, 'needs_reauthorization', 'nothing stored');

    const replaced = await put(fresh.key);
    assert.equal(replaced.status, 200, await replaced.clone().text());
    assert.equal((await json(replaced)).connection.state, 'enabled');
    assert.ok(!JSON.stringify(await json(await admin.request('GET', `/api/connections/${id}`))).includes(fresh.key), 'the key is never shown');
    const c = await eventually('the change made while refused in HubSpot', async () => {
      const x = await contact('campaign@bad-input.example');
      return x?.properties.jobtitle === 'Changed while refused' ? x : undefined;
    });
    assert.ok(c);
    const after = await health();
    assert.equal(after.pass.initialDone, true, 'resumed: no initial pass again');
    assert.ok(after.pass.processed >= before.pass.processed, `${after.pass.processed} ≥ ${before.pass.processed}: the checkpoint was kept`);
    assert.ok(after.counts.synced >= before.counts.synced, 'links and index intact');
    assert.equal(after.connection.tags, 1, 'tags intact');
    assert.equal(after.errors.length, 0);
  });

  async function memberSession(): Promise<Pick<AdminHttp, 'request'>> {
    const invite = await json(await admin.request('POST', '/api/users/invites', { email: 'member@bad-input.example', role: 'member' }));
    const res = await fetch(`${spokes.url}/api/invite/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: invite.link.split('#')[1], password: 'member-password-long-enough' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { csrfToken } = await json(res);
    const cookie = res.headers
      .getSetCookie()
      .map((x) => x.split(';')[0]!)
      .join('; ');
    return {
      request: (method, path, body) =>
        fetch(`${spokes.url}${path}`, {
          method,
          headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
    };
  }
});
