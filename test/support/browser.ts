/**
 * Browser-test support: the system Chromium driven by playwright-core, a fresh
 * browser context per test, signing in through the page, and screenshots in
 * `test-results/screenshots/<name>.png`. Spokes itself comes from `world.ts`.
 *
 *   const spokes = await startSpokes();
 *   const browser = await launchChromium();
 *   const { page, errors } = await openPage(browser, spokes);
 *   await signIn(page, spokes);
 *   await screenshot(page, 'hubspot-page');
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildUiIfStale } from '../../scripts/build-ui.ts';
import type { Spokes } from './world.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

/**
 * The system Chromium, headless. Playwright gives each launch a fresh temporary
 * user-data-dir and deletes it on close. Builds the UI first when its sources
 * changed, so a test never drives a stale page.
 */
export async function launchChromium(): Promise<Browser> {
  await buildUiIfStale({ log: () => {} });
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors of the page (failed requests excluded: a 401 is often the point). */
  errors: string[];
}

/** A fresh context (no cookies, no storage) with clipboard access, and its first page. */
export async function openPage(browser: Browser, spokes: Pick<Spokes, 'url'>): Promise<TestPage> {
  const context = await browser.newContext({ baseURL: spokes.url, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: spokes.url });
  const page = await context.newPage();
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (err) => errors.push(`${p.url()}: ${err.message}`));
    p.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`${p.url()}: ${msg.text()}`);
    });
  };
  watch(page);
  context.on('page', watch);
  return { context, page, errors };
}

/** Signs in the way an admin does: the sign-in page, the password typed, the button clicked. */
export async function signIn(page: Page, spokes: Pick<Spokes, 'password'>, path = '/admin/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Password', { exact: true }).fill(spokes.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Full-page PNG at `test-results/screenshots/<name>.png` (gitignored); returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // From the top: the sidebar's content is sticky, and a full-page capture of a scrolled page would show it mid-way.
  await page.evaluate(() => window.scrollTo(0, 0));
  // In front: Chromium paints a page behind another tab (a popped-up record) about once a second, and a capture waits for it.
  await page.bringToFront();
  await page.screenshot({ path, fullPage: true });
  return path;
}
