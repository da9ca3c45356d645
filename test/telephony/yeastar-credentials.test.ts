import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthExpiredError, RemoteUnavailableError } from '../../src/errors.ts';
import { resetYeastarLoginGuard, type CachedYeastarTokens } from '../../src/connectors/telephony/yeastar/index.ts';
import { YeastarHttp } from '../../src/connectors/telephony/yeastar/client.ts';
import { YeastarTokenManager } from '../../src/connectors/telephony/yeastar/token-manager.ts';
import { createLogger } from '../../src/logger.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { adapterFor, capturedLog, control, LOOPBACK_ALLOWED, sleep, startPbx } from './yeastar-support.ts';

describe('Yeastar adapter: connecting with the Client ID and Client Secret', () => {
  it('verifies valid credentials by fetching one token, and describes the PBX', async () => {
    const sb = await startPbx({ timezone: 'Europe/Berlin' });
    const adapter = adapterFor(sb);
    const info = await adapter.verifyCredentials();
    assert.equal(info.vendor, 'yeastar');
    assert.equal(info.serialNumber, sb.info().serialNumber);
    assert.ok([60, 120].includes(info.utcOffsetMinutes), `Berlin is UTC+1 or UTC+2, got ${info.utcOffsetMinutes} min`);
    assert.equal(sb.counters().counters.get_token, 1);
    await adapter.dispose();
    await sb.close();
  });

  it('says "Client ID or Client Secret is wrong", and pressing Connect again and again never gets the IP blocked', async () => {
    const sb = await startPbx();
    for (let i = 0; i < 7; i++) {
      const adapter = adapterFor(sb, { clientSecret: 'not-the-secret' });
      await assert.rejects(adapter.verifyCredentials(), (err: Error) => {
        assert.ok(err instanceof AuthExpiredError);
        assert.equal(err.code, 'auth_expired');
        assert.match(err.message, /^Client ID or Client Secret is wrong/);
        return true;
      });
      await adapter.dispose();
    }
    // The same wrong pair reached the PBX once; the PBX blocks after 5.
    assert.equal(sb.counters().counters.get_token, 1);
    assert.deepEqual((await control(sb, 'GET', '/sandbox/requests')).blockedIps, []);
    const good = adapterFor(sb);
    await good.verifyCredentials();
    await good.dispose();
    await sb.close();
  });

  it('stops after 3 different rejected pairs — before the PBX block at 5 — until an admin reconnects', async () => {
    const sb = await startPbx();
    const tries = ['typo-1', 'typo-2', 'typo-3', 'typo-4', 'typo-5', 'typo-6'];
    const messages: string[] = [];
    for (const secret of tries) {
      const adapter = adapterFor(sb, { clientSecret: secret });
      await adapter.verifyCredentials().catch((err: Error) => messages.push(err.message));
      await adapter.dispose();
    }
    assert.equal(sb.counters().counters.get_token, 3);
    assert.match(messages[3], /stopped signing in .* refused 3 different Client ID\/Client Secret pairs/);
    assert.deepEqual((await control(sb, 'GET', '/sandbox/requests')).blockedIps, []);
    // Even the right pair waits for the admin's explicit reconnect.
    const right = adapterFor(sb);
    await assert.rejects(right.verifyCredentials(), /stopped signing in/);
    await right.dispose();
    resetYeastarLoginGuard(sb.url);
    const again = adapterFor(sb);
    await again.verifyCredentials();
    await again.dispose();
    await sb.close();
  });

  it('ends an event stream with the credential error instead of retrying it', async () => {
    const sb = await startPbx();
    const adapter = adapterFor(sb, { clientId: 'wrong-id' });
    const stream = adapter.events({ heartbeatMs: 30, reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    await assert.rejects(async () => {
      for await (const event of stream) if (event.type !== 'gap') break;
    }, /Client ID or Client Secret is wrong/);
    assert.equal(sb.counters().counters.get_token, 1);
    await adapter.dispose();
    await sb.close();
  });

  it('rejects incomplete settings before contacting the PBX', () => {
    assert.throws(
      () => adapterFor({ info: () => ({ baseUrl: 'pbx.local', clientId: '', clientSecret: 'x', webhookSecret: '' }) } as unknown as YeastarSandbox),
      (err: Error & { details?: { field: string }[] }) => {
        assert.deepEqual(err.details?.map((d) => d.field).sort(), ['baseUrl', 'clientId']);
        return true;
      },
    );
  });
});

describe('Yeastar adapter: one access token per PBX (at most 8 may be valid)', () => {
  let sb: YeastarSandbox;
  before(async () => {
    sb = await startPbx({ limits: { accessTokenTtlSec: 1.5 } });
  });
  after(() => sb.close());

  it('lets 20 concurrent callers — on one adapter or twenty — share a single get_token', async () => {
    const before = sb.counters().counters.get_token ?? 0;
    const adapter = adapterFor(sb);
    const results = await Promise.all(Array.from({ length: 20 }, () => adapter.listExtensions()));
    assert.equal(results[0].length, 5);
    const many = Array.from({ length: 20 }, () => adapterFor(sb));
    await Promise.all(many.map((a) => a.listExtensions()));
    assert.equal((sb.counters().counters.get_token ?? 0) - before, 1);
    assert.equal(sb.counters().validAccessTokens, 1);
    await Promise.all([adapter, ...many].map((a) => a.dispose()));
    assert.equal(sb.counters().validAccessTokens, 0, 'the last dispose gives the token back');
  });

  it('never holds more than one token across twelve restarts of the adapter (dispose calls del_token)', async () => {
    const delBefore = sb.counters().counters.del_token ?? 0;
    for (let i = 0; i < 12; i++) {
      const adapter = adapterFor(sb);
      await adapter.listExtensions();
      assert.equal(sb.counters().validAccessTokens, 1);
      await adapter.dispose();
      assert.equal(sb.counters().validAccessTokens, 0);
    }
    assert.equal((sb.counters().counters.del_token ?? 0) - delBefore, 12);
  });

  it('lets a restarted process reuse its persisted token instead of taking another one', async () => {
    let saved: CachedYeastarTokens | undefined;
    const cache = { load: async () => saved, save: async (t: CachedYeastarTokens | undefined) => void (saved = t) };
    const info = sb.info();
    const http = new YeastarHttp({ baseUrl: info.baseUrl, log: createLogger({ level: 'silent' }), addresses: LOOPBACK_ALLOWED });
    const logins = sb.counters().counters.get_token ?? 0;
    // Two managers stand for the process before a crash and the one after it.
    const crashed = new YeastarTokenManager({ http, clientId: info.clientId, clientSecret: info.clientSecret, cache });
    const token = await crashed.getToken();
    const restarted = new YeastarTokenManager({ http, clientId: info.clientId, clientSecret: info.clientSecret, cache });
    assert.equal(await restarted.getToken(), token);
    assert.equal((sb.counters().counters.get_token ?? 0) - logins, 1);
    assert.equal(sb.counters().validAccessTokens, 1);
    await restarted.dispose();
    assert.equal(saved, undefined, 'a revoked token is forgotten');
    assert.equal(sb.counters().validAccessTokens, 0);
    await crashed.dispose(); // stands in for the dead process: stops its timer (its del_token is refused, harmlessly)
  });

  it('renews the token before it expires with refresh_token, never hitting TOKEN EXPIRED', async () => {
    const adapter = adapterFor(sb);
    await adapter.listExtensions();
    const counts = { ...sb.counters().counters };
    const seen = (await control(sb, 'GET', '/sandbox/requests')).requests.length;
    await sleep(1_700); // past the 1.5 s lifetime; renewal was due after 1.25 s
    await adapter.listExtensions();
    assert.ok((sb.counters().counters.refresh_token ?? 0) > (counts.refresh_token ?? 0), 'refreshed');
    assert.equal(sb.counters().counters.get_token, counts.get_token, 'no new login');
    const requests: { errcode?: number }[] = (await control(sb, 'GET', '/sandbox/requests')).requests.slice(seen);
    assert.equal(requests.filter((r) => r.errcode === 10004).length, 0);
    await adapter.dispose();
  });

  it('renews and retries once when the PBX expires the token early; falls back to get_token when the refresh token is gone too', async () => {
    const adapter = adapterFor(sb);
    await adapter.listExtensions();
    const counts = { ...sb.counters().counters };
    sb.expireTokens();
    assert.equal((await adapter.listExtensions()).length, 5);
    assert.equal(sb.counters().counters.refresh_token, (counts.refresh_token ?? 0) + 1);
    assert.equal(sb.counters().counters.get_token, counts.get_token);
    sb.expireTokens(true);
    assert.equal((await adapter.listExtensions()).length, 5);
    assert.equal(sb.counters().counters.get_token, (counts.get_token ?? 0) + 1);
    await adapter.dispose();
  });
});

describe('Yeastar adapter: requests', () => {
  let sb: YeastarSandbox;
  before(async () => {
    sb = await startPbx();
  });
  after(() => sb.close());

  it('sends a User-Agent with every request and never logs a token or the secret', async () => {
    const { log, lines } = capturedLog();
    const agents: (string | null)[] = [];
    const spy: typeof fetch = (input, init) => {
      agents.push(new Headers(init?.headers).get('user-agent'));
      return fetch(input, init);
    };
    const adapter = adapterFor(sb, { log, fetch: spy });
    await adapter.verifyCredentials();
    await adapter.listExtensions();
    sb.expireTokens();
    await adapter.listExtensions();
    await adapter.dispose();
    assert.ok(agents.length >= 5);
    assert.ok(
      agents.every((ua) => ua?.startsWith('Spokes/')),
      `User-Agents: ${agents.join(', ')}`,
    );
    const all = lines.join('\n');
    assert.ok(lines.length > 5, 'requests are logged at debug level');
    assert.ok(!all.includes(sb.info().clientSecret), 'the client secret never reaches the log');
    assert.doesNotMatch(all, /access_token=(?!\[redacted\])/, 'URLs are logged with the token redacted');
  });

  it('lists extensions with their e-mail (for auto-binding) and registration', async () => {
    await sb.setExtensionState('1004', { online: false });
    const adapter = adapterFor(sb);
    const extensions = await adapter.listExtensions();
    assert.deepEqual(
      extensions.find((e) => e.number === '1001'),
      { number: '1001', name: 'Kristin Hale', email: 'kristin.hale@example.com', registered: true },
    );
    assert.equal(extensions.find((e) => e.number === '1004')?.registered, false);
    await adapter.dispose();
  });

  it("reads a SIP phone's registration from status_list when the PBX gives no status (Query Extension List)", async () => {
    await sb.setExtensionState('1004', { online: false });
    // The vendor's documented shape: `online_status.sip_phone.status_list[].status`, no `status` beside it.
    const onlyStatusList: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).includes('/extension/list')) return res;
      const body = (await res.json()) as { data?: { online_status?: Record<string, { status?: number; status_list?: unknown }> }[] };
      for (const e of body.data ?? []) for (const endpoint of Object.values(e.online_status ?? {})) delete endpoint.status;
      return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/json' } });
    };
    const adapter = adapterFor(sb, { fetch: onlyStatusList });
    const extensions = await adapter.listExtensions();
    assert.equal(extensions.find((e) => e.number === '1001')?.registered, true);
    assert.equal(extensions.find((e) => e.number === '1004')?.registered, false);
    await adapter.dispose();
  });

  it('turns a PBX answering HTTP 503 into a retryable RemoteUnavailableError', async () => {
    const adapter = adapterFor(sb);
    await adapter.listExtensions();
    sb.setFaults({ apiErrorStatus: 503, apiErrorCount: 1 });
    await assert.rejects(adapter.listExtensions(), (err: Error) => err instanceof RemoteUnavailableError && err.retryable);
    assert.equal((await adapter.listExtensions()).length, 5);
    await adapter.dispose();
  });
});
