/**
 * The walk-through of docs/connectors/adding-a-connector.md, run: the example
 * connector (./example-connector/) on a real Spokes, against the HubSpot
 * emulator and its own small remote. It connects (a bad field is a 400 naming
 * it, nothing stored), enables (subscribes to the remote's webhook), turns a
 * verified webhook into a job that creates a HubSpot contact through the audit
 * log, reports its status, and disconnects — over the admin API, and through
 * the `spokes connections` / `spokes audit` CLI of another process.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { eventually, startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { connectByOAuth } from '../support/hubspot-connect.ts';
import { runSpokesToEnd } from '../support/processes.ts';
import { runPlatformCommand } from '../../src/platform/cli.ts';
import { example } from './example-connector/index.ts';
import { startExampleRemote, type ExampleRemote } from './example-connector/remote.ts';
import type { ApiAuditPage, ApiConnection, ApiConnectionDetail, ApiOverview } from '../../src/platform/wire.ts';

describe('a connector on the platform, end to end (the example connector)', () => {
  let hubspot: HubSpotSandbox;
  let remote: ExampleRemote;
  let spokes: Spokes;
  let admin: AdminHttp;
  let token: string;
  let connectionId: string;

  before(async () => {
    [hubspot, remote] = await Promise.all([startHubSpotSandbox(), startExampleRemote()]);
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: hubspot.url }, connectors: [example] });
    await connectByOAuth(spokes.runtime.services.hubspot, hubspot);
    admin = await signInOverHttp(spokes);
    token = hubspot.info().portals.find((p) => p.type === 'STANDARD')!.privateAppToken;
  });
  after(async () => {
    await spokes?.close();
    await Promise.all([hubspot?.close(), remote?.close()]);
  });

  const json = async <T>(res: Response, status = 200): Promise<T> => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  };
  const count = async () => (await spokes.runtime.database.query<{ n: number }>(sql`select count(*)::int as n from connections`))[0]!.n;

  it('refuses a bad or missing field with a 400 naming it, and stores nothing', async () => {
    const missing = await json<{ error: { code: string; details: { field: string }[] } }>(
      await admin.request('POST', '/api/connections', { connector: 'example', input: { apiKey: remote.apiKey } }),
      400,
    );
    assert.deepEqual(
      missing.error.details.map((d) => d.field),
      ['body.input.baseUrl'],
    );
    const refused = await json<{ error: { details: { field: string }[] } }>(
      await admin.request('POST', '/api/connections', { connector: 'example', input: { baseUrl: remote.url, apiKey: 'wrong-key-123' } }),
      400,
    );
    assert.deepEqual(
      refused.error.details.map((d) => d.field),
      ['input.apiKey'],
      "the remote refused the key: the admin's field is named",
    );
    const unknown = await json<{ error: { details: { field: string }[] } }>(
      await admin.request('POST', '/api/connections', { connector: 'nope', input: {} }),
      400,
    );
    assert.deepEqual(
      unknown.error.details.map((d) => d.field),
      ['body.connector'],
    );
    assert.equal(await count(), 0);
  });

  it('connects and enables: the remote now sends its sign-ups to Spokes', async () => {
    const connected = await json<ApiConnection>(
      await admin.request('POST', '/api/connections', { connector: 'example', input: { baseUrl: remote.url, apiKey: remote.apiKey } }),
      201,
    );
    connectionId = connected.id;
    assert.deepEqual([connected.state, connected.label, connected.info], ['connected', 'Example Events Ltd', { plan: 'team' }]);
    assert.equal(JSON.stringify(connected).includes(remote.apiKey), false, 'credentials never come back');
    const enabled = await json<ApiConnection>(await admin.request('POST', `/api/connections/${connectionId}/enable`));
    assert.equal(enabled.state, 'enabled');
    assert.deepEqual(
      remote.subscriptions().map((s) => s.url),
      [`${spokes.url}/webhooks/example/signups/${connectionId}`],
    );
  });

  it('refuses a forged delivery with a 401 and enqueues nothing', async () => {
    const body = JSON.stringify({ type: 'signup.created', signup: { id: 's-forged', email: 'forged@example.com', name: 'Forged Person' } });
    const res = await fetch(`${spokes.url}/webhooks/example/signups/${connectionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-example-signature': `sha256=${'0'.repeat(64)}` },
      body,
    });
    assert.equal(res.status, 401);
    const jobs = await spokes.runtime.database.query<{ n: number }>(sql`select count(*)::int as n from pgboss.job where name = 'example.create-contact'`);
    assert.equal(jobs[0]!.n, 0);
  });

  it('turns a verified webhook into a job that creates the HubSpot contact, recorded in the audit log', async () => {
    assert.deepEqual(await remote.deliver({ id: 's-1', email: 'ada@example.com', name: 'Ada Lovelace' }), [200]);
    const page = await eventually('the audit entry', async () => {
      const p = await json<ApiAuditPage>(await admin.request('GET', '/api/audit?connector=example'));
      return p.entries.length ? p : undefined;
    });
    const [entry] = page.entries;
    assert.equal(entry!.outcome, 'succeeded');
    assert.deepEqual(
      [entry!.target, entry!.objectType, entry!.operation, entry!.causeType, entry!.cause, entry!.connectionId],
      ['hubspot', 'contact', 'create', 'event', 'signup s-1', connectionId],
    );
    // What HubSpot (the emulator) holds afterwards.
    const res = await fetch(`${hubspot.url}/crm/v3/objects/contacts/${entry!.objectId}?properties=email,firstname,lastname,lifecyclestage`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const contact = await json<{ properties: Record<string, string> }>(res);
    assert.deepEqual(
      [contact.properties.email, contact.properties.firstname, contact.properties.lastname, contact.properties.lifecyclestage],
      ['ada@example.com', 'Ada', 'Lovelace', 'lead'],
    );

    // The same delivery again (the remote retries): one contact, one write.
    await remote.deliver({ id: 's-1', email: 'ada@example.com', name: 'Ada Lovelace' });
    await remote.deliver({ id: 's-2', email: 'grace@example.com', name: 'Grace Hopper' });
    await eventually('the second sign-up', async () =>
      (await json<ApiAuditPage>(await admin.request('GET', '/api/audit?connector=example'))).entries.length === 2 ? true : undefined,
    );
    const search = await fetch(`${hubspot.url}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'ada@example.com' }] }] }),
    });
    assert.equal((await json<{ total: number }>(search)).total, 1, 'one contact for the repeated delivery');
    const writes = await json<ApiAuditPage>(await admin.request('GET', '/api/audit?connector=example&object=contact&outcome=succeeded'));
    assert.deepEqual(writes.entries.map((e) => e.cause).sort(), ['signup s-1', 'signup s-2']);
  });

  it('reports the status, the last activity and the schedule it declared', async () => {
    const detail = await json<ApiConnectionDetail>(await admin.request('GET', `/api/connections/${connectionId}`));
    assert.deepEqual(detail.status, { health: 'ok', summary: 'Receiving sign-ups of Example Events Ltd', details: { subscribed: true } });
    assert.ok(detail.lastActivityAt, 'the webhook and the job touched it');
    const overview = await json<ApiOverview>(await admin.request('GET', '/api/overview'));
    const card = overview.connectors.find((c) => c.slug === 'example')!;
    assert.deepEqual(
      card.connections.map((c) => c.id),
      [connectionId],
    );
    assert.ok(card.lastWriteAt);
    assert.equal(overview.hubspot.state, 'connected');
    assert.ok(
      overview.connectors.some((c) => c.slug === 'telephony' && c.managedOnItsPage),
      'telephony is listed until it moves onto the platform',
    );
    const schedules = await spokes.runtime.database.query<{ name: string; cron: string }>(
      sql`select name, cron from pgboss.schedule where name in ('example.check-remote', 'audit.prune') order by name`,
    );
    assert.deepEqual(
      schedules,
      [
        { name: 'audit.prune', cron: '17 4 * * *' },
        { name: 'example.check-remote', cron: '*/5 * * * *' },
      ],
      "its schedule, and the audit log's retention",
    );
  });

  it('mounts its admin routes under /api/example (session and CSRF) and its public routes behind their check', async () => {
    assert.deepEqual(await json(await admin.request('GET', '/api/example/summary')), { connections: 1 });
    assert.equal((await fetch(`${spokes.url}/api/example/summary`)).status, 401, 'no session');
    assert.equal(
      (await fetch(`${spokes.url}/api/connections/${connectionId}/disable`, { method: 'POST', headers: { cookie: admin.cookie } })).status,
      403,
      'no CSRF token',
    );
    assert.equal((await fetch(`${spokes.url}/api/connections`)).status, 401);
    assert.equal((await fetch(`${spokes.url}/example-receipts/s-1`)).status, 403, 'a signed-link route without its signature');
    const link = spokes.runtime.services.platform.context('example').signedLinks.sign('/example-receipts/s-1');
    assert.deepEqual(await json(await fetch(`${spokes.url}${link}`)), { receipt: 's-1' });
    assert.equal((await fetch(`${spokes.url}${link.replace('s-1', 's-2')}`)).status, 403, 'a signature is for its own path');
  });

  it('answers the CLI of another process through the running server (embedded database)', async () => {
    const env = { SPOKES_DATA_DIR: spokes.dataDir, SPOKES_PORT: new URL(spokes.url).port, SPOKES_LOG_LEVEL: 'silent' };
    // Child processes start slowly on a busy machine: run them side by side.
    const [list, show, audit] = await Promise.all([
      runSpokesToEnd(['connections', 'list'], env, 90_000),
      runSpokesToEnd(['connections', 'show', connectionId, '--json'], env, 90_000),
      runSpokesToEnd(['audit', '--connector', 'example', '--since', '1h'], env, 90_000),
    ]);
    assert.equal(list.code, 0, list.output);
    assert.match(list.output, new RegExp(`${connectionId}\\s+example\\s+enabled`));
    assert.equal((JSON.parse(show.output) as ApiConnectionDetail).status?.health, 'ok');
    assert.equal(audit.code, 0, audit.output);
    assert.match(audit.output, /example\s+hubspot\s+contact \d+\s+create\s+succeeded\s+event signup s-2/);
    // The same commands in process: exit codes and messages of bad input.
    const platform = spokes.runtime.services.platform;
    const unknown = await runPlatformCommand(platform, 'connections', ['show', 'example-nothere']);
    assert.deepEqual([unknown.code, /no connection "example-nothere"/.test(unknown.output)], [1, true]);
    assert.equal((await runPlatformCommand(platform, 'audit', ['--since', 'yesterday'])).code, 2);
    assert.equal((await runPlatformCommand(platform, 'connections', ['enable'])).code, 2);
    const outcome = await runPlatformCommand(platform, 'audit', ['--outcome', 'maybe']);
    assert.deepEqual([outcome.code, /--outcome/.test(outcome.output)], [1, true]);
  });

  it('shows a connection whose stored settings no longer validate as `error` naming the field; the process keeps working', async () => {
    const other = await json<ApiConnection>(
      await admin.request('POST', '/api/connections', { connector: 'example', input: { baseUrl: remote.url, apiKey: remote.apiKey } }),
      201,
    );
    await spokes.runtime.database.query(sql`update connections set settings = '{"baseUrl": "not a url"}' where id = ${other.id}`);
    const list = await json<{ connections: ApiConnection[] }>(await admin.request('GET', '/api/connections'));
    const broken = list.connections.find((c) => c.id === other.id)!;
    assert.equal(broken.state, 'error');
    assert.deepEqual(
      broken.settingsProblems.map((p) => p.field),
      ['settings.baseUrl'],
    );
    assert.equal(list.connections.find((c) => c.id === connectionId)!.state, 'enabled');
    const enable = await json<{ error: { code: string; message: string } }>(await admin.request('POST', `/api/connections/${other.id}/enable`), 409);
    assert.match(enable.error.message, /settings\.baseUrl/);
    // A broken connection can always be removed.
    await json(await admin.request('DELETE', `/api/connections/${other.id}`));
  });

  it('retries a sync error through its retry action, and dismisses one without', async () => {
    const platform = spokes.runtime.services.platform;
    const createContact = example.jobs.find((j) => j.name === 'example.create-contact')!;
    const retryable = await platform.syncErrors.record({
      connectionId,
      category: 'rejected',
      objectType: 'signup',
      recordId: 's-3',
      reason: 'HubSpot was down',
      retry: { job: createContact, payload: { connectionId, signupId: 's-3', email: 'alan@example.com', name: 'Alan Turing' } },
    });
    const other = await platform.syncErrors.record({
      connectionId,
      category: 'validation',
      objectType: 'signup',
      recordId: 's-4',
      reason: 'no e-mail address',
    });
    const detail = await json<ApiConnectionDetail>(await admin.request('GET', `/api/connections/${connectionId}`));
    assert.equal(detail.openErrors, 2);
    assert.deepEqual(detail.syncErrors.map((e) => [e.recordId, e.retryable]).sort(), [
      ['s-3', true],
      ['s-4', false],
    ]);
    assert.equal((await admin.request('POST', `/api/sync-errors/${retryable}/retry`)).status, 200);
    await eventually('the retried write', async () =>
      (await json<ApiAuditPage>(await admin.request('GET', '/api/audit?connector=example'))).entries.some((e) => e.cause === 'signup s-3') ? true : undefined,
    );
    assert.equal((await admin.request('POST', `/api/sync-errors/${other}/retry`)).status, 409, 'nothing to retry: fix it at the source');
    assert.equal((await admin.request('DELETE', `/api/sync-errors/${other}`)).status, 200);
    assert.equal((await admin.request('DELETE', `/api/sync-errors/${other}`)).status, 404);
    assert.equal((await json<ApiConnectionDetail>(await admin.request('GET', `/api/connections/${connectionId}`))).openErrors, 0);
  });

  it("keeps a connector's context to its own connections and jobs", async () => {
    const ctx = spokes.runtime.services.platform.context('example');
    // The connection lifecycle the context gives is bound to the connector: another id is a 404.
    await assert.rejects(ctx.lifecycle.disable('telephony_not-mine'), (err: Error & { status?: number }) => err.status === 404);
    await assert.rejects(ctx.lifecycle.disconnect('example_unknown'), (err: Error & { status?: number }) => err.status === 404);
    assert.equal((await ctx.connections.get(connectionId))?.state, 'enabled', 'its own connection untouched');
    // The queue it gives runs and finds its own job types only.
    await assert.rejects(ctx.queue.findJobs({ name: 'telephony.log-call' } as never, { limit: 1 }), /does not declare/);
    await assert.rejects(ctx.queue.retryFailed({ queue: 'telephony.log-call' }), /does not declare/);
  });

  it('disables (unsubscribes) and disconnects; an unknown connection is a 404', async () => {
    const disabled = await json<ApiConnection>(await admin.request('POST', `/api/connections/${connectionId}/disable`));
    assert.equal(disabled.state, 'disabled');
    assert.deepEqual(remote.subscriptions(), []);
    await json(await admin.request('DELETE', `/api/connections/${connectionId}`));
    assert.equal(await count(), 0);
    await json(await admin.request('GET', `/api/connections/${connectionId}`), 404);
    await json(await admin.request('DELETE', `/api/connections/${connectionId}`), 404);
    await json(await admin.request('POST', `/api/connections/${connectionId}/enable`), 404);
    // The history stays.
    assert.equal((await json<ApiAuditPage>(await admin.request('GET', `/api/audit?connection=${connectionId}`))).entries.length, 3);
  });
});
