/**
 * C1: registering the calling widget with HubSpot's calling settings — the
 * admin page's Calling widget section (in Chromium), its API's refusals, and
 * `spokes calling-settings register|update|show|delete` — always checked
 * against what the HubSpot emulator holds; and the record page honouring
 * `isReady` and HubSpot's localStorage override.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { screenshot, signIn } from '../support/browser.ts';
import { runSpokesToEnd } from '../support/processes.ts';
import { freshUsNumber, startWidgetWorld, widgetIn, type WidgetWorld } from './widget-support.ts';

describe('calling widget registration', () => {
  let world: WidgetWorld;
  let spokesApp: { appId: number; developerApiKey: string };
  const settingsOf = async (appId: number) => {
    const res = await fetch(`${world.hubspot.url}/crm/v3/extensions/calling/${appId}/settings?hapikey=${spokesApp.developerApiKey}`);
    return res.status === 404 ? null : ((await res.json()) as Record<string, unknown>);
  };
  before(async () => {
    world = await startWidgetWorld();
    spokesApp = world.hubspot.info().apps.find((a) => a.name === 'Spokes')!;
  });
  after(async () => {
    await world?.close();
  });

  it('sandbox mode registers the widget by itself; the admin page shows and changes it, and the record page follows isReady and the override', async () => {
    const { widgetUrl } = (await (await world.admin.request('GET', '/api/telephony/agents')).json()) as { widgetUrl: string };
    const registered = await settingsOf(spokesApp.appId);
    assert.equal(registered?.url, widgetUrl);
    assert.equal(registered?.isReady, true);

    const { page, errors } = await world.open();
    await signIn(page, world.spokes, '/admin/hubspot');
    const card = page.getByTestId('calling-widget');
    await card.waitFor();
    assert.equal(await page.getByLabel('Widget URL').inputValue(), widgetUrl);
    assert.equal(await page.getByLabel('Name in HubSpot').inputValue(), 'Spokes phone');
    assert.match(
      await page.getByRole('textbox', { name: /Test in one browser/ }).inputValue(),
      /^localStorage\.setItem\("LocalSettings:Calling:CallingExtensions", JSON\.stringify\(\{"name":"Spokes phone","url":".*\/widget\/","isReady":true\}\)\);$/,
    );
    await screenshot(page, 'admin-calling-widget');

    // Testing mode: not ready for everyone.
    await page.getByLabel('Name in HubSpot').fill('Acme phone');
    await page.getByLabel('Ready for every user (isReady)').uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Registered · testing').waitFor();
    const changed = await settingsOf(spokesApp.appId);
    assert.equal(changed?.name, 'Acme phone');
    assert.equal(changed?.isReady, false);

    // The record page hides a widget that is not ready… until this browser has HubSpot's override.
    const contactId = await world.createContact({ firstname: 'Ines', lastname: 'Moreau', phone: freshUsNumber().display });
    await page.goto(world.recordUrl(contactId));
    await page.waitForFunction(() => (window as unknown as { document: Document }).document.querySelector('[data-testid="calling-panel"]') !== null);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.getByTestId('calling-panel').isVisible(), false, 'no widget while isReady is false');
    const snippet = await (async () => {
      // The admin copies the snippet from the admin page (same browser, already signed in).
      const p2 = await page.context().newPage();
      await p2.goto('/admin/hubspot');
      const value = await p2.getByRole('textbox', { name: /Test in one browser/ }).inputValue();
      await p2.close();
      return value;
    })();
    await page.evaluate(snippet);
    await page.reload();
    // The widget is there (it asks this new browser to sign in).
    await widgetIn(page).locator('[data-testid="signed-out"][data-code="sign_in"]').waitFor();
    assert.equal(await page.getByTestId('calling-panel').getAttribute('data-provider'), 'Acme phone');

    // Back to ready, and the override removed.
    await page.evaluate(() => localStorage.removeItem('LocalSettings:Calling:CallingExtensions'));
    const back = await world.admin.request('PATCH', '/api/hubspot/calling-settings', { name: 'Spokes phone', isReady: true });
    assert.equal(back.status, 200);
    assert.deepEqual(errors, []);
  });

  it('refuses bad settings and bad credentials with clear errors, and never shows the developer key again', async () => {
    const bad = await world.admin.request('PATCH', '/api/hubspot/calling-settings', { width: 50, url: 'http://dialer.example.com/widget' });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { message: string; details: { field: string; message: string }[] } };
    assert.deepEqual(body.error.details.map((d) => d.field).sort(), ['body.url', 'body.width']);
    assert.match(body.error.message, /url must be an https:\/\/ address \(http:\/\/ only for localhost\)/);
    assert.match(body.error.message, /width at least 200 pixels/);

    const wrongKey = await world.admin.request('PUT', '/api/hubspot/calling-settings/credentials', {
      appId: String(spokesApp.appId),
      developerApiKey: 'not-the-developer-key',
    });
    assert.equal(wrongKey.status, 400);
    assert.match(JSON.stringify(await wrongKey.json()), /HubSpot refused this key/);
    const notANumber = await world.admin.request('PUT', '/api/hubspot/calling-settings/credentials', {
      appId: 'my app',
      developerApiKey: spokesApp.developerApiKey,
    });
    assert.equal(notANumber.status, 400);

    const saved = await world.admin.request('PUT', '/api/hubspot/calling-settings/credentials', {
      appId: String(spokesApp.appId),
      developerApiKey: spokesApp.developerApiKey,
    });
    assert.equal(saved.status, 200);
    const text = await saved.text();
    assert.ok(!text.includes(spokesApp.developerApiKey), 'the key is write-only');
    const view = JSON.parse(text) as { credentials: { appId: number; source: string; developerApiKeySet: boolean }; settings: { name: string } };
    assert.deepEqual(view.credentials, { appId: spokesApp.appId, source: 'saved', developerApiKeySet: true });
    assert.equal(view.settings.name, 'Spokes phone');
    // Saving the app id again without a key keeps the saved key.
    const again = await world.admin.request('PUT', '/api/hubspot/calling-settings/credentials', { appId: String(spokesApp.appId) });
    assert.equal(again.status, 200);
    const all = await (await world.admin.request('GET', '/api/hubspot/calling-settings')).text();
    assert.ok(!all.includes(spokesApp.developerApiKey));
  });

  it('spokes calling-settings registers, shows, updates and deletes through the developer API', async () => {
    const app = world.hubspot.info().apps.find((a) => a.name !== 'Spokes')!;
    const dataDir = mkdtempSync(join(tmpdir(), 'spokes-cli-calling-'));
    try {
      const env = { SPOKES_DATA_DIR: dataDir, SPOKES_SANDBOX: 'off', HUBSPOT_BASE_URL: world.hubspot.url, SPOKES_LOG_LEVEL: 'warn' };
      const creds = ['--app-id', String(app.appId), '--developer-key', app.developerApiKey];
      const url = 'https://spokes.acme.example/widget/?key=abc';

      const reg = await runSpokesToEnd(['calling-settings', 'register', ...creds, '--url', url, '--name', 'Acme dialer'], env);
      assert.equal(reg.code, 0, reg.output);
      assert.match(reg.output, /Calling widget registered\./);
      assert.match(reg.output, /isReady +no \(testing/);
      assert.match(reg.output, /localStorage\.setItem\("LocalSettings:Calling:CallingExtensions"/);
      assert.ok(!reg.output.includes(app.developerApiKey));
      assert.deepEqual(
        (({ name, url: u, width, height, isReady, supportsInboundCalling, supportsCustomObjects, usesCallingWindow, usesRemote }) => ({
          name,
          url: u,
          width,
          height,
          isReady,
          supportsInboundCalling,
          supportsCustomObjects,
          usesCallingWindow,
          usesRemote,
        }))((await settingsOf(app.appId))!),
        {
          name: 'Acme dialer',
          url,
          width: 400,
          height: 600,
          isReady: false,
          supportsInboundCalling: true,
          supportsCustomObjects: true,
          usesCallingWindow: false,
          usesRemote: false,
        },
      );

      const twice = await runSpokesToEnd(['calling-settings', 'register', '--url', url], env);
      assert.equal(twice.code, 1);
      assert.match(twice.output, /already has calling settings: update them instead/);

      const upd = await runSpokesToEnd(['calling-settings', 'update', '--ready', '--height', '640'], env);
      assert.equal(upd.code, 0, upd.output);
      const shown = await runSpokesToEnd(['calling-settings', 'show', '--json'], env);
      assert.equal(shown.code, 0, shown.output);
      const json = JSON.parse(shown.output.slice(shown.output.indexOf('{'))) as { isReady: boolean; height: number; name: string };
      assert.deepEqual([json.isReady, json.height, json.name], [true, 640, 'Acme dialer']);

      const badWidth = await runSpokesToEnd(['calling-settings', 'update', '--width', 'wide'], env);
      assert.equal(badWidth.code, 1);
      assert.match(badWidth.output, /--width is a number of pixels, e\.g\. 400 \(got "wide"\)/);

      const del = await runSpokesToEnd(['calling-settings', 'delete'], env);
      assert.equal(del.code, 0, del.output);
      assert.match(del.output, /Calling settings deleted/);
      assert.equal(await settingsOf(app.appId), null);
      const none = await runSpokesToEnd(['calling-settings', 'show'], env);
      assert.equal(none.code, 0, none.output);
      assert.match(none.output, /No calling settings are registered for this app/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
