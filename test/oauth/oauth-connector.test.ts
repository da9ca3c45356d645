/**
 * An OAuth connector on a running Spokes: "Connect" opens the provider's
 * authorize URL, the provider redirects to `/oauth/<slug>/callback`, which
 * creates the connection (a replayed callback is refused). When the provider
 * later refuses the refresh, the connection shows `needs_reauthorization` and
 * its jobs wait in the queue — paused, not dropped — until the admin
 * reconnects; then they run.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { eventually, startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { startOAuthServer, type OAuthServer } from '../support/oauth-server.ts';
import { defineConnector, defineConnectorJob, type ConnectorJobContext } from '../../src/platform/connector.ts';
import { oauthCredentials } from '../../src/oauth/tokens.ts';
import { RemoteRejectedError } from '../../src/errors.ts';
import type { ApiConnection } from '../../src/platform/wire.ts';

function oauthDemo(server: OAuthServer) {
  type Credentials = z.infer<typeof oauthCredentials>;
  const userinfo = async (token: string) => {
    const res = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new RemoteRejectedError(`userinfo answered ${res.status}`, res.status);
    return (await res.json()) as { account: string };
  };
  const readAccount = defineConnectorJob({
    name: 'oauthdemo.read-account',
    schema: z.object({ connectionId: z.string(), n: z.number().int() }),
    idempotencyKey: (p) => `${p.connectionId}:${p.n}`,
    retry: { limit: 20, delaySeconds: 1, maxDelaySeconds: 2 },
    async run(p, ctx: ConnectorJobContext<Record<string, never>, Credentials>) {
      const me = await userinfo(await ctx.oauth.accessToken(p.connectionId));
      await ctx.connections.updateInfo(p.connectionId, { account: me.account, read: p.n });
    },
  });
  const connector = defineConnector({
    manifest: {
      slug: 'oauthdemo',
      name: 'OAuth demo',
      features: [],
      hubspotScopes: [],
      connections: 'one',
      oauth: { authorizeUrl: `${server.url}/authorize`, tokenUrl: `${server.url}/token`, scopes: ['api'], pkce: true, clientAuth: 'basic' },
    },
    settings: z.object({}),
    credentials: oauthCredentials,
    connectInput: oauthCredentials,
    oauthApp: async () => ({ clientId: server.clientId, clientSecret: server.clientSecret }),
    lifecycle: {
      async connect(_ctx, input) {
        const me = await userinfo(input.oauth.accessToken);
        return { label: me.account, credentials: input };
      },
      async disconnect() {},
      async status() {
        return { health: 'ok', summary: 'fine' };
      },
    },
    jobs: [readAccount],
  });
  return { connector, readAccount };
}

describe('an OAuth connector on a running Spokes', () => {
  const redirectUris: string[] = [];
  let server: OAuthServer;
  let spokes: Spokes;
  let admin: AdminHttp;
  let demo: ReturnType<typeof oauthDemo>;
  let connectionId: string;

  before(async () => {
    server = await startOAuthServer({ redirectUris });
    demo = oauthDemo(server);
    spokes = await startSpokes({ connectors: [demo.connector] });
    redirectUris.push(`${spokes.url}/oauth/oauthdemo/callback`);
    admin = await signInOverHttp(spokes);
  });
  after(async () => {
    await spokes?.close();
    await server?.close();
  });

  /** "Connect" (or "Reconnect"): the authorize URL opened, the provider's redirect followed to Spokes. */
  async function clickConnect(connectionId?: string): Promise<{ callback: URL; page: Response }> {
    const start = await admin.request('POST', '/api/connections/authorize', { connector: 'oauthdemo', ...(connectionId ? { connectionId } : {}) });
    assert.equal(start.status, 200, await start.clone().text());
    const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
    const atProvider = await fetch(authorizeUrl, { redirect: 'manual' });
    const callback = new URL(atProvider.headers.get('location')!);
    assert.equal(`${callback.origin}${callback.pathname}`, `${spokes.url}/oauth/oauthdemo/callback`);
    return { callback, page: await fetch(callback) };
  }

  const connection = async () =>
    ((await (await admin.request('GET', '/api/connections')).json()) as { connections: ApiConnection[] }).connections.find((c) => c.id === connectionId)!;
  const jobState = async (n: number) =>
    (
      await spokes.runtime.database.query<{ state: string }>(
        sql`select state from pgboss.job where name = 'oauthdemo.read-account' and data->'payload'->>'n' = ${String(n)}`,
      )
    )[0]?.state;

  it("connects through the provider's redirect to the callback, and refuses the callback a second time", async () => {
    const { callback, page } = await clickConnect();
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Spokes is connected to Acme Sandbox Org/);
    const list = ((await (await admin.request('GET', '/api/connections')).json()) as { connections: ApiConnection[] }).connections;
    assert.equal(list.length, 1);
    connectionId = list[0]!.id;
    assert.deepEqual([list[0]!.label, list[0]!.state], ['Acme Sandbox Org', 'connected']);
    const again = await fetch(callback);
    assert.equal(again.status, 400);
    assert.match(await again.text(), /already used/);
    // One connection is all this connector allows: a second "Connect" is refused before anyone is redirected.
    const second = await admin.request('POST', '/api/connections', { connector: 'oauthdemo', input: { oauth: { accessToken: 'x' } } });
    assert.equal(second.status, 409);
    // The callback is not an admin route, but it does nothing without a live state.
    assert.equal((await fetch(`${spokes.url}/oauth/oauthdemo/callback?code=abc&state=guessed`)).status, 400);
  });

  it("pauses the connector's jobs while the provider refuses the refresh, and runs them after a reconnect", async () => {
    await admin.request('POST', `/api/connections/${connectionId}/enable`);
    const ctx = spokes.runtime.services.platform.context('oauthdemo');
    await ctx.queue.enqueue(demo.readAccount, { connectionId, n: 1 });
    await eventually('the first job', async () => ((await connection()).info.read === 1 ? true : undefined));

    // The provider revokes the grant, and the access token runs out.
    server.revokeAll();
    const store = spokes.runtime.services.platform.connections;
    const creds = (await store.open(connectionId)).credentials as z.infer<typeof oauthCredentials>;
    await store.updateCredentials(connectionId, { oauth: { ...creds.oauth, expiresAt: new Date(Date.now() - 1_000).toISOString() } });
    await ctx.queue.enqueue(demo.readAccount, { connectionId, n: 2 });
    const reauth = await eventually('needs_reauthorization', async () => {
      const c = await connection();
      return c.state === 'needs_reauthorization' ? c : undefined;
    });
    assert.match(reauth.reason!, /refused to refresh/);
    assert.equal(reauth.choice, 'enabled', 'what the admin chose is kept');
    // Paused, not dropped: the job waits (retry or created), never failed, and does not run.
    await ctx.queue.enqueue(demo.readAccount, { connectionId, n: 3 });
    await new Promise((r) => setTimeout(r, 3_000));
    assert.ok(['retry', 'created'].includes((await jobState(2))!), `job 2 is ${await jobState(2)}`);
    assert.equal(await jobState(3), 'created');
    assert.equal((await connection()).info.read, 1);

    // The admin reconnects: new tokens for the same connection, and the jobs run.
    const { page } = await clickConnect(connectionId);
    assert.equal(page.status, 200, await page.clone().text());
    const repaired = await connection();
    assert.deepEqual([repaired.id, repaired.state], [connectionId, 'enabled']);
    await eventually('the paused jobs', async () => ((await jobState(2)) === 'completed' && (await jobState(3)) === 'completed' ? true : undefined));
  });
});
