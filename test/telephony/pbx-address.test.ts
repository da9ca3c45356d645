/**
 * The PBX address cannot be used to reach what listens on Spokes' own machine
 * or network (server-side request forgery): the operator's address policy
 * (SPOKES_PBX_ADDRESSES; public and private ranges by default, loopback only in
 * sandbox mode) holds for every connection the Yeastar client makes — token,
 * API, recording download, WebSocket — checked on the address the connection
 * goes to, whatever form the address was written in or whatever a name
 * resolves to; no request follows a redirect; and the admin's "Connect" says
 * one sentence for every way a non-PBX fails, so it does not map ports.
 *
 * 127.0.0.2 stands for a PBX on the office network (Linux routes all of
 * 127.0.0.0/8 to this machine): the policy here allows it by CIDR, while
 * 127.0.0.1 — where an "internal service" listens — stays refused.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { AddressPolicy, rangeOf } from '../../src/net/address-policy.ts';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { eventually, startSpokes, type Spokes } from '../support/world.ts';
import { adapterFor, startPbx } from './yeastar-support.ts';

const POLICY = 'public,private,127.0.0.2/32';

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; details?: { field: string; message: string }[] } }).error;

/** A server that counts every TCP connection it gets (an internal service an attacker wants to reach). */
async function listen(
  host: string,
  port: number,
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = (_q, r) => r.end('internal'),
) {
  const server = createServer(handler);
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        (server as Server).close(() => resolve());
      }),
  };
}

describe('PBX addresses: SSRF through the PBX address', () => {
  describe('the policy', () => {
    it('sorts every form of an address into its range', () => {
      const cases: [string, string][] = [
        ['127.0.0.1', 'loopback'],
        ['::1', 'loopback'],
        ['::ffff:7f00:1', 'loopback'],
        ['::ffff:127.0.0.1', 'loopback'],
        ['::127.0.0.1', 'loopback'],
        ['64:ff9b::7f00:1', 'loopback'],
        ['2002:7f00:1::', 'loopback'],
        ['0.0.0.0', 'unspecified'],
        ['::', 'unspecified'],
        ['169.254.169.254', 'link-local'],
        ['fe80::1%eth0', 'link-local'],
        ['::ffff:169.254.169.254', 'link-local'],
        ['10.1.2.3', 'private'],
        ['172.31.255.1', 'private'],
        ['192.168.0.10', 'private'],
        ['100.64.0.1', 'private'],
        ['fd12::1', 'private'],
        ['224.0.0.1', 'multicast'],
        ['255.255.255.255', 'reserved'],
        ['8.8.8.8', 'public'],
        ['2606:4700::1111', 'public'],
        ['172.32.0.1', 'public'],
      ];
      for (const [address, range] of cases) assert.equal(rangeOf(address), range, address);
      // Decimal, octal and hexadecimal IPv4 are one address once parsed as a URL.
      for (const u of ['http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f.1/', 'http://127.1/'])
        assert.equal(rangeOf(new URL(u).hostname), 'loopback', u);
    });

    it('refuses loopback by default, allows it in sandbox mode or when listed, and names a bad setting', () => {
      const base = { SPOKES_DATA_DIR: '/tmp/unused', SPOKES_LOG_LEVEL: 'silent' };
      const production = loadConfig({ env: { ...base, SPOKES_SANDBOX: 'off' }, cwd: '/' });
      assert.equal(production.pbxAddresses, 'public,private');
      assert.equal(new AddressPolicy(production.pbxAddresses).allows('127.0.0.1'), false);
      assert.equal(new AddressPolicy(production.pbxAddresses).allows('169.254.169.254'), false);
      assert.equal(new AddressPolicy(production.pbxAddresses).allows('10.0.0.5'), true);
      assert.equal(loadConfig({ env: { ...base, SPOKES_SANDBOX: 'on' }, cwd: '/' }).pbxAddresses, 'public,private,loopback');
      assert.equal(loadConfig({ env: { ...base, SPOKES_SANDBOX: 'off', SPOKES_PBX_ADDRESSES: '10.20.0.0/16' }, cwd: '/' }).pbxAddresses, '10.20.0.0/16');
      assert.throws(
        () => loadConfig({ env: { ...base, SPOKES_PBX_ADDRESSES: 'private,intranet' }, cwd: '/' }),
        (err: ConfigError) => err instanceof ConfigError && /SPOKES_PBX_ADDRESSES: must list public, private, loopback, link-local/.test(err.message),
      );
      // 0.0.0.0 and :: reach this machine: never allowed, even inside a listed block.
      assert.equal(new AddressPolicy('0.0.0.0/0').allows('0.0.0.0'), false);
    });

    it('checks what a name resolves to, and keeps only the allowed answers', async () => {
      const answers: Record<string, string[]> = { 'metadata.test': ['169.254.169.254'], 'mixed.test': ['127.0.0.1', '10.0.0.7'] };
      const policy = new AddressPolicy('public,private', { resolve: async (name) => (answers[name] ?? []).map((address) => ({ address, family: 4 })) });
      await assert.rejects(policy.resolve('metadata.test'), /metadata\.test resolves to 169\.254\.169\.254, a link-local address/);
      assert.deepEqual(await policy.resolve('mixed.test'), [{ address: '10.0.0.7', family: 4 }]);
    });
  });

  describe('every request of the Yeastar client', () => {
    let sb: YeastarSandbox;
    let internal: Awaited<ReturnType<typeof listen>>;
    /** What the PBX's name resolves to right now. */
    const dns: Record<string, string> = {};
    const policy = new AddressPolicy(POLICY, {
      resolve: async (name) => (dns[name] ? [{ address: dns[name], family: 4 }] : [{ address: '127.0.0.1', family: 4 }]),
    });

    before(async () => {
      sb = await startPbx({ host: '127.0.0.2' });
      // The internal service listens on the PBX's port of 127.0.0.1: a connection that got past the policy would land there.
      internal = await listen('127.0.0.1', Number(new URL(sb.url).port));
    });
    after(async () => {
      await internal.close();
      await sb.close();
    });

    it('refuses loopback, unspecified and link-local addresses in every form, before connecting', async () => {
      const port = internal.port;
      const urls = [
        `http://127.0.0.1:${port}`,
        `http://localhost:${port}`,
        `http://0.0.0.0:${port}`,
        `http://[::1]:${port}`,
        `http://[::ffff:127.0.0.1]:${port}`,
        `http://2130706433:${port}`,
        `http://0177.0.0.1:${port}`,
        `http://0x7f.1:${port}`,
        `http://169.254.169.254:${port}`,
        `http://[fe80::1]:${port}`,
      ];
      for (const baseUrl of urls) {
        const adapter = adapterFor(sb, { baseUrl, addresses: policy });
        await assert.rejects(
          adapter.verifyCredentials(),
          /Spokes may not connect to this PBX address: .*an? (loopback|unspecified|link-local) address, outside the allowed addresses/,
          baseUrl,
        );
        await adapter.dispose();
      }
      assert.equal(internal.connections, 0, 'nothing reached the internal service');
    });

    it("checks the name's address on every connection: token, API, recording download and WebSocket", async () => {
      dns['pbx.test'] = '127.0.0.2';
      const baseUrl = `http://pbx.test:${internal.port}`;
      const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+14155550100', extension: '1001', outcome: 'answered', talkSeconds: 2 });
      const before = adapterFor(sb, { baseUrl, addresses: policy });
      await before.verifyCredentials();
      await eventually('the PBX to record the call', () => sb.recordings().some((r) => r.call_id === call_id), { timeoutMs: 5_000, intervalMs: 20 });
      const file = sb.recordings().find((r) => r.call_id === call_id)!.file;
      (await before.openRecording(file)).stream.resume();
      await before.dispose();

      // The name now resolves to this machine (DNS rebinding): every new connection is refused.
      dns['pbx.test'] = '127.0.0.1';
      const after = adapterFor(sb, { baseUrl, addresses: policy });
      await assert.rejects(after.verifyCredentials(), /pbx\.test resolves to 127\.0\.0\.1, a loopback address/);
      await assert.rejects(after.listExtensions(), /may not connect to this PBX address/);
      await assert.rejects(after.openRecording(file), /may not connect to this PBX address/);
      const stream = after.events({ reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
      await eventually('the event stream to be refused', () => /may not connect to this PBX address/.test(stream.lastError ?? ''), {
        timeoutMs: 5_000,
        intervalMs: 20,
      });
      await stream.close();
      await after.dispose();
      assert.equal(internal.connections, 0, 'nothing reached the internal service');
    });
  });

  describe("the admin's Connect", () => {
    let hubspot: HubSpotSandbox;
    let spokes: Spokes;
    let internal: Awaited<ReturnType<typeof listen>>;
    let sink: Awaited<ReturnType<typeof listen>>;
    const servers: Awaited<ReturnType<typeof listen>>[] = [];

    before(async () => {
      hubspot = await startHubSpotSandbox();
      const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
      spokes = await startSpokes({
        env: { SPOKES_SANDBOX: 'off', HUBSPOT_ACCESS_TOKEN: portal.privateAppToken!, HUBSPOT_BASE_URL: hubspot.url, SPOKES_PBX_ADDRESSES: POLICY },
      });
      internal = await listen('127.0.0.1', 0);
      // Where a redirecting "PBX" sends Spokes: an address the policy allows, so only "no redirects" protects it.
      sink = await listen('127.0.0.2', 0);
    });
    after(async () => {
      await spokes?.close();
      await Promise.all([internal, sink, ...servers].map((s) => s?.close()));
      await hubspot?.close();
    });

    const connect = (baseUrl: string) =>
      spokes.admin.request('PUT', '/api/telephony/connection', { baseUrl, clientId: 'spokes', clientSecret: 'the-client-secret' });

    it('refuses an address outside the policy, naming the address field, and connects nowhere', async () => {
      const port = internal.port;
      for (const baseUrl of [
        `http://127.0.0.1:${port}`,
        `http://localhost:${port}`,
        `http://0.0.0.0:${port}`,
        `http://[::ffff:127.0.0.1]:${port}`,
        `http://2130706433:${port}`,
        `http://169.254.169.254`,
      ]) {
        const res = await connect(baseUrl);
        assert.equal(res.status, 400, baseUrl);
        const error = await errorOf(res);
        assert.deepEqual(
          error.details!.map((d) => d.field),
          ['body.baseUrl'],
          baseUrl,
        );
        assert.match(error.message, /Spokes may not connect to this PBX address: .* SPOKES_PBX_ADDRESSES/, baseUrl);
      }
      assert.equal(internal.connections, 0);
    });

    it('says one sentence for a closed port, a refused TLS handshake, a web server that is no PBX and a redirect, and follows no redirect', async () => {
      const closed = await listen('127.0.0.2', 0);
      await closed.close();
      const web = await listen('127.0.0.2', 0, (_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
      const text = await listen('127.0.0.2', 0, (_req, res) => res.end('hello'));
      const redirect = await listen('127.0.0.2', 0, (req, res) => res.writeHead(307, { location: `http://127.0.0.2:${sink.port}${req.url}` }).end());
      servers.push(web, text, redirect);
      const cases = [
        `http://127.0.0.2:${closed.port}`,
        `https://127.0.0.2:${web.port}`,
        `http://127.0.0.2:${web.port}`,
        `http://127.0.0.2:${text.port}`,
        `http://127.0.0.2:${redirect.port}`,
      ];
      const sentences = new Set<string>();
      for (const baseUrl of cases) {
        const res = await connect(baseUrl);
        assert.equal(res.status, 400, baseUrl);
        const error = await errorOf(res);
        assert.deepEqual(
          error.details!.map((d) => d.field),
          ['body.baseUrl'],
          baseUrl,
        );
        assert.ok(error.message.startsWith(`Spokes could not reach a Yeastar PBX at ${baseUrl}.`), `${baseUrl}: ${error.message}`);
        sentences.add(error.message.replace(baseUrl, '<address>'));
      }
      assert.equal(sentences.size, 1, [...sentences].join('\n'));
      assert.equal(redirect.connections > 0, true, 'the redirecting server was asked');
      assert.equal(sink.connections, 0, 'the client secret was not re-sent where the redirect pointed');
    });
  });
});
