/**
 * Recording links (issue 9 item 5): what `/recordings/…` serves is audio only,
 * never a page on Spokes' origin; Spokes follows no redirect the PBX (or
 * whoever answers for it) sends for the download; every link expires and a
 * rotation revokes them all; and a call in HubSpot still plays its recording
 * after that, because HubSpot asks Spokes for a fresh link (the calling app's
 * authenticated-recording URL) — here through the HubSpot emulator's record page.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { telephonyContext } from '../../src/connectors/telephony/context.ts';
import { freshNumber, startTelephony, type Engagement, type Telephony } from './telephony-support.ts';

/** A server on this machine standing for an internal service (what an attacker wants to read). */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server: Server = createServer((req, res) => {
    state.hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Recording links', () => {
  let t: Telephony;
  let recorded: Engagement;
  let rowId: string;

  before(async () => {
    t = await startTelephony();
    const number = freshNumber();
    const contact = await t.createContact({ firstname: 'Grace', lastname: 'Hopper', phone: number });
    const { call_id } = t.pbx.simulateCall({
      direction: 'inbound',
      external: number,
      extension: '1001',
      outcome: 'answered',
      ringSeconds: 0.2,
      talkSeconds: 1,
    });
    [recorded] = await t.engagementsOf(call_id);
    assert.ok(recorded?.contacts.includes(contact.contactId));
    rowId = decodeURIComponent(new URL(recorded!.properties.hs_call_recording_url!).pathname.split('/').pop()!);
  });
  after(() => t.close());

  const links = () => telephonyContext(t.runtime.services.platform.context('telephony')).recordingLinks;

  it('serves the recording as audio only: nosniff, a sandboxing CSP and a file name; the link expires in 7 days', async () => {
    const link = new URL(recorded.properties.hs_call_recording_url!);
    const exp = Number(link.searchParams.get('exp'));
    assert.ok(Math.abs(exp * 1000 - (Date.now() + 7 * 24 * 3600_000)) < 120_000, `expires in 7 days: ${link}`);
    const res = await fetch(link);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; sandbox/);
    assert.match(res.headers.get('content-disposition') ?? '', /^inline; filename="[\w.-]+\.wav"$/);
    assert.equal(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
      'RIFF',
    );
  });

  it('refuses an expired link, and an old link without expiry, unless a signed-in admin opens it: then a fresh link', async () => {
    const expired = `${t.url}${await links().path(rowId, -60_000)}`;
    const legacy = `${t.url}/recordings/${encodeURIComponent(rowId)}?sig=${t.runtime.services.secretBox.sign(rowId, 'recording')}`;
    for (const link of [expired, legacy]) {
      const res = await fetch(link, { redirect: 'manual' });
      assert.equal(res.status, 410, link);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /expired/);
      const admin = await fetch(link, { redirect: 'manual', headers: { cookie: t.admin.cookie } });
      assert.equal(admin.status, 302);
      const fresh = new URL(admin.headers.get('location')!, t.url);
      assert.ok(Number(fresh.searchParams.get('exp')) * 1000 <= Date.now() + 3600_000 + 5_000, 'a fresh link lives an hour');
      assert.equal((await fetch(fresh)).status, 200);
    }
  });

  it("plays from HubSpot's timeline through the calling app's recording URL, which only HubSpot may call", async () => {
    const p = recorded.properties;
    const call = await t.crm(
      'GET',
      `/crm/v3/objects/calls/${recorded.id}?properties=hs_call_app_id,hs_call_external_account_id,hs_call_source,hs_call_external_id`,
    );
    assert.equal(call.properties.hs_call_source, 'INTEGRATIONS_PLATFORM');
    assert.equal(call.properties.hs_call_external_account_id, String(t.portalId));
    assert.ok(call.properties.hs_call_app_id, 'the calling app is named');
    // The record page's player asks HubSpot, which asks Spokes for a fresh link.
    const page = await (await fetch(`${t.hubspot.url}/contacts/${t.portalId}/record/0-1/${recorded.contacts[0]}`)).text();
    const player = new RegExp(`<audio[^>]*src="(/contacts/${t.portalId}/calls/${recorded.id}/recording)"`).exec(page)?.[1];
    assert.ok(player, 'the player goes through HubSpot');
    const hop = await fetch(`${t.hubspot.url}${player}`, { redirect: 'manual' });
    assert.equal(hop.status, 302, await hop.clone().text());
    const fresh = new URL(hop.headers.get('location')!);
    assert.equal(fresh.origin, new URL(t.url).origin);
    assert.notEqual(fresh.toString(), p.hs_call_recording_url, 'a fresh link, not the stored one');
    assert.equal((await fetch(fresh)).status, 200);

    // Nobody else gets a link from that URL: no signature, a forged one, another app or account.
    const direct = `${t.url}/hubspot/calling/recordings/${encodeURIComponent(call.properties.hs_call_external_id)}?externalAccountId=${t.portalId}&appId=${call.properties.hs_call_app_id}`;
    assert.equal((await fetch(direct)).status, 401);
    const forged = await fetch(direct, { headers: { 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(Date.now()) } });
    assert.equal(forged.status, 401);
  });

  it("revokes every link at once (admin only), while HubSpot's timeline still plays the call", async () => {
    const stored = recorded.properties.hs_call_recording_url!;
    const play = `${t.url}${await links().path(rowId, 3600_000)}`;
    assert.equal((await fetch(stored)).status, 200);
    // Not without an admin session, nor without its CSRF token.
    assert.equal((await fetch(`${t.url}/api/telephony/recording-links/revoke`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${t.url}/api/telephony/recording-links/revoke`, { method: 'POST', headers: { cookie: t.admin.cookie } })).status, 403);
    const res = await t.admin.request('POST', '/api/telephony/recording-links/revoke');
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await fetch(stored)).status, 404, 'the link in HubSpot is revoked');
    assert.equal((await fetch(play)).status, 404, 'so is a fresh one handed out before');
    const hop = await fetch(`${t.hubspot.url}/contacts/${t.portalId}/calls/${recorded.id}/recording`, { redirect: 'manual' });
    assert.equal(hop.status, 302);
    assert.equal((await fetch(hop.headers.get('location')!)).status, 200, 'HubSpot gets a new link');
  });

  it('follows no redirect of the recording download and serves nothing but audio', async () => {
    const internal = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>internal admin</h1><script>alert(document.domain)</script>'),
    );
    // Whoever answers for the PBX: the API passes through, the recording download is answered by `download`.
    const pbx = new URL(t.pbx.url);
    let download: (res: ServerResponse) => void = () => {};
    const front = await serve((req, res) => {
      if (req.url!.startsWith('/api/download/')) return download(res);
      const upstream = httpRequest({ host: pbx.hostname, port: pbx.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    try {
      const info = t.pbx.info();
      const connect = await t.admin.request('PUT', '/api/telephony/connection', {
        baseUrl: front.url,
        clientId: info.clientId,
        clientSecret: info.clientSecret,
      });
      assert.equal(connect.status, 200, await connect.clone().text());
      const link = `${t.url}${await links().path(rowId, 3600_000)}`;
      for (const answer of [
        (res: ServerResponse) => res.writeHead(302, { location: `${internal.url}/admin` }).end(),
        (res: ServerResponse) => res.writeHead(307, { location: `${internal.url}/admin` }).end(),
        (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<script>alert(document.domain)</script>'),
      ]) {
        download = answer;
        const res = await fetch(link);
        const body = await res.text();
        assert.equal(res.status, 502, body);
        assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        assert.doesNotMatch(body, /<script>|internal admin/);
      }
      assert.equal(internal.hits, 0, 'the internal service was never asked');
      // A PBX that says only octet-stream: served as the file's audio type, which a browser never renders as a page.
      download = (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('<script>alert(1)</script>');
      const res = await fetch(link);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'audio/wav');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
    } finally {
      await front.close();
      await internal.close();
    }
  });

  it('revokes every link when the phone system is disconnected', async () => {
    const play = `${t.url}${await links().path(rowId, 3600_000)}`;
    const res = await t.admin.request('DELETE', '/api/telephony/connection');
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await fetch(play)).status, 404);
  });
});
