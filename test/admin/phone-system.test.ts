import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, signIn } from '../support/browser.ts';
import { eventually, startSpokes, type Spokes } from '../support/world.ts';

/** What the page's own API says now (same session as the page). */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  return page.evaluate(async (p) => (await fetch(p)).json(), path) as Promise<T>;
}

/** Waits until Spokes' phone index has picked up the HubSpot record (through HubSpot's webhook), as it would have by the time a customer calls. */
async function untilIndexed(spokes: Spokes, number: string, objectId: string): Promise<void> {
  await eventually(
    `the phone index to learn ${number} of record ${objectId}`,
    async () => (await spokes.runtime.services.phone.index.lookup(number)).records.some((r) => r.objectId === objectId),
    { timeoutMs: 30_000 },
  );
}

interface Users {
  users: { name: string; ownerId: string; extension: string | null; source: string | null }[];
}

describe('the Phone system page in Chromium, against the HubSpot and PBX sandboxes', () => {
  let spokes: Spokes;
  let browser: Browser;
  before(async () => {
    [spokes, browser] = await Promise.all([startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' } }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
  });

  it('binds, switches the integration off and on, sets up contacts, lists a simulated call, and disconnects and reconnects through the form', async () => {
    const pbx = spokes.runtime.services.sandboxes!.yeastar;
    // In HubSpot, a contact with a phone number but no name: its calls are logged, but it cannot be copied to the PBX phonebook.
    const portalId = (await spokes.runtime.services.hubspot.status()).connection!.portalId;
    const hs = spokes.runtime.services.sandboxes!.hubspot;
    const token = hs.info().portals.find((p) => p.portalId === portalId)!.privateAppToken;
    const nameless = await fetch(`${hs.url}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { phone: '+14155550277', email: 'no.name@example.com' } }),
    });
    assert.equal(nameless.status, 201);
    const namelessId = ((await nameless.json()) as { id: string }).id;

    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/phone-system');
    await page.getByRole('heading', { name: 'Phone system', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Connections' });
    assert.equal(await nav.getByRole('link', { name: 'Phone system' }).getAttribute('aria-current'), 'page');

    // Sandbox mode comes up connected, users bound by e-mail, the integration on.
    const header = page.locator('.page-header');
    await header.getByText('Connected', { exact: true }).waitFor();
    await header.getByText('Enabled', { exact: true }).waitFor();
    await page.getByText('Sandbox mode', { exact: true }).waitFor();
    assert.equal(await page.getByRole('switch', { name: 'Enable HubSpot integration' }).getAttribute('aria-checked'), 'true');
    const grace = page.getByLabel('Extension of Grace Evans');
    await grace.waitFor();
    assert.equal(await grace.inputValue(), '1003');
    await page.getByText('Receiving call events from the PBX').waitFor();
    await screenshot(page, 'phone-sandbox-connected');

    // Update credentials with the secret fields left blank: the saved secrets are kept (Spokes never shows them back).
    await page.getByRole('button', { name: 'Update credentials' }).click();
    const update = page.getByRole('form', { name: 'PBX connection' });
    assert.equal(await update.getByLabel('Client Secret').inputValue(), '');
    assert.equal(await update.getByLabel('Webhook secret', { exact: true }).inputValue(), '');
    assert.equal(await update.getByRole('checkbox', { name: 'Remove the saved webhook secret' }).isChecked(), false);
    await screenshot(page, 'phone-update-credentials');
    await update.getByRole('button', { name: 'Save and reconnect' }).click();
    await page.getByRole('heading', { name: 'Update the PBX credentials' }).waitFor({ state: 'detached' });
    assert.equal((await apiGet<{ connection: { webhookSecretSet: boolean } }>(page, '/api/telephony')).connection.webhookSecretSet, true);
    await page.getByText('Receiving call events from the PBX').waitFor();

    // Unbind one user by hand, then Auto bind proposes her extension back; nothing is saved before the confirmation.
    await grace.selectOption({ label: 'Not bound' });
    await page.getByText('1 unsaved change').waitFor();
    await page.getByRole('button', { name: 'Save bindings' }).click();
    await page.getByText('Bindings saved (1 user changed).').waitFor();
    assert.equal(await grace.inputValue(), '');
    assert.equal((await apiGet<Users>(page, '/api/telephony/users')).users.find((u) => u.name === 'Grace Evans')!.extension, null);

    await page.getByRole('button', { name: 'Auto bind' }).click();
    const autoBind = page.getByRole('dialog', { name: 'Auto bind users by e-mail?' });
    await autoBind.waitFor();
    const graceRow = autoBind.getByRole('row').filter({ hasText: 'Grace Evans' });
    assert.match(await graceRow.innerText(), /1003 - Grace Evans\s+New binding/);
    assert.match(await autoBind.getByRole('row').filter({ hasText: 'Felix Müller' }).innerText(), /Already bound/);
    await screenshot(page, 'phone-auto-bind-confirm');
    assert.equal((await apiGet<Users>(page, '/api/telephony/users')).users.find((u) => u.name === 'Grace Evans')!.extension, null);
    await autoBind.getByRole('button', { name: 'Save 1 binding' }).click();
    await page.getByText('1 user bound by e-mail.').waitFor();
    await page.waitForFunction(() => (document.querySelector('select[aria-label="Extension of Grace Evans"]') as HTMLSelectElement | null)?.value === '1003');
    const bound = (await apiGet<Users>(page, '/api/telephony/users')).users.find((u) => u.name === 'Grace Evans')!;
    assert.deepEqual({ extension: bound.extension, source: bound.source }, { extension: '1003', source: 'auto' });
    assert.match(await page.getByRole('row').filter({ hasText: 'Grace Evans - grace.evans@' }).innerText(), /Automatically/);

    // The enable switch: off shows Disabled and what it means; on again resumes.
    const enable = page.getByRole('switch', { name: 'Enable HubSpot integration' });
    await enable.click();
    await header.getByText('Disabled', { exact: true }).waitFor();
    await page.getByText('Integration disabled', { exact: true }).waitFor();
    assert.equal(await enable.getAttribute('aria-checked'), 'false');
    await screenshot(page, 'phone-disabled');
    await enable.click();
    await header.getByText('Enabled', { exact: true }).waitFor();
    assert.equal(await enable.getAttribute('aria-checked'), 'true');

    // Contacts: auto-create for inbound calls only, and contact sync into a new phonebook.
    const contacts = page.getByRole('region', { name: 'Contacts' });
    const autoCreate = contacts.getByRole('checkbox', { name: 'Auto create new contacts' });
    await autoCreate.waitFor();
    assert.equal(await autoCreate.isChecked(), true);
    await contacts.getByRole('checkbox', { name: 'Outbound' }).uncheck();
    await contacts.getByLabel('Sync to phonebook').selectOption({ label: 'Create new…' });
    await contacts.getByLabel('Name of the new phonebook').fill('Sales_Phonebook');
    await screenshot(page, 'phone-contact-settings-editing');
    await contacts.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved. Phonebook "Sales_Phonebook (CRM)" created on the PBX.').waitFor();
    await contacts.getByText('All changes saved').waitFor();
    const status = await apiGet<{ settings: { autoCreate: unknown; contactSync: { enabled: boolean; phonebookName: string } } }>(page, '/api/telephony');
    assert.deepEqual(status.settings.autoCreate, { inbound: true, outbound: false });
    assert.deepEqual(
      { enabled: status.settings.contactSync.enabled, name: status.settings.contactSync.phonebookName },
      { enabled: true, name: 'Sales_Phonebook (CRM)' },
    );
    assert.ok(pbx.phonebooks().some((b) => b.name === 'Sales_Phonebook (CRM)'));
    // The sandbox's phonebook, given up, is released: no longer marked CRM (nor restored).
    assert.deepEqual(
      pbx
        .phonebooks()
        .filter((b) => b.name.startsWith('HubSpot_CRM_Phonebook'))
        .map((b) => b.name),
      ['HubSpot_CRM_Phonebook'],
    );
    await page.waitForFunction(() => {
      const select = document.querySelector('#phonebook') as HTMLSelectElement | null;
      return select?.selectedOptions[0]?.textContent?.startsWith('Sales_Phonebook (CRM)');
    });
    await screenshot(page, 'phone-contact-settings-saved');

    // A call from an unknown number to Grace's extension: auto-created contact, call logged, listed with its link.
    // Meanwhile an internal call (never logged) and a call from a CRM contact without a name (logged, but not synced to the phonebook).
    await untilIndexed(spokes, '+14155550277', namelessId);
    pbx.simulateCall({ direction: 'inbound', external: '+14155550242', extension: '1003', ringSeconds: 1, talkSeconds: 2 });
    pbx.simulateCall({ direction: 'internal', external: '1002', extension: '1003', ringSeconds: 0, talkSeconds: 1 });
    pbx.simulateCall({ direction: 'inbound', external: '+14155550277', extension: '1002', ringSeconds: 0, talkSeconds: 1 });
    const calls = page.getByRole('table', { name: 'Last calls' });
    const callRow = calls.getByRole('row').filter({ hasText: '+14155550242' });
    await callRow.getByText('Logged', { exact: true }).waitFor({ timeout: 30_000 });
    const rowText = await callRow.innerText();
    assert.match(rowText, /Inbound\s+Answered/);
    assert.match(rowText, /Grace Evans\s+ext\. 1003/);
    // The contact by its name (from Spokes' phone index), linking to its HubSpot record.
    const link = callRow.getByRole('link', { name: /^Automatic New Contact - \+14155550242/ });
    assert.match((await link.getAttribute('href')) ?? '', new RegExp(`/contacts/${portalId}/record/0-1/\\d+$`));
    assert.equal(await link.getAttribute('target'), '_blank');
    await calls.getByRole('row').filter({ hasText: 'Internal call.' }).getByText('Not logged', { exact: true }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'phone-call-listed');

    // The contact behind the link is the auto-created one.
    const contactId = (await link.getAttribute('href'))!.split('/').pop()!;
    const contact = (await (
      await fetch(`${hs.url}/crm/v3/objects/contacts/${contactId}?properties=firstname,lastname`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { properties: Record<string, string | null> };
    assert.match(`${contact.properties.firstname ?? ''} ${contact.properties.lastname ?? ''}`, /Automatic New Contact/);

    // The nameless contact's call is logged on it, and its sync error names the reason and links the record; Dismiss removes it.
    const namelessRow = calls.getByRole('row').filter({ hasText: '+14155550277' });
    await namelessRow.getByText('Logged', { exact: true }).waitFor({ timeout: 30_000 });
    assert.match(await namelessRow.innerText(), new RegExp(`Contact ${namelessId}[\\s\\S]*Jakub Kamiński`));
    const syncErrors = page.getByRole('list', { name: 'Sync errors' });
    const syncError = syncErrors.getByRole('listitem').filter({ hasText: 'The contact has neither a first name nor a last name.' });
    await syncError.waitFor({ timeout: 30_000 });
    assert.match((await syncError.getByRole('link', { name: `Contact ${namelessId} ↗` }).getAttribute('href')) ?? '', new RegExp(`/record/0-1/${namelessId}$`));
    await screenshot(page, 'phone-sync-error');
    await syncError.getByRole('button', { name: /^Dismiss/ }).click();
    await page.getByText('No sync errors.').waitFor();

    // The auto-created caller was copied into the CRM phonebook on the PBX.
    await eventually('the caller in the phonebook', () => pbx.phonebooks().some((b) => b.name === 'Sales_Phonebook (CRM)' && b.contactIds.length === 1), {
      timeoutMs: 30_000,
    });

    // "Disconnect phone system": the confirmation says what is cleared and what stays; Cancel keeps everything.
    await header.getByRole('button', { name: 'Disconnect phone system' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disconnect the phone system?' });
    await confirm.waitFor();
    const confirmText = await confirm.innerText();
    assert.match(confirmText, /user bindings/);
    assert.match(confirmText, /Sales_Phonebook \(CRM\) and its contacts stay on the PBX/);
    await screenshot(page, 'phone-disconnect-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await header.getByText('Connected', { exact: true }).waitFor();
    await header.getByRole('button', { name: 'Disconnect phone system' }).click();
    await confirm.getByRole('button', { name: 'Disconnect' }).click();
    await header.getByText('Not connected', { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Connect your Yeastar P-Series PBX' }).waitFor();
    // The phonebook stays on the PBX without the CRM mark: editable again.
    assert.ok(pbx.phonebooks().some((b) => b.name === 'Sales_Phonebook'));
    // Calls already logged stay listed.
    await calls.getByRole('row').filter({ hasText: '+14155550242' }).waitFor();
    await screenshot(page, 'phone-disconnected');

    // Reconnect through the form: a wrong secret first, refused inline; the form stays usable.
    const info = pbx.info();
    const form = page.getByRole('form', { name: 'PBX connection' });
    await form.getByLabel('PBX address').fill(info.baseUrl);
    await form.getByLabel('Client ID').fill(info.clientId);
    await form.getByLabel('Client Secret').fill('not-the-secret');
    await form.getByRole('button', { name: 'Connect' }).click();
    const refusal = form.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /The PBX did not accept the connection[\s\S]*Client ID or Client Secret is wrong/);
    assert.equal(await form.getByLabel('Client Secret').isEditable(), true);
    await header.getByText('Not connected', { exact: true }).waitFor();
    await screenshot(page, 'phone-wrong-secret');

    await form.getByLabel('Client Secret').fill(info.clientSecret);
    await form.getByRole('button', { name: 'Connect' }).click();
    await header.getByText('Connected', { exact: true }).waitFor();
    await page.getByText(`Connected to the PBX at ${new URL(info.baseUrl).host}.`).waitFor();
    // Disconnecting cleared the settings: the integration starts disabled and nobody is bound.
    await header.getByText('Disabled', { exact: true }).waitFor();
    await page.getByLabel('Extension of Grace Evans').waitFor();
    assert.equal(await page.getByLabel('Extension of Grace Evans').inputValue(), '');
    await screenshot(page, 'phone-reconnected');

    // Ready again: Auto bind, contact sync into an existing phonebook (only empty ones can be chosen), and switch on.
    await page.getByRole('button', { name: 'Auto bind' }).click();
    await autoBind.getByRole('button', { name: /^Save \d+ bindings$/ }).click();
    await page.waitForFunction(() => (document.querySelector('select[aria-label="Extension of Grace Evans"]') as HTMLSelectElement | null)?.value === '1003');
    await contacts.getByRole('checkbox', { name: 'Auto sync contacts' }).check();
    const picker = contacts.getByLabel('Sync to phonebook');
    // The phonebook of the previous connection kept its synced contact: not empty, so not offered.
    const previous = picker.locator('option', { hasText: /^Sales_Phonebook \u2014/ });
    assert.match(await previous.innerText(), /1 contact, not empty/);
    assert.equal(await previous.isDisabled(), true);
    await picker.selectOption({ label: 'HubSpot_CRM_Phonebook \u2014 empty' });
    await contacts.getByRole('button', { name: 'Save settings' }).click();
    await contacts.getByText('All changes saved').waitFor();
    const synced = await apiGet<{ settings: { contactSync: { enabled: boolean; phonebookName: string } } }>(page, '/api/telephony');
    assert.deepEqual(synced.settings.contactSync, { ...synced.settings.contactSync, enabled: true, phonebookName: 'HubSpot_CRM_Phonebook (CRM)' });
    await enable.click();
    await header.getByText('Enabled', { exact: true }).waitFor();
    await screenshot(page, 'phone-ready-again');

    assert.deepEqual(errors, []);
    await context.close();
  });
});
