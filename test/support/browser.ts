/**
 * Browser-test support: a running Spokes with a known admin password, the
 * system Chromium driven by playwright-core, a fresh browser context per test,
 * sign-in helpers (through the page, or over HTTP for API tests) and
 * screenshots in `test-results/screenshots/<name>.png`.
 *
 *   const spokes = await startSpokes();
 *   const browser = await launchChromium();
 *   const { page, errors } = await openPage(browser, spokes);
 *   await signIn(page, spokes);
 *   await screenshot(page, 'hubspot-page');
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { buildUiIfStale } from '../../scripts/build-ui.ts';
import type { AnyConnector } from '../../src/platform/connector.ts';

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
export const TEST_ADMIN_PASSWORD = 'correct-horse-battery-staple';

export interface SpokesUnderTest {
  runtime: Runtime;
  /** The URL the browser uses: `http://localhost:<port>`, the same origin as SPOKES_PUBLIC_URL (OAuth redirects, BroadcastChannel). */
  url: string;
  password: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the server must know its public URL before it listens). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts Spokes in this process on a fresh embedded database with a known admin password.
 * `env` adds or overrides settings (e.g. `SPOKES_SANDBOX: 'on'`).
 */
export async function startSpokes(
  opts: { env?: Record<string, string>; password?: string; connectors?: readonly AnyConnector[] } = {},
): Promise<SpokesUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spokes-ui-test-'));
  const password = opts.password ?? TEST_ADMIN_PASSWORD;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const config = loadConfig({
      env: {
        SPOKES_DATA_DIR: dataDir,
        SPOKES_PORT: String(port),
        SPOKES_PUBLIC_URL: url,
        SPOKES_ADMIN_PASSWORD: password,
        SPOKES_SANDBOX: 'off',
        SPOKES_LOG_LEVEL: 'silent',
        SPOKES_SHUTDOWN_TIMEOUT_MS: '2000',
        ...opts.env,
      },
    });
    try {
      const runtime = await startRuntime({ config, log: createLogger({ level: 'silent' }), server: true, worker: true, connectors: opts.connectors });
      return {
        runtime,
        url,
        password,
        dataDir,
        async stop() {
          await runtime.stop().catch(() => {});
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      // Someone took the port between freePort() and listen(): try another.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) {
        rmSync(dataDir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

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
export async function openPage(browser: Browser, spokes: Pick<SpokesUnderTest, 'url'>): Promise<TestPage> {
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
export async function signIn(page: Page, spokes: Pick<SpokesUnderTest, 'password'>, path = '/admin/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Password', { exact: true }).fill(spokes.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export interface AdminHttp {
  cookie: string;
  csrfToken: string;
  /** `fetch` with the session cookie, and the CSRF token on mutations; JSON bodies. */
  request(method: string, path: string, body?: unknown): Promise<Response>;
}

/** Signs in over HTTP, for API tests of admin routes. */
export async function signInOverHttp(spokes: Pick<SpokesUnderTest, 'url' | 'password'>): Promise<AdminHttp> {
  const res = await fetch(`${spokes.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: spokes.password }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  return {
    cookie,
    csrfToken,
    request(method, path, body) {
      const headers: Record<string, string> = { cookie };
      if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${spokes.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
  };
}

/** Full-page PNG at `test-results/screenshots/<name>.png` (gitignored); returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // From the top: the sidebar's content is sticky, and a full-page capture of a scrolled page would show it mid-way.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}
