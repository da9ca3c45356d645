/**
 * The widget page may be framed by HubSpot (and, in sandbox mode, by the HubSpot
 * emulator's record pages) and by nobody else; the admin and agent pages by no one.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSpokes, type Spokes } from '../support/world.ts';

describe('calling widget page', () => {
  let spokes: Spokes;
  before(async () => {
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' } });
  });
  after(async () => {
    await spokes?.close();
  });

  it('is framable by app.hubspot.com, *.hubspot.com and the sandbox only, and sends no Referer', async () => {
    const res = await fetch(`${spokes.url}/widget/?key=anything`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>Spokes phone<\/title>/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(' ') ?? [];
    const port = new URL(spokes.runtime.services.sandboxes!.hubspot.url).port;
    assert.deepEqual(ancestors.sort(), ['http://127.0.0.1:' + port, 'http://localhost:' + port, 'https://*.hubspot.com', 'https://app.hubspot.com'].sort());
    assert.equal(res.headers.get('x-frame-options'), null);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.match(csp, /connect-src 'self'/);
  });

  it('leaves the admin pages unframable', async () => {
    const res = await fetch(`${spokes.url}/admin/sign-in`);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });
});
