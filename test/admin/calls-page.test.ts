/**
 * The Calls page in Chromium, against the sandbox: search, filters in the
 * address, the link to the call in HubSpot, the CSV export of what is
 * filtered, and Retry on a call that was not logged — then every admin page
 * at 1280 px and on a phone-sized screen (390 px), where nothing may run
 * off the side. Screenshots in test-results/screenshots/.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, signIn } from '../support/browser.ts';
import { eventually, startSpokes, type Spokes } from '../support/world.ts';

/** How far the page runs past the viewport's right edge (0: no sideways scrolling), and the elements that do. */
function overflow(page: Page): Promise<{ px: number; culprits: string[] }> {
  return page.evaluate(() => {
    const px = document.documentElement.scrollWidth - window.innerWidth;
    const culprits =
      px <= 0
        ? []
        : [...document.querySelectorAll('body *')]
            .filter(
              (el) =>
                el.getBoundingClientRect().right > window.innerWidth + 1 &&
                ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1),
            )
            // Inside a scrolling box (a wide table's wrapper) is not the page running off the side.
            .filter((el) => {
              for (let p = el.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return false;
              return true;
            })
            .slice(0, 8)
            .map(
              (el) =>
                `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}" right=${Math.round(el.getBoundingClientRect().right)}`,
            );
    return { px, culprits };
  });
}

describe('the Calls page in Chromium, against the sandbox', () => {
  let spokes: Spokes;
  let browser: Browser;
  before(async () => {
    [spokes, browser] = await Promise.all([startSpokes({ env: { SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0' } }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await spokes?.close();
  });

  const callRows = async () =>
    await spokes.runtime.database.query<{ call_id: string; state: string }>((await import('drizzle-orm')).sql`select call_id, state from call_logs`);

  it('finds a call by number, filters by what the address says, exports them, and retries a call that was not logged', async () => {
    const pbx = spokes.runtime.services.sandboxes!.yeastar;
    const { page, context, errors } = await openPage(browser, spokes);
    await signIn(page, spokes, '/admin/phone-system');
    // Grace's extension, unbound: her call is not logged, with the reason.
    const users = (await page.evaluate(async () => (await fetch('/api/telephony/users')).json())) as {
      users: { ownerId: string; extension: string | null; name: string }[];
    };
    const grace = users.users.find((u) => u.extension === '1003')!;
    const csrf = await page.evaluate(async () => (await (await fetch('/api/session')).json()).csrfToken as string);
    const bind = (extension: string | null) =>
      page.evaluate(
        async ({ ownerId, extension, csrf }) =>
          (
            await fetch('/api/telephony/bindings', {
              method: 'PUT',
              headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
              body: JSON.stringify({ bindings: [{ ownerId, extension }] }),
            })
          ).status,
        { ownerId: grace.ownerId, extension, csrf },
      );
    assert.equal(await bind(null), 200);

    const answered = pbx.simulateCall({ direction: 'inbound', external: '+14155550311', extension: '1001', ringSeconds: 0.2, talkSeconds: 2 });
    pbx.simulateCall({ direction: 'inbound', external: '+14155550322', extension: '1001', outcome: 'no_answer', ringSeconds: 0.2 });
    pbx.simulateCall({ direction: 'outbound', external: '+14155550333', extension: '1002', ringSeconds: 0.2, talkSeconds: 1 });
    const unbound = pbx.simulateCall({ direction: 'inbound', external: '+14155550344', extension: '1003', ringSeconds: 0.2, talkSeconds: 1 });
    await eventually('the four calls are handled', async () => (await callRows()).filter((r) => r.state === 'logged' || r.state === 'skipped').length >= 4);

    // The nav's Calls entry opens the page; the Phone system page's last calls link to it too.
    await page
      .getByRole('button', { name: 'Call history' })
      .or(page.getByRole('link', { name: 'Call history' }))
      .first()
      .waitFor();
    await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'Calls' }).click();
    await page.getByRole('heading', { name: 'Calls', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Call history' });
    await table.getByRole('row').filter({ hasText: '+14155550311' }).waitFor();
    assert.equal(await table.getByRole('row').count(), 5, 'the header and four calls');
    await screenshot(page, 'calls-page');

    // Search as you type: any part of the number.
    await page.getByLabel('Search').fill('555 0311');
    await page.waitForURL(/q=555\+0311/);
    await eventually('one call matches', async () => (await table.getByRole('row').count()) === 2);
    const row = table.getByRole('row').filter({ hasText: '+14155550311' });
    assert.match(await row.innerText(), /Inbound\s+Answered/);
    const open = row.getByRole('link', { name: /Open call/ });
    const callPage = await context.newPage();
    await callPage.goto((await open.getAttribute('href')) ?? '');
    await callPage
      .getByText(/Inbound call from/)
      .first()
      .waitFor();
    // The timeline's player plays the recording (through Spokes' signed link): as long as the call (2 s of talk).
    const seconds = await callPage
      .locator('audio')
      .first()
      .evaluate(
        (a: HTMLAudioElement) =>
          new Promise<number>((resolve, reject) => {
            a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
            a.addEventListener('error', () => reject(new Error(`the player could not load ${a.src}: ${a.error?.message}`)), { once: true });
            a.preload = 'auto';
            a.load();
          }),
      );
    assert.equal(seconds, 2);
    await callPage.close();

    // Filters go to the address: reloading keeps them; "Missed" finds the unanswered inbound call.
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Answered').selectOption('missed');
    await page.waitForURL((url) => url.search === '?outcome=missed');
    await page.reload();
    await eventually('the missed call only', async () => (await table.getByRole('row').count()) === 2);
    assert.match(await table.getByRole('row').nth(1).innerText(), /\+14155550322[\s\S]*/);
    assert.match(await table.getByRole('row').nth(1).innerText(), /Missed/);
    assert.equal(await page.getByLabel('Answered').inputValue(), 'missed');
    // The export takes the same filters.
    const exportHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    assert.equal(exportHref, '/api/telephony/calls.csv?outcome=missed');
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), exportHref!);
    assert.equal(csv.trim().split('\r\n').length, 2);

    // Not logged: the reason, and Retry once Grace is bound again.
    await page.getByLabel('Answered').selectOption('');
    await page.getByLabel('In HubSpot').selectOption('not_logged');
    const skipped = table.getByRole('row').filter({ hasText: '+14155550344' });
    await skipped.getByText(/1003 is not bound/).waitFor();
    await screenshot(page, 'calls-page-not-logged');
    assert.equal(await bind('1003'), 200);
    await skipped.getByRole('button', { name: /^Retry/ }).click();
    await page.getByText('The call is being logged again.').waitFor();
    await page.getByLabel('In HubSpot').selectOption('logged');
    await table.getByRole('row').filter({ hasText: '+14155550344' }).getByText('Logged', { exact: true }).waitFor({ timeout: 30_000 });
    assert.ok((await callRows()).some((r) => r.call_id === unbound.call_id && r.state === 'logged'));
    assert.ok(answered.call_id);
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const width of [1280, 390]) {
    it(`shows every admin page at ${width} px without running off the side`, async () => {
      const context = await browser.newContext({ baseURL: spokes.url, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto('/admin/sign-in');
      await page.getByLabel('Password', { exact: true }).waitFor();
      await screenshot(page, `admin-sign-in-${width}`);
      assert.deepEqual(await overflow(page), { px: 0, culprits: [] }, 'sign-in');
      await signIn(page, spokes, '/admin/hubspot');
      for (const [path, heading] of [
        ['/admin/hubspot', 'HubSpot'],
        ['/admin/phone-system', 'Phone system'],
        ['/admin/calls', 'Calls'],
        ['/admin/nowhere', 'Page not found'],
      ] as const) {
        await page.goto(path);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        // Let the page's data arrive (tables, cards) before measuring.
        await page.waitForLoadState('networkidle');
        await screenshot(page, `admin${path.replace(/\//g, '-').replace(/^-admin/, '')}-${width}`);
        assert.deepEqual(await overflow(page), { px: 0, culprits: [] }, `${path} at ${width} px`);
      }
      await context.close();
    });
  }
});
