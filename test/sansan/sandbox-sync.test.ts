/**
 * Sandbox mode, end to end: `npm start` with no HubSpot credentials comes up
 * with the Sansan emulator's first key connected, the first 300 public and
 * shared tags selected, the default mappings, Sansan → HubSpot, the e-mail
 * switch on and sync on — so a card created through the emulator's controls
 * reaches the HubSpot emulator on its own, and `GET /api/sandbox` has the
 * `sansan` key scripts outside the project rely on.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { runPlatformCommand } from '../../src/platform/cli.ts';

describe('Sansan in sandbox mode', () => {
  let spokes: Spokes;
  let admin: AdminHttp;
  before(async () => {
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' } });
    admin = await signInOverHttp(spokes);
  });
  after(async () => {
    await spokes?.close();
  });

  it('comes up connected and configured, and a scanned card reaches HubSpot on its own', { timeout: 120_000 }, async () => {
    const info = (await (await admin.request('GET', '/api/sandbox')).json()) as Record<string, any>;
    const sansan = info.sansan;
    assert.equal(sansan.system, 'sansan');
    assert.match(sansan.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sansan.apiBaseUrl, `${sansan.baseUrl}/v3.2`);
    assert.ok(sansan.apiKeys[0].key && sansan.apiKeys[0].userId && sansan.apiKeys[0].email);

    const { connections } = (await (await admin.request('GET', '/api/connections?connector=sansan')).json()) as { connections: any[] };
    assert.equal(connections.length, 1);
    const [c] = connections;
    assert.equal(c.state, 'enabled');
    assert.equal(c.settings.sync.enabled, true);
    assert.equal(c.settings.sync.direction, 'to_hubspot');
    assert.equal(c.settings.sync.emailOnly, true);
    assert.ok(c.settings.tags.length > 0 && c.settings.tags.length <= 300);

    const firstTag = c.settings.tags[0].name;
    const email = `new.card.${Date.now()}@scan.example`;
    const res = await fetch(`${sansan.baseUrl}/sandbox/cards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lastName: '山本', firstName: '一郎', companyName: '株式会社テスト', title: '部長', email, tel: '03-1234-5678', tags: [firstTag] }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const card = (await res.json()) as { id: string };
    assert.match(card.id, /^[0-9A-F]{32}$/);

    const hubspot = spokes.runtime.services.sandboxes!.hubspot;
    const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
    const contact = await eventually(
      'the card in HubSpot',
      async () => {
        const r = await fetch(
          `${hubspot.url}/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email&properties=lastname,company,jobtitle,phone`,
          {
            headers: { authorization: `Bearer ${portal.privateAppToken}` },
          },
        );
        return r.status === 200 ? ((await r.json()) as { properties: Record<string, string> }) : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(contact.properties.lastname, '山本');
    assert.equal(contact.properties.company, '株式会社テスト');
    assert.equal(contact.properties.jobtitle, '部長');

    const health = (await (await admin.request('GET', `/api/sansan/connections/${c.id}/health`)).json()) as any;
    assert.ok(health.counts.synced >= 1, JSON.stringify(health.counts));
    assert.equal(health.pass.initialDone, true);

    const cli = await runPlatformCommand(spokes.runtime.services.platform, 'sync', ['status']);
    assert.equal(cli.code, 0);
    assert.match(cli.output, new RegExp(`${c.id}.*\\n.*initial sync done.*100%.*\\n.*in sync \\d+ +excluded \\d+ +failing 0`));
  });

  it('connects a second key (D2), refuses a wrong key naming the field, pages the tag picker, and keeps its API behind the admin session', {
    timeout: 60_000,
  }, async () => {
    const sansan = ((await (await admin.request('GET', '/api/sandbox')).json()) as any).sansan;
    const wrong = await admin.request('POST', '/api/connections', { connector: 'sansan', input: { apiKey: 'x'.repeat(32), apiBaseUrl: sansan.apiBaseUrl } });
    assert.equal(wrong.status, 400);
    assert.deepEqual(
      ((await wrong.json()) as any).error.details.map((d: any) => d.field),
      ['input.apiKey'],
    );
    const again = await admin.request('POST', '/api/connections', {
      connector: 'sansan',
      input: { apiKey: sansan.apiKeys[0].key, apiBaseUrl: sansan.apiBaseUrl },
    });
    assert.equal(again.status, 409, 'the same Sansan user twice');
    const second = await admin.request('POST', '/api/connections', {
      connector: 'sansan',
      input: { apiKey: sansan.apiKeys[2].key, apiBaseUrl: sansan.apiBaseUrl },
    });
    assert.equal(second.status, 201, await second.clone().text());
    const created = (await second.json()) as any;
    assert.equal(created.state, 'connected');
    assert.equal(created.settings.sync.enabled, false, 'sync does not start until configured and switched on');

    const page1 = (await (await admin.request('GET', `/api/sansan/connections/${created.id}/tags`)).json()) as any;
    assert.ok(page1.tags.length > 0 && page1.tags.every((t: any) => t.type === 'public' || t.type === 'shared'));
    assert.ok(page1.nextPageToken);
    const page2 = (await (
      await admin.request('GET', `/api/sansan/connections/${created.id}/tags?pageToken=${encodeURIComponent(page1.nextPageToken)}`)
    ).json()) as any;
    assert.notEqual(page2.tags[0].id, page1.tags[0].id);

    const tooMany = await admin.request('PUT', `/api/sansan/connections/${created.id}/settings`, {
      tags: Array.from({ length: 301 }, (_, i) => ({ id: `T${i}`, name: `t${i}`, type: 'public' })),
      sync: { mappings: [] },
    });
    assert.equal(tooMany.status, 400);
    assert.ok(((await tooMany.json()) as any).error.details.some((d: any) => d.field === 'body.tags'));

    const anonymous = await fetch(`${spokes.url}/api/sansan/connections/${created.id}/health`);
    assert.equal(anonymous.status, 401);
  });

  it('a Sansan 5xx storm is a run-level error that clears; a revoked key marks the connection for re-authorization', { timeout: 60_000 }, async () => {
    const sandbox = spokes.runtime.services.sandboxes!.sansan;
    const { connections } = (await (await admin.request('GET', '/api/connections?connector=sansan')).json()) as { connections: any[] };
    const c = connections.find((x) => x.state === 'enabled')!;
    const health = async () => (await (await admin.request('GET', `/api/sansan/connections/${c.id}/health`)).json()) as any;
    const synced = (await health()).counts.synced;
    sandbox.setFaults({ serverErrorProbability: 1, serverErrorStatuses: [503] });
    await eventually('the storm in health', async () => ((await health()).errors.some((e: any) => /503/.test(e.reason)) ? true : undefined), {
      timeoutMs: 45_000,
    });
    sandbox.setFaults({});
    await eventually('the error cleared by the next pass', async () => ((await health()).errors.length === 0 ? true : undefined), { timeoutMs: 30_000 });
    assert.equal((await health()).counts.synced, synced, 'nothing lost');

    sandbox.setFaults({ revokedApiKeys: [sandbox.info().apiKeys[0]!.key] });
    const view = await eventually(
      'needs re-authorization',
      async () => {
        const v = (await (await admin.request('GET', `/api/connections/${c.id}`)).json()) as any;
        return v.state === 'needs_reauthorization' ? v : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.match(view.reason, /Sansan refuses the API key/);
    sandbox.setFaults({});
  });
});
