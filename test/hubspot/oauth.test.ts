/**
 * Connecting HubSpot over the admin API and the OAuth callback (T1, T2): the
 * happy path and every way it can fail, each leaving nothing half-connected.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';
import type { HubSpotStatus } from '../../src/hubspot/service.ts';
import { routeCount } from '../support/hubspot-connect.ts';
import { sql } from 'drizzle-orm';
import { beginAuthorization } from '../../src/oauth/authorization.ts';
import { hubspotOAuthProvider } from '../../src/hubspot/manifest.ts';

describe('connecting HubSpot by OAuth', () => {
  let sandbox: HubSpotSandbox;
  let spokes: Spokes;
  let admin: AdminHttp;
  let app: { clientId: string; clientSecret: string };
  const portals = () => sandbox.info().portals;

  before(async () => {
    sandbox = await startHubSpotSandbox();
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: sandbox.url } });
    admin = await signInOverHttp(spokes);
    app = sandbox.registerApp({
      name: 'Acme calls',
      redirectUrls: [`${spokes.url}/oauth/hubspot/callback`],
      scopes: [...HUBSPOT.requiredScopes],
      optionalScopes: [...HUBSPOT.optionalScopes],
    });
  });
  after(async () => {
    await spokes?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await admin.request('DELETE', '/api/hubspot/connection');
  });

  const status = async () => (await (await admin.request('GET', '/api/hubspot')).json()) as HubSpotStatus;
  async function authorize(clientSecret = app.clientSecret): Promise<URL> {
    const saved = await admin.request('PUT', '/api/hubspot/app', { clientId: app.clientId, clientSecret });
    assert.equal(saved.status, 200, await saved.clone().text());
    const res = await admin.request('POST', '/api/hubspot/authorize');
    assert.equal(res.status, 200);
    return new URL(((await res.json()) as { authorizeUrl: string }).authorizeUrl);
  }
  /** What HubSpot does when the admin picks an account and clicks "Connect app". */
  function approve(authorizeUrl: URL, portalId = portals()[0]!.portalId): string {
    return sandbox.approveInstall({
      clientId: authorizeUrl.searchParams.get('client_id')!,
      redirectUri: authorizeUrl.searchParams.get('redirect_uri')!,
      scopes: authorizeUrl.searchParams.get('scope')!.split(' '),
      state: authorizeUrl.searchParams.get('state')!,
      portalId,
    }).redirectUrl;
  }

  it('shows the redirect URL and scopes to paste, then connects: authorize URL, callback, Connected', async () => {
    const before = await status();
    assert.equal(before.redirectUrl, `${spokes.url}/oauth/hubspot/callback`);
    assert.deepEqual(before.scopes.required, [...HUBSPOT.requiredScopes]);
    assert.equal(before.connection, null);

    const url = await authorize();
    assert.equal(url.origin, sandbox.url, 'the authorize page of the HubSpot the tokens will belong to');
    assert.equal(url.pathname, '/oauth/authorize');
    assert.equal(url.searchParams.get('redirect_uri'), before.redirectUrl);
    assert.equal(url.searchParams.get('scope'), HUBSPOT.requiredScopes.join(' '));
    assert.ok((url.searchParams.get('state') ?? '').length >= 32);

    const callback = await fetch(approve(url));
    assert.equal(callback.status, 200);
    assert.match(await callback.text(), /Authorization succeeded!/);
    const after = await status();
    assert.equal(after.connection?.status, 'connected');
    assert.equal(after.connection?.kind, 'oauth');
    assert.equal(after.connection?.portalId, portals()[0]!.portalId);
    assert.equal(after.connection?.accountName, portals()[0]!.domain);
    assert.equal(after.app.clientSecretSet, true);
    assert.doesNotMatch(JSON.stringify(after), new RegExp(app.clientSecret), 'the secret never comes back');
  });

  it('refuses a replayed callback (the code and state are single use) and keeps the connection', async () => {
    const back = approve(await authorize());
    assert.equal((await fetch(back)).status, 200);
    const connectedAt = (await status()).connection!.connectedAt;
    const replay = await fetch(back);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /unknown, has expired or was already used/);
    assert.equal((await status()).connection?.connectedAt, connectedAt, 'unchanged');
  });

  it("keeps the state in the OAuth module: only its hash stored, and another flow's state does not complete the install", async () => {
    const state = (await authorize()).searchParams.get('state')!;
    const { database, secretBox } = spokes.runtime.services;
    const pending = await database.query<{ connector: string; state_hash: string }>(
      sql`select connector, state_hash from oauth_authorizations where used_at is null`,
    );
    assert.ok(pending.some((r) => r.connector === 'hubspot'));
    assert.ok(
      pending.every((r) => !r.state_hash.includes(state)),
      'the state itself is not stored',
    );
    // A state begun for another connector's OAuth flow, brought back to HubSpot's callback with a real code.
    const other = await beginAuthorization(
      { db: database.db, secretBox },
      { connector: 'demo', provider: hubspotOAuthProvider(sandbox.url), client: { ...app, redirectUri: `${spokes.url}/oauth/hubspot/callback` } },
    );
    const res = await fetch(approve(new URL(other.authorizeUrl)));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /unknown, has expired or was already used/);
    assert.equal((await status()).connection, null);
  });

  it('answers a malformed or forged callback with a 400 page and stores nothing', async () => {
    await authorize();
    for (const query of ['', '?code=abc', '?state=xyz', `?code=abc&state=${'x'.repeat(40)}`, `?code=${'a'.repeat(5000)}&state=s`]) {
      const res = await fetch(`${spokes.url}/oauth/hubspot/callback${query}`);
      assert.equal(res.status, 400, query);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.doesNotMatch(await res.text(), /Authorization succeeded/);
    }
    assert.equal((await status()).connection, null);
  });

  it('explains a denied authorization', async () => {
    await authorize();
    const res = await fetch(`${spokes.url}/oauth/hubspot/callback?error=access_denied&error_description=${encodeURIComponent('The user denied access')}`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /HubSpot did not authorize Spokes: The user denied access/);
    assert.equal((await status()).connection, null);
  });

  it('says the Client Secret is wrong when HubSpot refuses it, and stores no connection', async () => {
    const res = await fetch(approve(await authorize('a-wrong-secret-value')));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /the Client Secret is wrong/);
    assert.equal((await status()).connection, null);
  });

  it('refuses a developer test account with a clear message and leaves no install behind', async () => {
    const test = portals().find((p) => p.type === 'DEVELOPER_TEST')!;
    const res = await fetch(approve(await authorize(), test.portalId));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /developer or test account\. Connect Spokes to a standard HubSpot account/);
    assert.equal((await status()).connection, null);
    assert.ok(routeCount(sandbox, '/oauth/v1/refresh-tokens', 204) >= 1, 'the refresh token HubSpot issued was revoked');
  });

  it('validates the app credentials, naming the field', async () => {
    const missing = await admin.request('PUT', '/api/hubspot/app', { clientId: app.clientId });
    assert.equal(missing.status, 400);
    assert.deepEqual(
      ((await missing.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field),
      ['body.clientSecret'],
    );
    const typo = await admin.request('PUT', '/api/hubspot/app', { clientId: 'not-a-uuid', clientSecret: 'x' });
    assert.equal(typo.status, 400);
    const body = (await typo.json()) as { error: { message: string; details: { field: string }[] } };
    assert.match(body.error.message, /Client ID is a UUID/);
    assert.deepEqual(
      body.error.details.map((d) => d.field),
      ['body.clientId'],
    );
  });

  it('needs a signed-in admin and a CSRF token', async () => {
    assert.equal((await fetch(`${spokes.url}/api/hubspot`)).status, 401);
    const noCsrf = await fetch(`${spokes.url}/api/hubspot/authorize`, { method: 'POST', headers: { cookie: admin.cookie } });
    assert.equal(noCsrf.status, 403);
  });

  it('connects with a private-app token instead, and refuses a wrong one', async () => {
    const bad = await admin.request('POST', '/api/hubspot/private-app-token', { accessToken: 'hello' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /starts with "pat-"/);
    const revoked = await admin.request('POST', '/api/hubspot/private-app-token', { accessToken: 'pat-na1-00000000-0000-0000-0000-000000000000' });
    assert.equal(revoked.status, 400);
    assert.match(((await revoked.json()) as { error: { message: string } }).error.message, /HubSpot refused this access token/);
    assert.equal((await status()).connection, null);

    const ok = await admin.request('POST', '/api/hubspot/private-app-token', { accessToken: portals()[1]!.privateAppToken });
    assert.equal(ok.status, 200, await ok.clone().text());
    const s = (await ok.json()) as HubSpotStatus;
    assert.equal(s.connection?.kind, 'private_app');
    assert.equal(s.connection?.portalId, portals()[1]!.portalId);
  });
});
