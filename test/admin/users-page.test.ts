/**
 * The Users page and invitations in Chromium, at 1280 px and 390 px wide: the
 * owner invites a manager and a member (the link copied from the page), each
 * opens their link in a browser of their own and chooses a password; the
 * member finds the connect buttons disabled and is told why, and is signed
 * out the moment the owner removes them; a used link says it no longer works.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, signIn, type TestPage } from '../support/browser.ts';
import { startSpokes, type Spokes } from '../support/world.ts';

async function at(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
}

describe('Users page and invitations in Chromium', () => {
  let spokes: Spokes;
  let browser: Browser;
  let owner: TestPage;
  const links: Record<string, string> = {};
  before(async () => {
    [spokes, browser] = await Promise.all([startSpokes(), launchChromium()]);
    owner = await openPage(browser, spokes);
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
  });

  async function inviteFromPage(email: string, role: 'Manager' | 'Member'): Promise<string> {
    const { page } = owner;
    await page.getByLabel('E-mail', { exact: true }).fill(email);
    await page.getByLabel('Role', { exact: true }).selectOption({ label: role });
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    const field = page.getByLabel('Invitation link', { exact: true });
    await page.getByText(`Invitation for ${email}`).waitFor();
    const link = await field.inputValue();
    await page.getByRole('button', { name: 'Copy: Invitation link' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    return link;
  }

  async function accept(link: string, password: string): Promise<TestPage> {
    const person = await openPage(browser, spokes);
    await person.page.goto(link);
    await person.page.getByRole('heading', { name: 'Join this Spokes' }).waitFor();
    await person.page.getByLabel('New password').fill('short');
    await person.page.getByLabel('Repeat the password').fill('short');
    await person.page.getByRole('button', { name: 'Set password and sign in' }).click();
    await person.page.getByText('Choose a password of at least 12 characters.').waitFor();
    await screenshot(person.page, 'admin-invite-open-1280');
    await at(person.page, 390);
    await screenshot(person.page, 'admin-invite-open-390');
    await at(person.page, 1280);
    await person.page.getByLabel('New password').fill(password);
    await person.page.getByLabel('Repeat the password').fill(password);
    await person.page.getByRole('button', { name: 'Set password and sign in' }).click();
    await person.page.getByRole('button', { name: 'Sign out' }).waitFor();
    // The token does not stay in the address bar.
    assert.doesNotMatch(person.page.url(), /#/);
    return person;
  }

  it('lets the owner invite people with a role and copy the one-time link', async () => {
    const { page, errors } = owner;
    await signIn(page, spokes, '/admin/overview');
    await page.getByRole('navigation', { name: 'Spokes' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Users' }).getByText('admin (you)').waitFor();
    links.manager = await inviteFromPage('manager@example.com', 'Manager');
    links.member = await inviteFromPage('member@example.com', 'Member');
    assert.match(links.member!, new RegExp(`^${spokes.url}/admin/invite#[\\w-]{40,}$`));
    await page.getByRole('table', { name: 'Pending invitations' }).getByText('member@example.com').waitFor();
    await screenshot(page, 'admin-users-invite-1280');
    await at(page, 390);
    await screenshot(page, 'admin-users-invite-390');
    await at(page, 1280);
    assert.deepEqual(errors, []);
  });

  it('signs an invited manager in with the password they choose; a used link no longer works', async () => {
    const manager = await accept(links.manager!, 'manager-password-12');
    await manager.page.locator('.sidebar-user').getByText('manager@example.com').waitFor();
    await manager.page.locator('.sidebar-user').getByText('Manager', { exact: true }).waitFor();
    // Managers connect things: the buttons work, and the Users page is not in their navigation.
    await manager.page.goto('/admin/hubspot');
    await manager.page.getByRole('button', { name: 'Save and connect' }).waitFor();
    assert.equal(await manager.page.getByRole('button', { name: 'Save and connect' }).isEnabled(), true);
    assert.equal(await manager.page.getByRole('navigation', { name: 'Spokes' }).getByRole('link', { name: 'Users' }).count(), 0);

    const replay = await openPage(browser, spokes);
    await replay.page.goto(links.manager!);
    await replay.page.getByText('This link does not work').waitFor();
    await replay.page.getByText(/already used, it has expired or it was withdrawn/).waitFor();
    await screenshot(replay.page, 'admin-invite-used-1280');
    // Later visits: the sign-in page, with the e-mail address and that password.
    await manager.page.getByRole('button', { name: 'Sign out' }).click();
    await manager.page.getByRole('heading', { name: 'Sign in to the admin' }).waitFor();
    await manager.page.getByLabel('E-mail', { exact: true }).fill('Manager@Example.com');
    await manager.page.getByLabel('Password', { exact: true }).fill('not-the-password-1');
    await manager.page.getByRole('button', { name: 'Sign in' }).click();
    await manager.page.getByText('That e-mail address and password do not match.').waitFor();
    await manager.page.getByLabel('Password', { exact: true }).fill('manager-password-12');
    await manager.page.getByRole('button', { name: 'Sign in' }).click();
    await manager.page.locator('.sidebar-user').getByText('manager@example.com').waitFor();
    assert.deepEqual(manager.errors, []);
    await Promise.all([manager.context.close(), replay.context.close()]);
  });

  it('shows a member the connect buttons disabled with the reason, and signs them out when the owner removes them', async () => {
    const member = await accept(links.member!, 'member-password-12');
    const { page } = member;
    await page.goto('/admin/hubspot');
    await page
      .getByRole('note')
      .getByText(/You are signed in as a member/)
      .waitFor();
    const connect = page.getByRole('button', { name: 'Save and connect' });
    await connect.waitFor();
    assert.equal(await connect.isDisabled(), true);
    assert.equal(await connect.getAttribute('title'), 'Needs the manager or owner role');
    await page.getByText('Use a private-app access token instead').click();
    assert.equal(await page.getByRole('button', { name: 'Connect with token' }).isDisabled(), true);
    await screenshot(page, 'admin-member-hubspot-1280');
    await at(page, 390);
    await screenshot(page, 'admin-member-hubspot-390');
    await at(page, 1280);
    // The server refuses it too, naming the role: the page is not the guard.
    const refused = await page.evaluate(async () => {
      const session = await (await fetch('/api/session')).json();
      const res = await fetch('/api/hubspot/app', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ clientId: 'x', clientSecret: 'y' }),
      });
      return { status: res.status, body: await res.json() };
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /The manager role is needed/);

    // The owner changes the member's role, then removes them.
    await owner.page.reload();
    const roleOfMember = owner.page.getByLabel('Role of member@example.com');
    await roleOfMember.selectOption('manager');
    await owner.page.getByText('member@example.com is now manager.').waitFor();
    await owner.page.getByRole('button', { name: 'Remove member@example.com' }).click();
    await owner.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await owner.page.getByText('member@example.com was removed and signed out everywhere.').waitFor();
    await screenshot(owner.page, 'admin-users-1280');
    await at(owner.page, 390);
    await screenshot(owner.page, 'admin-users-390');

    await page.goto('/admin/overview');
    await page.getByRole('heading', { name: 'Sign in to the admin' }).waitFor();
    assert.deepEqual(owner.errors, []);
    await member.context.close();
  });
});
