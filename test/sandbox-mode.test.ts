/**
 * `npm start` with no HubSpot credentials runs against the built-in sandbox
 * and comes up connected; `GET /api/sandbox` tells scripts where the emulators
 * are; `spokes sandbox` runs the emulators alone.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSpokes, signInOverHttp, freePortRange, type Spokes } from './support/world.ts';
import { runSpokes } from './support/processes.ts';
import { request as httpRequest } from 'node:http';
import type { HubSpotStatus } from '../src/hubspot/service.ts';

/** A request to 127.0.0.1 with the Host header given (fetch sets its own). */
function rawRequest(port: number, method: string, path: string, host: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, headers: { host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('sandbox mode', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('comes up connected to the HubSpot sandbox and describes the emulators at GET /api/sandbox', async () => {
    const spokes: Spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'auto', SPOKES_SANDBOX_PORT: '0' } });
    cleanup.push(() => spokes.close());
    const res = await fetch(`${spokes.url.replace('localhost', '127.0.0.1')}/api/sandbox`);
    assert.equal(res.status, 200);
    const info = (await res.json()) as {
      hubspot: {
        system: string;
        baseUrl: string;
        portals: { portalId: number; name: string; type: string; privateAppToken: string }[];
        apps: { appId: number; clientId: string; clientSecret: string; redirectUrls: string[] }[];
      };
      yeastar: {
        system: string;
        baseUrl: string;
        clientId: string;
        clientSecret: string;
        webhookSecret: string;
        extensions: { number: string; name: string; email: string }[];
      };
    };
    assert.equal(info.hubspot.system, 'hubspot');
    assert.match(info.hubspot.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(info.hubspot.portals.some((p) => p.type === 'STANDARD' && p.privateAppToken.startsWith('pat-')));
    assert.ok(info.hubspot.portals.some((p) => p.type === 'DEVELOPER_TEST'));
    assert.ok(
      info.hubspot.apps.some((a) => a.redirectUrls.includes(`${spokes.url}/oauth/hubspot/callback`)),
      'Spokes registered itself as an app',
    );
    assert.equal(info.yeastar.system, 'yeastar');
    assert.ok(info.yeastar.extensions.length >= 3);

    const admin = await signInOverHttp(spokes);
    const status = (await (await admin.request('GET', '/api/hubspot')).json()) as HubSpotStatus;
    assert.equal(status.sandbox, true);
    assert.equal(status.connection?.status, 'connected');
    assert.equal(status.connection?.kind, 'oauth', 'through the same OAuth code exchange a user performs');
    assert.equal(status.connection?.portalId, info.hubspot.portals.find((p) => p.type === 'STANDARD')!.portalId);

    // Only direct requests from this machine: a request relayed by a proxy is refused.
    const relayed = await fetch(`${spokes.url}/api/sandbox`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(relayed.status, 403);

    // … and only when addressed to this machine by a loopback name: a DNS-rebinding page that points its own
    // name at 127.0.0.1 reaches the socket from loopback, but its requests carry that name in Host.
    const port = Number(new URL(spokes.url).port);
    const loopbackOnly: [string, string, string | undefined][] = [
      ['GET', '/api/sandbox', undefined],
      ['GET', '/api/status', undefined],
      ['POST', '/api/status/retry', '{}'],
    ];
    for (const [method, path, body] of loopbackOnly) {
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
        assert.equal((await rawRequest(port, method, path, host, body)).status, 200, `${method} ${path} with Host: ${host}`);
      }
      for (const host of [`rebind.example:${port}`, 'attacker.example', `127.0.0.1.nip.io:${port}`, `localhost.attacker.example:${port}`]) {
        const res = await rawRequest(port, method, path, host, body);
        assert.equal(res.status, 403, `${method} ${path} with Host: ${host}`);
        assert.doesNotMatch(res.text, /clientSecret|privateAppToken|queues/, 'nothing of the answer leaks');
      }
    }
  });

  it('answers 404 at /api/sandbox when HubSpot credentials are configured, and keeps the app credentials for Connect', async () => {
    const clientId = '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
    const spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'auto', HUBSPOT_CLIENT_ID: clientId, HUBSPOT_CLIENT_SECRET: 'app-secret-from-env' } });
    cleanup.push(() => spokes.close());
    const res = await fetch(`${spokes.url}/api/sandbox`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /not running in sandbox mode/);
    const admin = await signInOverHttp(spokes);
    const status = (await (await admin.request('GET', '/api/hubspot')).json()) as HubSpotStatus;
    assert.equal(status.sandbox, false);
    assert.deepEqual(status.app, { clientId, clientSecretSet: true });
    assert.equal(status.connection, null);
  });

  it('`spokes sandbox` runs the emulators alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spokes-sandbox-cli-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // One port per emulator: HubSpot, the PBX, Sansan, Cal.com, immedio.
    const port = await freePortRange(5);
    const p = runSpokes(['sandbox'], { SPOKES_DATA_DIR: dataDir, SPOKES_SANDBOX_PORT: String(port) });
    cleanup.push(async () => {
      p.child.kill('SIGTERM');
      await p.exited;
    });
    await p.waitFor(/Sandbox emulators are running/, 60_000);
    const hubspot = (await (await fetch(`http://127.0.0.1:${port}/sandbox/info`)).json()) as { system: string };
    assert.equal(hubspot.system, 'hubspot');
    const yeastar = (await (await fetch(`http://127.0.0.1:${port + 1}/sandbox/info`)).json()) as { system: string };
    assert.equal(yeastar.system, 'yeastar');
  });
});
