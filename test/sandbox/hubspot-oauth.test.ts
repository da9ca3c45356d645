import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, installApp, pageText, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

const REDIRECT = 'http://localhost:4321/oauth/callback';
const SCOPES = ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write'];

describe('HubSpot sandbox OAuth', () => {
  let env: ContractSandbox;
  let base: string;
  let app: { clientId: string; clientSecret: string; appId: number };
  before(async () => {
    env = await startContractSandbox();
    base = env.sandbox.url;
    app = env.sandbox.registerApp({ name: 'Spokes test', redirectUrls: [REDIRECT], scopes: SCOPES });
  });
  after(() => env.stop());

  const authorizeQuery = (overrides: Record<string, string> = {}) =>
    new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: SCOPES.join(' '), state: 'xyz', ...overrides }).toString();
  const form = (overrides: Record<string, string>) => ({
    client_id: app.clientId,
    redirect_uri: REDIRECT,
    scope: SCOPES.join(' '),
    state: 'xyz',
    ...overrides,
  });
  const exchange = (fields: Record<string, string>) => call(base, 'POST', '/oauth/v1/token', { form: fields });
  const codeFor = (portalId = env.sandbox.info().portals[0].portalId) =>
    env.sandbox.approveInstall({ clientId: app.clientId, redirectUri: REDIRECT, scopes: SCOPES, portalId }).code;

  it('shows an account chooser with the standard accounts, the developer test account and the app developer account', async () => {
    const page = await call(base, 'GET', `/oauth/authorize?${authorizeQuery()}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Choose an account/);
    assert.match(page.text, /Spokes test/);
    const types = [...page.text.matchAll(/data-account-type="([A-Z_]+)"/g)].map((m) => m[1]);
    assert.deepEqual(types, ['STANDARD', 'STANDARD', 'DEVELOPER_TEST', 'APP_DEVELOPER']);
    assert.match(page.text, /Signed in as/);
  });

  it('goes chooser → consent → redirect with code and state, and the code buys working tokens', async () => {
    const portalId = env.sandbox.info().portals[0].portalId;
    const consent = await call(base, 'POST', '/oauth/authorize/account', { form: { ...form({}), portal_id: String(portalId) } });
    assert.equal(consent.status, 200);
    assert.match(consent.text, /Connect app/);
    assert.match(consent.text, /crm\.objects\.contacts\.write/);
    const approved = await call(base, 'POST', '/oauth/authorize/decision', { form: { ...form({}), portal_id: String(portalId), decision: 'approve' } });
    assert.equal(approved.status, 302);
    const location = new URL(approved.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code')!;
    const token = await exchange({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: REDIRECT, code });
    assert.equal(token.status, 200);
    assert.equal(token.body.token_type, 'bearer');
    assert.equal(token.body.expires_in, 1800);
    assert.equal(token.body.hub_id, portalId);
    assert.deepEqual(token.body.scopes, SCOPES);
    assert.match(token.body.refresh_token, /^na1-/);
    const contacts = await call(base, 'GET', '/crm/v3/objects/contacts', { token: token.body.access_token });
    assert.equal(contacts.status, 200);
  });

  it('redirects a cancelled install with error=access_denied', async () => {
    const portalId = env.sandbox.info().portals[0].portalId;
    const denied = await call(base, 'POST', '/oauth/authorize/decision', { form: { ...form({}), portal_id: String(portalId), decision: 'deny' } });
    assert.equal(denied.status, 302);
    const location = new URL(denied.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.ok(location.searchParams.get('error_description'));
    assert.equal(location.searchParams.get('state'), 'xyz');
    assert.equal(location.searchParams.get('code'), null);
  });

  it('refuses the app developer account like HubSpot does', async () => {
    const devPortal = env.sandbox.info().developerAccount.portalId;
    const page = await call(base, 'POST', '/oauth/authorize/account', { form: { ...form({}), portal_id: String(devPortal) } });
    assert.equal(page.status, 400);
    assert.match(pageText(page.text), /Couldn't complete the connection/);
    assert.match(pageText(page.text), /Apps can't be installed in app developer accounts/);
  });

  it('installs into the developer test account, which account-info reports as DEVELOPER_TEST', async () => {
    const testPortal = env.sandbox.info().portals.find((p) => p.type === 'DEVELOPER_TEST')!;
    const code = codeFor(testPortal.portalId);
    const token = await exchange({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: REDIRECT, code });
    assert.equal(token.body.hub_id, testPortal.portalId);
    const details = await call(base, 'GET', '/account-info/v3/details', { token: token.body.access_token });
    assert.equal(details.body.accountType, 'DEVELOPER_TEST');
  });

  it('shows HubSpot error pages for a bad client id, redirect URL and scopes', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ client_id: '00000000-0000-0000-0000-000000000000' }, /invalid app client_id/],
      [{ redirect_uri: 'http://localhost:9999/elsewhere' }, /doesn't match the app's registered redirect URL/],
      [{ scope: 'oauth crm.objects.contacts.read' }, /provided scopes are insufficient/],
      [{ scope: `${SCOPES.join(' ')} crm.objects.deals.read` }, /mismatch between the scopes/],
      [{ scope: `${SCOPES.join(' ')} contacts.everything` }, /invalid scope name/],
    ];
    const portalId = env.sandbox.info().portals[0].portalId;
    for (const [overrides, message] of cases) {
      const page = await call(base, 'GET', `/oauth/${portalId}/authorize?${authorizeQuery(overrides)}`);
      assert.equal(page.status, 400, JSON.stringify(overrides));
      assert.match(pageText(page.text), message);
    }
  });

  it('answers the documented 400 bodies for bad token requests', async () => {
    const good = { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: REDIRECT };
    const wrongSecret = await exchange({ ...good, client_secret: 'nope', code: codeFor() });
    assert.equal(wrongSecret.status, 400);
    assert.equal(wrongSecret.body.status, 'BAD_CLIENT_SECRET');
    assert.ok(wrongSecret.body.correlationId);

    const unknown = await exchange({ ...good, code: 'not-a-code' });
    assert.deepEqual([unknown.status, unknown.body.status, unknown.body.message], [400, 'BAD_AUTH_CODE', 'missing or unknown auth code']);

    const code = codeFor();
    assert.equal((await exchange({ ...good, code })).status, 200);
    const reused = await exchange({ ...good, code });
    assert.deepEqual([reused.status, reused.body.status], [400, 'BAD_AUTH_CODE']);

    const mismatch = await exchange({ ...good, redirect_uri: 'http://localhost:4321/other', code: codeFor() });
    assert.deepEqual([mismatch.status, mismatch.body.status], [400, 'BAD_REDIRECT_URI']);

    const stale = codeFor();
    env.sandbox.advanceClock(11 * 60_000);
    const expired = await exchange({ ...good, code: stale });
    assert.deepEqual([expired.status, expired.body.status], [400, 'EXPIRED_AUTH_CODE']);

    const badRefresh = await exchange({
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: 'na1-0000-0000',
    });
    assert.deepEqual([badRefresh.status, badRefresh.body.status, badRefresh.body.error], [400, 'BAD_REFRESH_TOKEN', 'invalid_grant']);
  });

  it('refreshes with the same refresh token and stops after the refresh token is deleted', async () => {
    const first = await exchange({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: REDIRECT,
      code: codeFor(),
    });
    const refreshed = await call(base, 'POST', '/oauth/v3/token', {
      form: { grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: first.body.refresh_token },
    });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.refresh_token, first.body.refresh_token);
    assert.notEqual(refreshed.body.access_token, first.body.access_token);
    const info = await call(base, 'GET', `/oauth/v1/refresh-tokens/${first.body.refresh_token}`);
    assert.equal(info.body.client_id, app.clientId);
    assert.equal(info.body.user, 'admin@spokes-sandbox.test');
    assert.equal((await call(base, 'DELETE', `/oauth/v1/refresh-tokens/${first.body.refresh_token}`)).status, 204);
    const again = await exchange({
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: first.body.refresh_token,
    });
    assert.equal(again.body.status, 'BAD_REFRESH_TOKEN');
    // Deleting a refresh token leaves access tokens already issued working (§1.3).
    assert.equal((await call(base, 'GET', '/crm/v3/objects/contacts', { token: refreshed.body.access_token })).status, 200);
  });

  it('describes an access token', async () => {
    const token = await exchange({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: REDIRECT,
      code: codeFor(),
    });
    const info = await call(base, 'GET', `/oauth/v1/access-tokens/${token.body.access_token}`);
    assert.equal(info.status, 200);
    assert.equal(info.body.app_id, app.appId);
    assert.equal(info.body.hub_id, env.sandbox.info().portals[0].portalId);
    assert.equal(info.body.user, 'admin@spokes-sandbox.test');
    assert.ok(info.body.expires_in > 1700 && info.body.expires_in <= 1800);
    assert.deepEqual(info.body.scopes, SCOPES);
  });

  it('rejects expired, garbage and under-scoped tokens with HubSpot bodies; private-app tokens never expire', async () => {
    const installed = await installApp(env.sandbox, { scopes: ['oauth', 'crm.objects.contacts.read'] });
    const forbidden = await call(base, 'GET', '/crm/v3/objects/companies', { token: installed.accessToken });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.category, 'MISSING_SCOPES');
    assert.deepEqual(forbidden.body.errors[0].context.requiredGranularScopes, ['crm.objects.companies.read']);

    const garbage = await call(base, 'GET', '/crm/v3/objects/contacts', { token: 'garbage' });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.body.category, 'INVALID_AUTHENTICATION');
    assert.equal(garbage.headers.get('x-hubspot-auth-failure'), '401 Unauthorized');
    assert.equal((await call(base, 'GET', '/crm/v3/objects/contacts')).body.category, 'INVALID_AUTHENTICATION');

    env.sandbox.advanceClock((1800 + 5 * 60) * 1000);
    const expired = await call(base, 'GET', '/crm/v3/objects/contacts', { token: installed.accessToken });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.category, 'EXPIRED_AUTHENTICATION');
    assert.equal(expired.body.message, 'The OAuth token used to make this call expired 5 minute(s) ago.');

    env.sandbox.advanceClock(10 * 24 * 3600 * 1000);
    const pat = env.sandbox.info().portals[0].privateAppToken;
    assert.equal((await call(base, 'GET', '/crm/v3/objects/contacts', { token: pat })).status, 200);
  });

  it('lets /login switch the signed-in user, and the chooser follows', async () => {
    const portalId = env.sandbox.info().portals[1].portalId;
    const seeded = env.sandbox.seed({ portalId, contacts: 1, companies: 0, owners: 1, seed: 3 });
    const userId = seeded.owners[0].userId;
    const login = await call(base, 'POST', '/login', { form: { userId: String(userId), returnTo: '/oauth/authorize' } });
    assert.equal(login.status, 302);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = await call(base, 'GET', `/oauth/authorize?${authorizeQuery()}`, { headers: { cookie } });
    assert.match(page.text, new RegExp(seeded.owners[0].email.replace('.', '\\.')));
    const portals = [...page.text.matchAll(/data-portal-id="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(portals, [portalId, env.sandbox.info().developerAccount.portalId]);
  });
});
