/**
 * A data directory made before HubSpot's install moved onto src/oauth (main
 * up to migration 0014): HubSpot connected by OAuth, its tokens sealed in
 * `hubspot_connection`, an authorization pending in `hubspot_authorizations`.
 * After the migration, the new code finds the connection still connected,
 * with its tokens: its expired access token is refreshed by src/oauth with
 * the stored refresh token, and the new one is stored sealed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, wrapPglite, type Database } from '../../src/db/open.ts';
import { applyMigrations, migrationsFolder } from '../../src/db/migrate.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';
import { createLogger } from '../../src/logger.ts';
import { HubSpotService } from '../../src/hubspot/service.ts';
import { createRateBudget, type RateBudget } from '../../src/hubspot/rate-budget.ts';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { engines, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { routeCount } from '../support/hubspot-connect.ts';

const PUBLIC_URL = 'http://127.0.0.1:9';
const REDIRECT = `${PUBLIC_URL}${HUBSPOT.callbackPath}`;

/** The migrations folder as main had it: everything before this change. */
function foldersBeforeTheMove(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spokes-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith('hubspot_oauth_module'));
  assert.ok(at > 0, 'the migration is in the journal');
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

for (const engine of engines) {
  describe(`HubSpot connection made before the OAuth module, upgraded on ${engine}`, () => {
    let t: TestDatabase;
    let database: Database;
    let sandbox: HubSpotSandbox;
    let budget: RateBudget;
    const oldFolder = foldersBeforeTheMove();
    const box = createSecretBox(randomBytes(32));

    before(async () => {
      [t, sandbox] = await Promise.all([createTestDatabase(engine), startHubSpotSandbox()]);
      // PGlite in memory: a data directory would start from the template, with every migration applied.
      database = engine === 'pglite' ? wrapPglite(await PGlite.create()) : await openDatabase(t);
      budget = await createRateBudget({ limits: { tenSecondly: { oauth: 100, private_app: 100 }, searchPerSecond: 5 } });
    });
    after(async () => {
      await budget?.close();
      await database?.close();
      await t?.drop();
      await sandbox?.close();
      rmSync(oldFolder, { recursive: true, force: true });
    });

    it('keeps the connection and its tokens, and refreshes them through src/oauth', async () => {
      const migrate = engine === 'pglite' ? migratePglite : migratePg;
      await migrate(database.db as never, { migrationsFolder: oldFolder });

      // What main stored after an install: real tokens from the emulator, sealed as main sealed them.
      const app = sandbox.registerApp({ name: 'Spokes upgraded', redirectUrls: [REDIRECT], scopes: [...HUBSPOT.requiredScopes] });
      const portal = sandbox.info().portals.find((p) => p.type === 'STANDARD')!;
      const { code } = sandbox.approveInstall({
        clientId: app.clientId,
        redirectUri: REDIRECT,
        scopes: [...HUBSPOT.requiredScopes],
        state: 's',
        portalId: portal.portalId,
      });
      const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret };
      const exchanged = await fetch(`${sandbox.url}/oauth/v1/token`, { method: 'POST', body: new URLSearchParams(form) });
      assert.equal(exchanged.status, 200);
      const old = (await exchanged.json()) as { access_token: string; refresh_token: string };
      await database.query(
        sql`insert into hubspot_app (id, client_id, client_secret_sealed) values ('default', ${app.clientId}, ${box.encrypt(app.clientSecret, 'hubspot:client_secret')})`,
      );
      await database.query(sql`
        insert into hubspot_connection (id, kind, status, base_url, portal_id, account_name, hub_domain, connected_by, scopes,
          access_token_sealed, refresh_token_sealed, access_expires_at, connected_at)
        values ('default', 'oauth', 'connected', ${sandbox.url}, ${portal.portalId}, ${portal.domain}, ${portal.domain}, 'admin@example.com',
          ${JSON.stringify(HUBSPOT.requiredScopes)}::jsonb, ${box.encrypt(old.access_token, 'hubspot:access_token')},
          ${box.encrypt(old.refresh_token, 'hubspot:refresh_token')}, now() - interval '1 minute', '2026-01-02T03:04:05Z')`);
      await database.query(sql`insert into hubspot_authorizations (state_hash, expires_at) values ('pending', now() + interval '5 minutes')`);

      await applyMigrations(database);

      const hubspot = new HubSpotService({
        database,
        secretBox: box,
        log: createLogger({ level: 'silent' }),
        budget,
        baseUrl: sandbox.url,
        publicUrl: PUBLIC_URL,
        sandbox: false,
      });
      const status = await hubspot.status();
      assert.equal(status.connection?.status, 'connected');
      assert.equal(status.connection?.kind, 'oauth');
      assert.equal(status.connection?.portalId, portal.portalId);
      assert.equal(status.connection?.connectedAt, '2026-01-02T03:04:05.000Z');
      assert.equal(status.app.clientId, app.clientId);

      // The stored access token has expired: the first call refreshes it with the stored refresh token.
      const refreshesBefore = routeCount(sandbox, '/oauth/v1/token', 200);
      const owners = await hubspot.api.call('list owners', (c) => c.crm.owners.ownersApi.getPage());
      assert.ok(Array.isArray(owners.results));
      assert.equal(routeCount(sandbox, '/oauth/v1/token', 200) - refreshesBefore, 1, 'one refresh, and it was accepted');
      const stored = (await hubspot.store.connection())!;
      assert.notEqual(stored.accessToken, old.access_token, 'the refreshed access token is stored');
      assert.equal(stored.refreshToken, old.refresh_token, 'HubSpot kept the refresh token, so does Spokes');
      assert.ok(stored.accessExpiresAt!.getTime() > Date.now() + 20 * 60_000);
      const [row] = (await database.query(sql`select access_token_sealed from hubspot_connection`)) as { access_token_sealed: string }[];
      assert.doesNotMatch(row!.access_token_sealed, new RegExp(stored.accessToken), 'sealed at rest');

      // The pending state of the old table is gone with it; new ones are src/oauth's.
      assert.deepEqual(await database.query(sql`select to_regclass('hubspot_authorizations') as t`), [{ t: null }]);
      await hubspot.saveApp({ clientId: app.clientId, clientSecret: app.clientSecret });
      await hubspot.beginAuthorization();
      const pending = (await database.query(sql`select connector from oauth_authorizations`)) as { connector: string }[];
      assert.deepEqual(pending, [{ connector: 'hubspot' }]);
    });
  });
}
