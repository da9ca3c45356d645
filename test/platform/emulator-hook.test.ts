/**
 * The emulator hook: in sandbox mode a connector sets itself up against its
 * emulator — connected and enabled through its own lifecycle — before Spokes
 * says it is ready, so a newcomer's `npm start` comes up working.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startSpokes, signInOverHttp, type Spokes } from '../support/world.ts';
import { defineConnector } from '../../src/platform/connector.ts';
import { ValidationError } from '../../src/errors.ts';
import type { ApiConnection } from '../../src/platform/wire.ts';

/** A connector whose "remote" is the HubSpot emulator's account: connect checks the private-app token there. */
const mirror = defineConnector({
  manifest: { slug: 'mirror', name: 'Mirror', features: [], hubspotScopes: [], connections: 'one' },
  settings: z.object({}),
  credentials: z.object({ token: z.string() }),
  connectInput: z.object({ baseUrl: z.url(), token: z.string().min(1) }),
  lifecycle: {
    async connect(_ctx, input) {
      const res = await fetch(`${input.baseUrl}/account-info/v3/details`, { headers: { authorization: `Bearer ${input.token}` } });
      if (!res.ok) throw new ValidationError('the emulator refused the token', [{ field: 'input.token', message: 'refused' }]);
      const account = (await res.json()) as { portalId: number };
      return { label: `Portal ${account.portalId}`, credentials: { token: input.token } };
    },
    disconnect: async () => {},
    status: async () => ({ health: 'ok', summary: 'mirrored' }),
  },
  jobs: [],
  emulator: {
    system: 'hubspot',
    async setUp(ctx, sandboxes, lifecycle) {
      if ((await ctx.connections.list()).length) return;
      const portal = sandboxes.hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
      const { id } = await lifecycle.connect({ baseUrl: sandboxes.hubspot.url, token: portal.privateAppToken });
      await lifecycle.enable(id);
    },
  },
});

describe('the emulator hook (sandbox mode)', () => {
  let spokes: Spokes | undefined;
  after(async () => {
    await spokes?.close();
  });

  it('connects and enables a connector against its emulator before the start completes', { timeout: 110_000 }, async () => {
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' }, connectors: [mirror] });
    const admin = await signInOverHttp(spokes);
    const { connections } = (await (await admin.request('GET', '/api/connections?connector=mirror')).json()) as { connections: ApiConnection[] };
    const portal = spokes.runtime.services.sandboxes!.hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
    assert.deepEqual(
      connections.map((c) => [c.label, c.state]),
      [[`Portal ${portal.portalId}`, 'enabled']],
    );
    assert.equal(spokes.runtime.services.sandboxStatus, 'ready');
  });
});
