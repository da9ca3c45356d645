/**
 * HubSpot's token errors in their old shape (`{status, message}` without
 * RFC 6749's `error`, reference §1.2): the manifest's map makes the generic
 * token client read a refused refresh token or client as a refusal (the
 * connection needs re-authorization), keeps the body for HubSpot's wording,
 * and leaves other statuses plain rejections. A real HTTP server on loopback
 * stands for the token endpoint.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestToken, OAuthRefusedError } from '../../src/oauth/token-client.ts';
import { hubspotOAuthProvider } from '../../src/hubspot/manifest.ts';
import { describeTokenError } from '../../src/hubspot/install.ts';
import { RemoteRejectedError } from '../../src/errors.ts';

describe("HubSpot's token errors through the generic token client", () => {
  let server: Server;
  let url: string;
  /** What the endpoint answers next: HubSpot's `status` code. */
  let status = 'BAD_REFRESH_TOKEN';
  const forms: URLSearchParams[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        forms.push(new URLSearchParams(body));
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status, message: `message of ${status}`, correlationId: 'c-1' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = { clientId: 'the-client', clientSecret: 'the-secret', redirectUri: 'http://127.0.0.1:9/oauth/hubspot/callback' };
  const refresh = () => requestToken(hubspotOAuthProvider(url), client, { grant_type: 'refresh_token', refresh_token: 'r-1' });

  it('reads BAD_REFRESH_TOKEN as invalid_grant and BAD_CLIENT_SECRET as invalid_client, keeping the body for the wording', async () => {
    status = 'BAD_REFRESH_TOKEN';
    await assert.rejects(
      refresh(),
      (err: Error) => err instanceof OAuthRefusedError && err.oauthError === 'invalid_grant' && /message of BAD_REFRESH_TOKEN/.test(err.message),
    );
    status = 'BAD_CLIENT_SECRET';
    const err = await refresh().catch((e: unknown) => e);
    assert.ok(err instanceof OAuthRefusedError && err.oauthError === 'invalid_client');
    assert.match(describeTokenError(err), /the Client Secret is wrong/);
    // HubSpot takes the client's id and secret as form fields (no Basic header).
    assert.equal(forms.at(-1)?.get('client_id'), 'the-client');
    assert.equal(forms.at(-1)?.get('client_secret'), 'the-secret');
    assert.equal(forms.at(-1)?.get('refresh_token'), 'r-1');
  });

  it('leaves a status it does not map a plain rejection (not a reason to re-authorize)', async () => {
    status = 'BAD_GRANT_TYPE';
    await assert.rejects(refresh(), (err: Error) => err instanceof RemoteRejectedError && !(err instanceof OAuthRefusedError));
  });
});
