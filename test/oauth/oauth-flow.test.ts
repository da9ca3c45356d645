/**
 * src/oauth on both engines, against a strict standards-following OAuth
 * server (test/support/oauth-server.ts) and against the HubSpot emulator's
 * OAuth endpoints: authorization code with PKCE S256, `state` single use,
 * expiring and hashed at rest, refresh single-flight within and across
 * processes, rotated refresh tokens persisted before use, a refused refresh
 * turning the connection to `needs_reauthorization`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createSecretBox, type SecretBox } from '../../src/secrets/secret-box.ts';
import { createLogger } from '../../src/logger.ts';
import { Connections } from '../../src/connections/store.ts';
import { beginAuthorization, completeAuthorization } from '../../src/oauth/authorization.ts';
import { OAuthTokens, oauthCredentials } from '../../src/oauth/tokens.ts';
import { requestToken, OAuthRefusedError } from '../../src/oauth/token-client.ts';
import type { OAuthProvider } from '../../src/oauth/provider.ts';
import { startOAuthServer, type OAuthServer } from '../support/oauth-server.ts';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';
import { engines, createTestDatabase, type TestDatabase } from '../support/databases.ts';

const REDIRECT = 'http://127.0.0.1:9/oauth/demo/callback';
const log = createLogger({ level: 'silent' });

for (const engine of engines) {
  describe(`OAuth 2.0 module on ${engine}`, () => {
    let t: TestDatabase;
    let database: Database;
    let box: SecretBox;
    let server: OAuthServer;
    let hubspot: HubSpotSandbox;
    let provider: OAuthProvider;
    const key = randomBytes(32);
    const deps = () => ({ db: database.db, secretBox: box });
    const client = () => ({ clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: REDIRECT });
    const storeOn = (db: Database) =>
      new Connections(db.db, box, (slug) => (slug === 'demo' ? { slug, single: false, settings: z.object({}), credentials: oauthCredentials } : undefined));
    const tokensOn = (db: Database, onRefused?: () => Promise<void>) =>
      new OAuthTokens({
        database: db,
        connections: storeOn(db),
        log,
        onRefused,
        providerOf: (slug) => (slug === 'demo' ? { provider, client: async () => client() } : undefined),
      });

    before(async () => {
      [t, server, hubspot] = await Promise.all([createTestDatabase(engine), startOAuthServer({ redirectUris: [REDIRECT] }), startHubSpotSandbox()]);
      database = await openDatabase(t);
      await applyMigrations(database);
      box = createSecretBox(key);
      provider = {
        authorizeUrl: `${server.url}/authorize`,
        tokenUrl: `${server.url}/token`,
        scopes: ['api', 'refresh_token'],
        pkce: true,
        clientAuth: 'basic',
      };
    });
    after(async () => {
      await database?.close();
      await Promise.all([t?.drop(), server?.close(), hubspot?.close()]);
    });

    /** What a browser does: open the authorize URL, follow the redirect back (not followed: it is Spokes). */
    async function authorize(url: string): Promise<URL> {
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 302, await res.text());
      return new URL(res.headers.get('location')!);
    }

    async function connect(): Promise<string> {
      const { authorizeUrl } = await beginAuthorization(deps(), { connector: 'demo', provider, client: client() });
      const back = await authorize(authorizeUrl);
      const done = await completeAuthorization(
        deps(),
        { connector: 'demo', provider, client: async () => client() },
        { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! },
      );
      return (await storeOn(database).insert({ connector: 'demo', label: 'Acme', settings: {}, credentials: { oauth: done.tokens } })).id;
    }

    it('authorizes with PKCE S256; the state is single use, expiring, and stored only as a hash', async () => {
      const { authorizeUrl, state } = await beginAuthorization(deps(), { connector: 'demo', provider, client: client() });
      const url = new URL(authorizeUrl);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.match(url.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(url.searchParams.get('scope'), 'api refresh_token');
      const rows = await database.query<{ state_hash: string; code_verifier_sealed: string }>(
        sql`select state_hash, code_verifier_sealed from oauth_authorizations`,
      );
      assert.ok(
        rows.every((r) => r.state_hash !== state && !r.state_hash.includes(state)),
        'the state is not stored',
      );
      assert.ok(
        rows.every((r) => r.code_verifier_sealed.startsWith('v1.')),
        'the verifier is sealed',
      );

      const back = await authorize(authorizeUrl);
      const query = { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
      const done = await completeAuthorization(deps(), { connector: 'demo', provider, client: async () => client() }, query);
      assert.ok(done.tokens.accessToken && done.tokens.refreshToken && done.tokens.expiresAt);
      assert.equal(server.counts.authorization_code, 1);
      // The same callback again (a reload, a replay): refused, and the provider is not asked.
      await assert.rejects(
        completeAuthorization(deps(), { connector: 'demo', provider, client: async () => client() }, query),
        /unknown, has expired or was already used/,
      );
      // A state of another connector, or made up: refused.
      await assert.rejects(
        completeAuthorization(deps(), { connector: 'demo', provider, client: async () => client() }, { code: 'x', state: 'made-up' }),
        /unknown/,
      );
      // An expired state: 10 minutes.
      const late = await beginAuthorization(deps(), { connector: 'demo', provider, client: client() });
      await assert.rejects(
        completeAuthorization(
          { ...deps(), now: () => Date.now() + 11 * 60_000 },
          { connector: 'demo', provider, client: async () => client() },
          { code: 'x', state: late.state },
        ),
        /expired/,
      );
      await assert.rejects(
        completeAuthorization(
          deps(),
          { connector: 'demo', provider, client: async () => client() },
          { error: 'access_denied', error_description: 'The user denied access' },
        ),
        /denied access/,
      );
      assert.equal(server.counts.authorization_code, 1);
    });

    it('refreshes once for many callers, persists the rotated refresh token, and the old one is refused afterwards', async () => {
      const id = await connect();
      const tokens = tokensOn(database);
      const before = (await storeOn(database).open(id)).credentials as z.infer<typeof oauthCredentials>;
      // The token is about to expire (inside the 5-minute refresh margin).
      await storeOn(database).updateCredentials(id, { oauth: { ...before.oauth, expiresAt: new Date(Date.now() + 60_000).toISOString() } });
      server.setTokenDelay(200);
      const refreshesBefore = server.counts.refresh_token;
      const got = await Promise.all(Array.from({ length: 8 }, () => tokens.accessToken(id)));
      server.setTokenDelay(0);
      assert.equal(server.counts.refresh_token - refreshesBefore, 1, 'one refresh for eight callers');
      assert.equal(new Set(got).size, 1);
      assert.notEqual(got[0], before.oauth.accessToken);
      const after = (await storeOn(database).open(id)).credentials as z.infer<typeof oauthCredentials>;
      assert.notEqual(after.oauth.refreshToken, before.oauth.refreshToken, 'rotated');
      assert.ok(server.liveRefreshTokens().includes(after.oauth.refreshToken!), 'the stored refresh token is the live one');
      // The old refresh token is spent: using it again is refused (and, by reuse detection, revokes the grant).
      await assert.rejects(requestToken(provider, client(), { grant_type: 'refresh_token', refresh_token: before.oauth.refreshToken! }), OAuthRefusedError);
    });

    if (engine === 'postgres') {
      it('refreshes once across processes: the second finds the fresh token after the lock', async () => {
        const id = await connect();
        const other = await openDatabase(t);
        try {
          const creds = (await storeOn(database).open(id)).credentials as z.infer<typeof oauthCredentials>;
          await storeOn(database).updateCredentials(id, { oauth: { ...creds.oauth, expiresAt: new Date(Date.now() + 10_000).toISOString() } });
          server.setTokenDelay(300);
          const refreshesBefore = server.counts.refresh_token;
          const [a, b] = [tokensOn(database), tokensOn(other)];
          const got = await Promise.all([a.accessToken(id), b.accessToken(id), a.accessToken(id), b.accessToken(id)]);
          server.setTokenDelay(0);
          assert.equal(server.counts.refresh_token - refreshesBefore, 1);
          assert.equal(new Set(got).size, 1);
          assert.equal(a.refreshCount + b.refreshCount, 1);
        } finally {
          await other.close();
        }
      });
    }

    it('marks the connection needs_reauthorization when the provider refuses the refresh, and says so to the caller', async () => {
      const id = await connect();
      let refused = 0;
      const tokens = tokensOn(database, async () => {
        refused++;
      });
      const creds = (await storeOn(database).open(id)).credentials as z.infer<typeof oauthCredentials>;
      await storeOn(database).updateCredentials(id, { oauth: { ...creds.oauth, expiresAt: new Date(Date.now() - 1_000).toISOString() } });
      server.revokeAll();
      await assert.rejects(
        tokens.accessToken(id),
        (err: Error & { code?: string; retryable?: boolean }) => err.code === 'auth_expired' && err.retryable === true && /Reconnect/.test(err.message),
      );
      const view = (await storeOn(database).get(id))!;
      assert.equal(view.state, 'needs_reauthorization');
      assert.match(view.reason!, /invalid_grant/);
      assert.equal(refused, 1, 'the job gate was told at once');
      // Later callers are refused without asking the provider again.
      const refreshes = server.counts.refresh_token;
      await assert.rejects(tokens.accessToken(id), /needs_reauthorization|refused|Reconnect/);
      assert.equal(server.counts.refresh_token, refreshes);
    });

    it("works with the HubSpot emulator's OAuth endpoints: code exchange, refresh, and a revoked refresh token refused", async () => {
      const redirectUri = 'http://127.0.0.1:9/oauth/hubspot-demo/callback';
      const app = hubspot.registerApp({ name: 'OAuth module test', redirectUrls: [redirectUri], scopes: [...HUBSPOT.requiredScopes] });
      // Provider facts of HubSpot (reference §1): no PKCE, client credentials as form fields.
      const hs: OAuthProvider = {
        authorizeUrl: `${hubspot.url}/oauth/authorize`,
        tokenUrl: `${hubspot.url}/oauth/v1/token`,
        scopes: [...HUBSPOT.requiredScopes],
        pkce: false,
        clientAuth: 'body',
      };
      const hsClient = { clientId: app.clientId, clientSecret: app.clientSecret, redirectUri };
      const { authorizeUrl, state } = await beginAuthorization(deps(), { connector: 'hubspot-demo', provider: hs, client: hsClient });
      assert.equal(new URL(authorizeUrl).searchParams.get('code_challenge'), null);
      const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
      const { redirectUrl } = hubspot.approveInstall({
        clientId: app.clientId,
        redirectUri,
        scopes: [...HUBSPOT.requiredScopes],
        state,
        portalId: portal.portalId,
      });
      const back = new URL(redirectUrl);
      const done = await completeAuthorization(
        deps(),
        { connector: 'hubspot-demo', provider: hs, client: async () => hsClient },
        { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! },
      );
      assert.match(done.tokens.accessToken, /\S/);
      const account = await fetch(`${hubspot.url}/account-info/v3/details`, { headers: { authorization: `Bearer ${done.tokens.accessToken}` } });
      assert.equal(((await account.json()) as { portalId: number }).portalId, portal.portalId);

      const refreshed = await requestToken(hs, hsClient, { grant_type: 'refresh_token', refresh_token: done.tokens.refreshToken! });
      assert.notEqual(refreshed.accessToken, done.tokens.accessToken);
      // HubSpot keeps the refresh token across refreshes (docs/sandbox/hubspot.md): the old one stays the one.
      assert.equal(refreshed.refreshToken ?? done.tokens.refreshToken, done.tokens.refreshToken);
      const revoked = await fetch(`${hubspot.url}/oauth/v1/refresh-tokens/${done.tokens.refreshToken}`, { method: 'DELETE' });
      assert.equal(revoked.status, 204);
      await assert.rejects(
        requestToken(hs, hsClient, { grant_type: 'refresh_token', refresh_token: done.tokens.refreshToken! }),
        (err: Error) => err instanceof OAuthRefusedError && err.oauthError === 'invalid_grant',
      );
      // A wrong client secret is refused too (invalid_client: only a person can fix it).
      await assert.rejects(requestToken(hs, { ...hsClient, clientSecret: 'wrong' }, { grant_type: 'refresh_token', refresh_token: 'x' }), OAuthRefusedError);
    });
  });
}
