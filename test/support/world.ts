/**
 * The test world: Spokes started in this process (with every emulator in
 * sandbox mode), signed in as the admin, and the two ways a test waits — a poll
 * with a deadline (`eventually`) and "the jobs in question are done"
 * (`jobsIdle`, `jobDone`), which is how a test asserts that nothing happened
 * without sleeping. A real `spokes` child process is `runSpokes` in
 * `processes.ts`.
 *
 *   const spokes = await startSpokes({ sandbox: true });
 *   const res = await spokes.admin.request('GET', '/api/connectors');
 *   const row = await eventually('the call in the log', async () => (await calls()).find((c) => c.id === id));
 *   await jobsIdle(spokes.runtime, 'telephony.');   // then: nothing was written
 *   await spokes.close();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { AnyConnector } from '../../src/platform/connector.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';

export const TEST_ADMIN_PASSWORD = 'correct-horse-battery-staple';

export interface EventuallyOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Wait this long between two tries (default 50 ms). */
  intervalMs?: number;
  /** A reason to fail at once instead of waiting on (e.g. the process under test exited); checked after each try. */
  giveUpIf?: () => string | undefined;
}

/**
 * Calls `fn` until it returns something other than `undefined`, `null` or `false`, and returns that.
 * A throw counts as "not yet" (an assertion inside `fn` may fail until the work is done). After the
 * deadline it fails naming `what` with the last value or error.
 */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: EventuallyOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 50, giveUpIf } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: string;
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      last = `last value: ${JSON.stringify(value)}`;
    } catch (err) {
      last = `last error: ${(err as Error).message ?? String(err)}`;
    }
    const reason = giveUpIf?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}; ${last}`);
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${last}`);
    await sleep(intervalMs);
  }
}

/**
 * Waits until no job whose queue name starts with `prefix` (a connector's `telephony.`, or one job's full
 * name) is queued, retrying or running. What the jobs did is then final: a test can assert that
 * nothing happened. Jobs waiting for a retry delay count as busy.
 */
export async function jobsIdle(runtime: Pick<Runtime, 'queue'>, prefix: string, opts: EventuallyOptions = {}): Promise<void> {
  await eventually(
    `no ${prefix}* job queued or running`,
    async () => {
      const busy = (await runtime.queue.status()).filter((s) => s.name.startsWith(prefix) && s.queued + s.active > 0);
      if (busy.length) throw new Error(`busy: ${JSON.stringify(busy)}`);
      return true;
    },
    opts,
  );
}

/** Waits until one job (by its id) has finished — completed, failed for good or cancelled — and returns its state. */
export async function jobDone(runtime: Pick<Runtime, 'queue'>, job: { name: string }, id: string, opts: EventuallyOptions = {}): Promise<string> {
  return eventually(
    `job ${job.name} ${id} to finish`,
    async () => {
      const found = await runtime.queue.job(job, id);
      if (!found) throw new Error(`no job ${id}`);
      return ['completed', 'failed', 'cancelled'].includes(found.state) ? found.state : undefined;
    },
    opts,
  );
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
 * The first of `count` consecutive ports nobody listens on right now (the sandbox's emulators take one each,
 * from SPOKES_SANDBOX_PORT on). Chosen below Linux's ephemeral range (32768–60999), where the ports `freePort`
 * and every outgoing connection get are: the ports after a free ephemeral one are often some client's.
 */
export async function freePortRange(count: number): Promise<number> {
  const listenable = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let free = true;
    for (let i = 0; i < count && free; i++) free = await listenable(base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports between 20000 and 32000`);
}

export interface AdminHttp {
  cookie: string;
  csrfToken: string;
  /** `fetch` with the session cookie, and the CSRF token on mutations; JSON bodies. */
  request(method: string, path: string, body?: unknown): Promise<Response>;
}

/** Signs in over HTTP, for API tests of admin routes. */
export async function signInOverHttp(spokes: { url: string; password: string }): Promise<AdminHttp> {
  const res = await fetch(`${spokes.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: spokes.password }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return sessionFrom(spokes.url, res, csrfToken);
}

/** The admin session a sign-in or an accepted invitation answered: its cookies and CSRF token, for further requests. */
export function sessionFrom(url: string, res: Response, csrfToken: string): AdminHttp {
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
      return fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
  };
}

export interface SpokesOptions {
  /** Sandbox mode: every emulator started on free ports, HubSpot and every connector connected (default off). */
  sandbox?: boolean;
  /** Settings on top of the test defaults (e.g. `DATABASE_URL`, `SPOKES_SANDBOX: 'off'`). */
  env?: Record<string, string>;
  /** The admin password (default TEST_ADMIN_PASSWORD). */
  password?: string;
  /** Work jobs in this process (default true). */
  worker?: boolean;
  /** Reuse a data directory (a restart); a fresh one otherwise. */
  dataDir?: string;
  /** Reuse a port (a restart keeps its public URL, and so its signed links). */
  port?: number;
  /** Keep the log lines at this level and above in `lines` (default: no log). */
  logLevel?: 'debug' | 'info' | 'warn';
  /** Connectors to run beside the registry's (a test's own). */
  connectors?: readonly AnyConnector[];
}

export interface Spokes {
  runtime: Runtime;
  /** `http://localhost:<port>`, the same origin as SPOKES_PUBLIC_URL (OAuth redirects, BroadcastChannel). */
  url: string;
  port: number;
  password: string;
  dataDir: string;
  /** Signed in as the admin over HTTP. */
  admin: AdminHttp;
  /** Log lines (parsed JSON), when `logLevel` was given. */
  lines: Record<string, unknown>[];
  /** Stops Spokes (and its emulators); `keepData` leaves the data directory for a restart. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/** Starts Spokes in this process on a fresh embedded database (or `DATABASE_URL`), signed in as the admin. */
export async function startSpokes(opts: SpokesOptions = {}): Promise<Spokes> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'spokes-test-'));
  const password = opts.password ?? TEST_ADMIN_PASSWORD;
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const url = `http://localhost:${port}`;
    const config = loadConfig({
      env: {
        SPOKES_DATA_DIR: dataDir,
        SPOKES_PORT: String(port),
        SPOKES_PUBLIC_URL: url,
        SPOKES_ADMIN_PASSWORD: password,
        SPOKES_SANDBOX: opts.sandbox ? 'on' : 'off',
        SPOKES_SANDBOX_PORT: '0',
        SPOKES_LOG_LEVEL: 'silent',
        SPOKES_SHUTDOWN_TIMEOUT_MS: '2000',
        ...opts.env,
      },
    });
    let runtime: Runtime;
    try {
      const log = createLogger({ level: opts.logLevel ?? 'silent', destination });
      runtime = await startRuntime({ config, log, server: true, worker: opts.worker ?? true, connectors: opts.connectors });
    } catch (err) {
      // Someone took the port between freePort() and listen(): try another (a chosen port is kept).
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && opts.port === undefined && attempt < 3) continue;
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
    let admin: AdminHttp;
    try {
      admin = await signInOverHttp({ url, password });
    } catch (err) {
      // A test that never gets the handle cannot stop it: an open server would keep the test file from ending.
      await runtime.stop().catch(() => {});
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
    let closed = false;
    return {
      runtime,
      url,
      port,
      password,
      dataDir,
      admin,
      lines,
      async close(closeOpts = {}) {
        if (closed) return;
        closed = true;
        await runtime.stop().catch(() => {});
        if (!closeOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
}
