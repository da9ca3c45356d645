/**
 * Revoking agent sign-ins changes the widget key, so the widget URL in
 * HubSpot's calling settings (C1) goes stale: Spokes puts the new one there
 * itself, and tells the admin when it cannot (the revocation stands). Checked
 * against what the HubSpot emulator holds, in sandbox mode.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, screenshot, signIn, signInOverHttp, startSpokes, type AdminHttp, type SpokesUnderTest } from '../support/browser.ts';
import type { HubSpotSandbox } from '../../sandbox/hubspot/index.ts';

interface Rotated {
  generation: number;
  widgetUrl: string;
  callingSettings: { status: string; message: string; url?: string };
}

describe('the widget URL in HubSpot after sign-ins are revoked', () => {
  let spokes: SpokesUnderTest;
  let admin: AdminHttp;
  let hubspot: HubSpotSandbox;
  let spokesApp: { appId: number; developerApiKey: string };

  const registered = async (): Promise<Record<string, unknown> | null> => {
    const res = await fetch(`${hubspot.url}/crm/v3/extensions/calling/${spokesApp.appId}/settings?hapikey=${spokesApp.developerApiKey}`);
    if (res.status === 404) return null;
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json() as Record<string, unknown>;
  };
  const widgetUrl = async () => ((await (await admin.request('GET', '/api/telephony/agents')).json()) as { widgetUrl: string }).widgetUrl;
  async function rotate(): Promise<Rotated> {
    const res = await admin.request('POST', '/api/telephony/agents/rotate');
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json() as Rotated;
  }
  async function registerAs(settings: Record<string, unknown>): Promise<void> {
    if (await registered()) assert.equal((await admin.request('DELETE', '/api/hubspot/calling-settings')).status, 200);
    const res = await admin.request('POST', '/api/hubspot/calling-settings', {
      width: 400, height: 600, isReady: true, supportsCustomObjects: true, supportsInboundCalling: true, usesCallingWindow: false, usesRemote: false, ...settings,
    });
    assert.equal(res.status, 200, await res.clone().text());
  }

  before(async () => {
    spokes = await startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' } });
    admin = await signInOverHttp(spokes);
    hubspot = spokes.runtime.services.sandboxes!.hubspot;
    spokesApp = hubspot.info().apps.find((a) => a.name === 'Spokes')!;
  });
  after(async () => {
    hubspot?.setFaults({});
    await spokes?.stop();
  });

  it('puts the new widget URL into the registered calling settings, keeping the others, and the widget signs in with it', async () => {
    const before = await widgetUrl();
    await registerAs({ name: 'Acme phone', url: before, height: 640 });
    assert.equal((await registered())?.url, before);

    const rotated = await rotate();
    assert.notEqual(rotated.widgetUrl, before);
    assert.equal(rotated.callingSettings.status, 'updated', rotated.callingSettings.message);
    const now = await registered();
    assert.equal(now?.url, rotated.widgetUrl);
    assert.equal(rotated.callingSettings.url, rotated.widgetUrl);
    assert.deepEqual({ name: now?.name, height: now?.height, isReady: now?.isReady }, { name: 'Acme phone', height: 640, isReady: true });

    // What HubSpot now loads signs a salesperson in.
    const key = new URL(String(now?.url)).searchParams.get('key');
    const { portalId } = (await spokes.runtime.services.hubspot.store.connection())!;
    const agents = ((await (await admin.request('GET', '/api/telephony/agents')).json()) as { agents: { ownerId: string }[] }).agents;
    const session = await fetch(`${spokes.url}/agent-api/sessions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ widgetKey: key, portalId, ownerId: agents[0]!.ownerId }),
    });
    assert.equal(session.status, 200, await session.clone().text());
  });

  it('keeps the address of a widget URL registered under another host, changing only its key', async () => {
    const key = new URL(await widgetUrl()).searchParams.get('key')!;
    await registerAs({ name: 'Spokes phone', url: `https://phone.example.com/widget/?key=${key}` });
    const rotated = await rotate();
    assert.equal(rotated.callingSettings.status, 'updated', rotated.callingSettings.message);
    const newKey = new URL(rotated.widgetUrl).searchParams.get('key')!;
    assert.equal((await registered())?.url, `https://phone.example.com/widget/?key=${newKey}`);
  });

  it('revokes all the same when HubSpot fails, and tells the admin the widget URL there is stale', async () => {
    await registerAs({ name: 'Spokes phone', url: await widgetUrl() });
    const stale = (await registered())?.url;
    hubspot.setFaults({ serverErrorProbability: 1, serverErrorStatuses: [503], pathPrefixes: ['/crm/v3/extensions/calling'] });
    let rotated: Rotated;
    try {
      rotated = await rotate();
    } finally {
      hubspot.setFaults({});
    }
    assert.equal(rotated.callingSettings.status, 'failed');
    assert.match(rotated.callingSettings.message, /^The new widget URL could not be saved in HubSpot's calling settings \(.+\): the widget in HubSpot stops signing in until you put the new calling widget URL into HubSpot's calling settings yourself/);
    assert.equal((await registered())?.url, stale);
    assert.notEqual(rotated.widgetUrl, stale);
    // The old key is revoked nonetheless.
    const oldKey = new URL(String(stale)).searchParams.get('key');
    const { portalId } = (await spokes.runtime.services.hubspot.store.connection())!;
    const refused = await fetch(`${spokes.url}/agent-api/sessions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ widgetKey: oldKey, portalId, ownerId: '1' }),
    });
    assert.equal(refused.status, 401);
  });

  it('shows the admin who revokes on the Phone system page whether HubSpot has the new widget URL', async () => {
    await registerAs({ name: 'Spokes phone', url: await widgetUrl() });
    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser, spokes);
      await signIn(page, spokes, '/admin/phone-system');
      const revoke = async () => {
        await page.getByRole('button', { name: 'Revoke all sign-ins' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
      };
      await revoke();
      await page.getByRole('status').filter({ hasText: `HubSpot app ${spokesApp.appId}'s calling settings now hold the new widget URL.` }).waitFor();
      assert.equal((await registered())?.url, await page.getByRole('textbox', { name: 'Calling widget URL' }).inputValue());

      hubspot.setFaults({ serverErrorProbability: 1, serverErrorStatuses: [503], pathPrefixes: ['/crm/v3/extensions/calling'] });
      try {
        await revoke();
        await page.getByRole('alert').filter({ hasText: 'HubSpot still has the old widget URL' }).waitFor();
      } finally {
        hubspot.setFaults({});
      }
      assert.match(await page.getByRole('alert').filter({ hasText: 'HubSpot still has the old widget URL' }).innerText(), /could not be saved in HubSpot's calling settings/);
      assert.notEqual((await registered())?.url, await page.getByRole('textbox', { name: 'Calling widget URL' }).inputValue());
      await screenshot(page, 'admin-widget-url-stale-in-hubspot');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  it('leaves HubSpot alone when the app has no calling settings, or settings that are not a Spokes widget', async () => {
    assert.equal((await admin.request('DELETE', '/api/hubspot/calling-settings')).status, 200);
    const none = await rotate();
    assert.equal(none.callingSettings.status, 'not_registered', none.callingSettings.message);
    assert.equal(await registered(), null);

    await registerAs({ name: 'Other dialer', url: 'https://dialer.example.com/embed' });
    const other = await rotate();
    assert.equal(other.callingSettings.status, 'other_url', other.callingSettings.message);
    assert.equal((await registered())?.url, 'https://dialer.example.com/embed');
  });
});
