import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, screenshot, signIn } from '../support/browser.ts';
import { startSpokes, type Spokes } from '../support/world.ts';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';

describe('admin UI in Chromium', () => {
  let spokes: Spokes;
  let browser: Browser;
  before(async () => {
    [spokes, browser] = await Promise.all([startSpokes(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
  });

  it('sends a visitor to sign-in, refuses a wrong password, and signs in by typing and clicking', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await page.goto('/admin/hubspot');
    await page.getByRole('heading', { name: 'Sign in to the admin' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in');

    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That password is not correct.').waitFor();
    await screenshot(page, 'admin-sign-in-wrong-password');

    await page.getByLabel('Password', { exact: true }).fill(spokes.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'HubSpot', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/hubspot');
    assert.equal(await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'HubSpot' }).getAttribute('aria-current'), 'page');
    assert.equal(
      await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'Phone system' }).getAttribute('href'),
      '/admin/phone-system',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('shows the HubSpot page: status, Redirect URL, webhook URL and scopes, each copied with one click', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/hubspot');
    await page.getByText('Not connected', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Redirect URL', { exact: true }).inputValue(), `${spokes.url}/oauth/hubspot/callback`);
    assert.equal(await page.getByLabel('Webhook URL', { exact: true }).inputValue(), `${spokes.url}/webhooks/hubspot`);
    const chips = await page.getByRole('list', { name: 'Scopes to tick' }).getByRole('listitem').allInnerTexts();
    assert.deepEqual(chips, [...HUBSPOT.requiredScopes, ...HUBSPOT.optionalScopes]);
    for (const step of [
      'In your HubSpot developer account, create an app.',
      "Paste the Redirect URL on the app's Auth tab.",
      'Add these scopes on the Auth tab too, in its Scopes section.',
      'Paste the Client ID and Client Secret here and save.',
      'Connect.',
    ]) {
      await page.getByText(step, { exact: true }).waitFor();
    }
    await screenshot(page, 'admin-hubspot-not-connected');

    await page.getByRole('button', { name: 'Copy: Redirect URL' }).click();
    await page.getByRole('button', { name: 'Copy: Redirect URL' }).getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${spokes.url}/oauth/hubspot/callback`);

    await page.getByRole('button', { name: 'Copy all scopes' }).click();
    await page.getByRole('button', { name: 'Copy all scopes' }).getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), [...HUBSPOT.requiredScopes, ...HUBSPOT.optionalScopes].join(' '));
    await screenshot(page, 'admin-hubspot-copied');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('checks the credentials form before opening any tab, and explains server errors in plain words', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/hubspot');
    let tabs = 0;
    context.on('page', () => tabs++);
    await page.getByRole('button', { name: 'Save and connect' }).click();
    await page.getByText("Enter the Client ID from the app's Auth tab.").waitFor();
    await page.getByText("Enter the Client Secret from the app's Auth tab.").waitFor();
    assert.equal(tabs, 0);
    assert.equal(await page.getByLabel('Client ID').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'admin-hubspot-form-errors');

    // The session ends behind the page's back: the next action says so and leads to sign-in.
    await spokes.runtime.database.query(sql`delete from admin_sessions`);
    await page.getByLabel('Client ID').fill('an-app-client-id');
    await page.getByLabel('Client Secret').fill('an-app-client-secret');
    await page.getByRole('button', { name: 'Save and connect' }).click();
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/admin/hubspot');
    // The tab opened for HubSpot is closed again: nothing to show in it.
    assert.equal(context.pages().length, 1);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('signs out: back on the sign-in page, and admin pages ask for the password again', async () => {
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in');
    await page.goto('/admin/hubspot');
    await page.getByRole('heading', { name: 'Sign in to the admin' }).waitFor();
    const session = await page.evaluate(async () => (await fetch('/api/session')).json());
    assert.deepEqual(session, { signedIn: false });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
