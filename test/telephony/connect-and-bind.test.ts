/**
 * The Phone system page's first steps, over the admin API, outside sandbox
 * mode: connecting the PBX (validated by fetching a token, wrong secrets
 * reported without ever getting Spokes' IP blocked, secrets never shown), and
 * T3 — binding HubSpot users to extensions, which decides a call's owner.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cdrFrame, envFor, freshNumber, postPbxWebhook, startEmulators, withHelpers, type OwnEmulators, type Telephony } from './telephony-support.ts';
import { startSpokes } from '../support/world.ts';

describe('Connecting the PBX and binding users to extensions', () => {
  let emulators: OwnEmulators;
  let t: Telephony;
  const sharedEmail = 'sales-desk@acme-sales.example';

  before(async () => {
    emulators = await startEmulators({
      owners: 3,
      extensions: (owners) => [
        // Same e-mail as the first two owners, but written differently.
        { number: '2001', name: 'Agent One', email: owners[0]!.email.toUpperCase() },
        { number: '2002', name: 'Agent Two', email: ` ${owners[1]!.email} `.trim() },
        { number: '2003', name: 'Front desk', email: 'front-desk@elsewhere.example' },
        // Two extensions share an e-mail: auto-bind cannot choose.
        { number: '2004', name: 'Desk A', email: sharedEmail },
        { number: '2005', name: 'Desk B', email: sharedEmail },
      ],
    });
    const spokes = await startSpokes({ env: envFor(emulators) });
    t = withHelpers(spokes, emulators.hubspot, emulators.pbx, emulators.portalId, emulators.token);
  });
  after(async () => {
    await t.close();
    await emulators.close();
  });

  const connectBody = (overrides: Record<string, string> = {}) => {
    const info = emulators.pbx.info();
    return { baseUrl: info.baseUrl, clientId: info.clientId, clientSecret: info.clientSecret, webhookSecret: info.webhookSecret, ...overrides };
  };
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string; details?: { field: string; message: string }[] } }).error;
  const pbxRequests = async () =>
    (await fetch(`${emulators.pbx.url}/sandbox/requests`)).json() as Promise<{ blockedIps: unknown[]; counters: Record<string, number> }>;

  describe('connect', () => {
    it('shows no connection yet, and refuses to enable or change settings before one exists', async () => {
      const status = (await (await t.admin.request('GET', '/api/telephony')).json()) as { connection: unknown; settings: unknown };
      assert.equal(status.connection, null);
      assert.equal(status.settings, null);
      const enable = await t.admin.request('PUT', '/api/telephony/enabled', { enabled: true });
      assert.equal(enable.status, 409);
      assert.match((await errorOf(enable)).message, /Connect the phone system first/);
    });

    it('names the field of an incomplete or malformed connection form', async () => {
      const missing = await t.admin.request('PUT', '/api/telephony/connection', { baseUrl: emulators.pbx.url, clientId: '' });
      assert.equal(missing.status, 400);
      const fields = (await errorOf(missing)).details!.map((d) => d.field);
      assert.ok(fields.includes('body.clientId'), JSON.stringify(fields));
      assert.ok(fields.includes('body.clientSecret'), JSON.stringify(fields));
      const badUrl = await t.admin.request('PUT', '/api/telephony/connection', connectBody({ baseUrl: 'pbx.example.com' }));
      assert.equal(badUrl.status, 400);
      assert.deepEqual(
        (await errorOf(badUrl)).details!.map((d) => d.field),
        ['body.baseUrl'],
      );
      assert.equal((await pbxRequests()).counters.get_token ?? 0, 0, 'nothing reached the PBX');
    });

    it('reports a wrong Client Secret on the secret field; the same typo pressed again never reaches the PBX', async () => {
      for (const clientSecret of ['typo-1', 'typo-1', 'typo-1', 'typo-2', 'typo-2', 'typo-3']) {
        const res = await t.admin.request('PUT', '/api/telephony/connection', connectBody({ clientSecret }));
        assert.equal(res.status, 400);
        const error = await errorOf(res);
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual(
          error.details!.map((d) => d.field),
          ['body.clientSecret'],
        );
        assert.match(error.message, /^Client ID or Client Secret is wrong/);
      }
      const requests = await pbxRequests();
      assert.equal(requests.counters.get_token, 3, 'one failed login per different pair');
      assert.deepEqual(requests.blockedIps, []);
      // Nothing was stored.
      assert.equal(((await (await t.admin.request('GET', '/api/telephony')).json()) as { connection: unknown }).connection, null);
    });

    it("stops one failure short of the PBX's IP block however many different secrets are tried", async () => {
      const { startYeastarSandbox } = await import('../../sandbox/yeastar/index.ts');
      const other = await startYeastarSandbox();
      try {
        const info = other.info();
        const messages: string[] = [];
        for (const clientSecret of ['a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6', 'a-7', info.clientSecret]) {
          const res = await t.admin.request('PUT', '/api/telephony/connection', { baseUrl: info.baseUrl, clientId: info.clientId, clientSecret });
          assert.equal(res.status, 400);
          const error = await errorOf(res);
          assert.deepEqual(
            error.details!.map((d) => d.field),
            ['body.clientSecret'],
          );
          messages.push(error.message);
        }
        const requests = (await (await fetch(`${other.url}/sandbox/requests`)).json()) as { blockedIps: unknown[]; counters: Record<string, number> };
        assert.deepEqual(requests.blockedIps, []);
        assert.equal(requests.counters.get_token, 4, 'the PBX blocks at the 5th failure');
        assert.match(messages.at(-1)!, /one more failure would block this server's IP address/);
      } finally {
        await other.close();
      }
    });

    it('connects with the right credentials and never shows a secret back', async () => {
      const res = await t.admin.request('PUT', '/api/telephony/connection', connectBody());
      assert.equal(res.status, 200);
      const body = await res.text();
      const status = JSON.parse(body) as {
        connection: { baseUrl: string; clientId: string; webhookSecretSet: boolean; enabled: boolean; pbx: { vendor: string } };
      };
      assert.equal(status.connection.baseUrl, emulators.pbx.url);
      assert.equal(status.connection.clientId, emulators.pbx.info().clientId);
      assert.equal(status.connection.webhookSecretSet, true);
      assert.equal(status.connection.enabled, false);
      assert.equal(status.connection.pbx.vendor, 'yeastar');
      const again = await (await t.admin.request('GET', '/api/telephony')).text();
      for (const text of [body, again]) {
        assert.ok(!text.includes(emulators.pbx.info().clientSecret), 'the client secret is never returned');
        assert.ok(!text.includes(emulators.pbx.info().webhookSecret), 'the webhook secret is never returned');
      }
    });
  });

  describe('updating the saved connection', () => {
    const info = () => emulators.pbx.info();
    const status = async () =>
      (await (await t.admin.request('GET', '/api/telephony')).json()) as { connection: { webhookSecretSet: boolean; connectedAt: string } };
    const connect = async (body: unknown) => {
      const res = await t.admin.request('PUT', '/api/telephony/connection', body);
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as Awaited<ReturnType<typeof status>>).connection;
    };
    /** A PBX webhook push signed with `secret`: 200 when Spokes holds that secret (the integration is off, so it is dropped). */
    const pushSignedWith = async (secret: string) => {
      const { signWebhookBody } = await import('../../sandbox/yeastar/index.ts');
      const raw = JSON.stringify(
        (({ type, sn, msg }) => ({ type, sn, msg }))(cdrFrame(t, { call_from: freshNumber(), call_to: '2001', type: 'Inbound', status: 'NO ANSWER' })),
      );
      return (await postPbxWebhook(t, raw, { signature: signWebhookBody(secret, raw) })).status;
    };
    /** The PBX answers with the saved Client Secret (extensions are read with it). */
    const pbxAnswers = async () => (await t.admin.request('GET', '/api/telephony/users')).status === 200;

    it('keeps the saved secrets when they are left out or blank, and replaces or removes them only when told', async () => {
      const { baseUrl, clientId, webhookSecret } = info();
      assert.equal(await pushSignedWith(webhookSecret), 200);
      for (const body of [
        { baseUrl, clientId },
        { baseUrl, clientId, clientSecret: '', webhookSecret: '  ' },
      ]) {
        assert.equal((await connect(body)).webhookSecretSet, true, JSON.stringify(body));
        assert.equal(await pushSignedWith(webhookSecret), 200, 'the saved webhook secret is kept');
        assert.ok(await pbxAnswers(), 'the saved Client Secret is kept');
      }

      const replaced = 'a-new-webhook-secret-0123456789ab';
      assert.equal((await connect({ baseUrl, clientId, webhookSecret: replaced })).webhookSecretSet, true);
      assert.equal(await pushSignedWith(webhookSecret), 401, 'the old secret no longer verifies');
      assert.equal(await pushSignedWith(replaced), 200);

      assert.equal((await connect({ baseUrl, clientId, webhookSecret: null })).webhookSecretSet, false, 'null removes it');
      assert.equal(await pushSignedWith(replaced), 401);
      assert.ok(await pbxAnswers());

      assert.equal((await connect({ baseUrl, clientId, webhookSecret })).webhookSecretSet, true);
      assert.equal(await pushSignedWith(webhookSecret), 200);
    });

    it('refuses bad input with a 4xx naming the field, and loses nothing already saved', async () => {
      const { baseUrl, clientId, webhookSecret } = info();
      const before = await status();
      const tokensBefore = (await pbxRequests()).counters.get_token ?? 0;
      const cases: [unknown, string][] = [
        // The saved Client Secret is never sent to another address or with another Client ID.
        [{ baseUrl: 'http://127.0.0.1:9', clientId }, 'body.clientSecret'],
        [{ baseUrl, clientId: 'another-client-id' }, 'body.clientSecret'],
        [{ baseUrl: 'pbx.example.com', clientId }, 'body.baseUrl'],
        [{ baseUrl, clientId, webhookSecret: 42 }, 'body.webhookSecret'],
        [{ baseUrl, clientId, clientSecret: ['a'] }, 'body.clientSecret'],
        [[], 'body'],
      ];
      for (const [body, field] of cases) {
        const res = await t.admin.request('PUT', '/api/telephony/connection', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        const error = await errorOf(res);
        assert.equal(error.code, 'validation_failed');
        assert.equal(typeof error.message, 'string');
        assert.ok(
          error.details?.some((d) => d.field === field),
          `${JSON.stringify(body)} → ${JSON.stringify(error)}`,
        );
      }
      assert.equal((await pbxRequests()).counters.get_token ?? 0, tokensBefore, 'nothing reached the PBX');

      // A Client Secret the PBX refuses: 400 on the field, and the saved one still works.
      const refused = await t.admin.request('PUT', '/api/telephony/connection', { baseUrl, clientId, clientSecret: 'not-the-secret' });
      assert.equal(refused.status, 400);
      assert.deepEqual(
        (await errorOf(refused)).details!.map((d) => d.field),
        ['body.clientSecret'],
      );

      assert.deepEqual(await status(), before, 'the saved connection is unchanged');
      assert.equal(await pushSignedWith(webhookSecret), 200);
      assert.ok(await pbxAnswers());
    });

    it('returns no secret from any GET', async () => {
      const { clientSecret, webhookSecret } = info();
      const paths = [
        '/api/telephony',
        '/api/telephony/users',
        '/api/telephony/phonebooks',
        '/api/telephony/calls',
        '/api/telephony/sync-errors',
        '/api/telephony/agents',
        '/api/status',
        '/api/session',
        '/api/hubspot',
        '/api/hubspot/calling-settings',
        '/api/sandbox',
      ];
      for (const path of paths) {
        const text = await (await t.admin.request('GET', path)).text();
        assert.ok(!text.includes(clientSecret) && !text.includes(webhookSecret), `${path} shows a secret: ${text}`);
      }
    });
  });

  describe('binding users to extensions (T3)', () => {
    type Users = {
      users: { ownerId: string; label: string; email: string | null; extension: string | null }[];
      extensions: { number: string; name: string; boundTo: string | null }[];
    };
    const users = async () => (await (await t.admin.request('GET', '/api/telephony/users')).json()) as Users;
    const bind = (bindings: { ownerId: string; extension: string | null }[], source?: string) =>
      t.admin.request('PUT', '/api/telephony/bindings', { bindings, ...(source ? { source } : {}) });

    it('lists HubSpot users as "Name - email" and the PBX extensions', async () => {
      const list = await users();
      for (const owner of emulators.owners) {
        const user = list.users.find((u) => u.ownerId === owner.id);
        assert.ok(user, `owner ${owner.email} is listed`);
        assert.match(user.label, new RegExp(` - ${owner.email.replace(/[.]/g, '\\.')}$`));
        assert.equal(user.extension, null);
      }
      assert.deepEqual(
        list.extensions.map((e) => e.number),
        ['2001', '2002', '2003', '2004', '2005'],
      );
      assert.ok(list.extensions.every((e) => e.boundTo === null));
    });

    it('proposes bindings by e-mail, ignoring case, only where exactly one extension has it; nothing is bound before confirming', async () => {
      const res = await t.admin.request('POST', '/api/telephony/bindings/auto');
      assert.equal(res.status, 200);
      const { proposals } = (await res.json()) as { proposals: { ownerId: string; extension: string; email: string }[] };
      assert.deepEqual(proposals.map((p) => [p.ownerId, p.extension]).sort(), [
        [emulators.owners[0]!.id, '2001'],
        [emulators.owners[1]!.id, '2002'],
      ]);
      assert.ok((await users()).users.every((u) => u.extension === null));

      const saved = await bind(
        proposals.map((p) => ({ ownerId: p.ownerId, extension: p.extension })),
        'auto',
      );
      assert.equal(saved.status, 200);
      const list = await users();
      assert.equal(list.users.find((u) => u.ownerId === emulators.owners[0]!.id)!.extension, '2001');
      assert.equal(list.users.find((u) => u.ownerId === emulators.owners[1]!.id)!.extension, '2002');
      assert.equal(list.extensions.find((e) => e.number === '2001')!.boundTo, emulators.owners[0]!.id);
    });

    it('changes and removes bindings by hand', async () => {
      const [a, b, c] = emulators.owners;
      assert.equal(
        (
          await bind([
            { ownerId: a!.id, extension: '2003' },
            { ownerId: b!.id, extension: null },
            { ownerId: c!.id, extension: '2001' },
          ])
        ).status,
        200,
      );
      const list = await users();
      assert.equal(list.users.find((u) => u.ownerId === a!.id)!.extension, '2003');
      assert.equal(list.users.find((u) => u.ownerId === b!.id)!.extension, null);
      assert.equal(list.users.find((u) => u.ownerId === c!.id)!.extension, '2001');
      assert.equal(list.extensions.find((e) => e.number === '2002')!.boundTo, null);
    });

    it('refuses conflicting or unknown bindings as a whole, naming the field', async () => {
      const [a, b] = emulators.owners;
      const before = await users();
      const cases: [unknown, string][] = [
        [
          {
            bindings: [
              { ownerId: a!.id, extension: '2004' },
              { ownerId: b!.id, extension: '2004' },
            ],
          },
          'body.bindings',
        ],
        [{ bindings: [{ ownerId: a!.id, extension: '9999' }] }, 'body.bindings.0.extension'],
        [{ bindings: [{ ownerId: '123456789', extension: '2004' }] }, 'body.bindings.0.ownerId'],
        [{ bindings: [{ ownerId: a!.id }] }, 'body.bindings.0.extension'],
        [{ bindings: 'everyone' }, 'body.bindings'],
        [{ bindings: [], source: 'guess' }, 'body.source'],
      ];
      for (const [body, field] of cases) {
        const res = await t.admin.request('PUT', '/api/telephony/bindings', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        const fields = (await errorOf(res)).details!.map((d) => d.field);
        assert.ok(fields.includes(field), `${JSON.stringify(body)} → ${JSON.stringify(fields)}`);
      }
      assert.deepEqual(await users(), before, 'nothing changed');
    });

    it('decides the owner of a logged call', async () => {
      const [a, , c] = emulators.owners;
      assert.equal((await t.admin.request('PUT', '/api/telephony/enabled', { enabled: true })).status, 200);
      const first = t.pbx.simulateCall({ direction: 'inbound', external: freshNumber(), extension: '2003', ringSeconds: 2, talkSeconds: 5 });
      const [e1] = await t.engagementsOf(first.call_id);
      assert.equal(e1!.properties.hubspot_owner_id, a!.id);

      assert.equal((await bind([{ ownerId: c!.id, extension: '2003' }])).status, 200);
      const second = t.pbx.simulateCall({ direction: 'outbound', external: freshNumber(), extension: '2003', ringSeconds: 2, talkSeconds: 5 });
      const [e2] = await t.engagementsOf(second.call_id);
      assert.equal(e2!.properties.hubspot_owner_id, c!.id);
    });
  });
});
