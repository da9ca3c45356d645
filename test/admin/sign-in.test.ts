import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { startSpokes, signInOverHttp, type Spokes } from '../support/world.ts';
import { buildServer } from '../../src/web/server.ts';
import { request as httpRequest } from 'node:http';
import { registerAdmin, registerAdminRoutes, ensureAdminPassword } from '../../src/web/admin/index.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';

const json = { 'content-type': 'application/json' };

describe('admin sign-in', () => {
  const running: Spokes[] = [];
  let shared: Spokes;
  before(async () => {
    shared = await start();
  });
  after(async () => {
    for (const s of running) await s.close();
  });
  async function start(env?: Record<string, string>): Promise<Spokes> {
    const spokes = await startSpokes({ env });
    running.push(spokes);
    return spokes;
  }
  // Tests that only sign in successfully share one server (a correct password resets the sign-in
  // budget); those that need a fresh budget or other settings start their own.
  const signInAttempt = (spokes: Spokes, password: string) =>
    fetch(`${spokes.url}/api/session`, { method: 'POST', headers: json, body: JSON.stringify({ password }) });

  it('signs in with the right password and answers 401 to a wrong one, without echoing it', async () => {
    const spokes = shared;
    const before = await fetch(`${spokes.url}/api/session`);
    assert.deepEqual(await before.json(), { signedIn: false });

    const wrong = await signInAttempt(spokes, 'not-the-password-xyz');
    assert.equal(wrong.status, 401);
    const wrongText = await wrong.text();
    assert.deepEqual(JSON.parse(wrongText), { error: { code: 'unauthorized', message: 'That password is not correct.' } });
    assert.doesNotMatch(wrongText, /not-the-password-xyz/);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const right = await signInAttempt(spokes, spokes.password);
    assert.equal(right.status, 200);
    const body = (await right.json()) as { signedIn: boolean; csrfToken: string };
    assert.equal(body.signedIn, true);
    assert.match(body.csrfToken, /^[\w-]{40,}$/);
    const cookie = right.headers.get('set-cookie')!.split(';')[0]!;

    const session = (await (await fetch(`${spokes.url}/api/session`, { headers: { cookie } })).json()) as { user: { id: string } };
    // The password alone signs in the first admin: the owner whose login is `admin`.
    assert.deepEqual(session, { signedIn: true, csrfToken: body.csrfToken, user: { id: session.user.id, email: 'admin', role: 'owner' } });
  });

  it('sets an httpOnly, SameSite=Lax session cookie, Secure with a __Host- name when the public URL is https', async () => {
    const plain = shared;
    const cookie = (await signInAttempt(plain, plain.password)).headers.get('set-cookie')!;
    assert.match(cookie, /^spokes_session=[\w-]{40,};/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, /; Path=\//);
    assert.match(cookie, /; Max-Age=43200/);
    assert.doesNotMatch(cookie, /Secure/);

    const https = await start({ SPOKES_PUBLIC_URL: 'https://spokes.example.com' });
    const secure = (await signInAttempt(https, https.password)).headers.get('set-cookie')!;
    assert.match(secure, /^__Host-spokes_session=[\w-]{40,};/);
    assert.match(secure, /; Secure/);
    assert.match(secure, /; HttpOnly/);
    assert.match(secure, /; SameSite=Lax/);
  });

  it('allows 5 sign-in attempts a minute per client, then answers 429 with the wait, even to the right password', async () => {
    const spokes = await start();
    for (let i = 1; i <= 5; i++) assert.equal((await signInAttempt(spokes, `guess-number-${i}`)).status, 401, `attempt ${i}`);
    const sixth = await signInAttempt(spokes, spokes.password);
    assert.equal(sixth.status, 429);
    const text = await sixth.text();
    const body = JSON.parse(text) as { error: { code: string; message: string; retryAfterSeconds: number } };
    assert.equal(body.error.code, 'too_many_requests');
    assert.ok(body.error.retryAfterSeconds >= 1 && body.error.retryAfterSeconds <= 60, `retryAfterSeconds ${body.error.retryAfterSeconds}`);
    assert.match(body.error.message, /Too many sign-in attempts\. Try again in \d+ seconds\./);
    assert.equal(sixth.headers.get('retry-after'), String(body.error.retryAfterSeconds));
    assert.doesNotMatch(text, new RegExp(spokes.password));
    assert.equal(sixth.headers.get('set-cookie'), null);
  });

  it('limits failed sign-ins per account whatever the address: ten addresses get five guesses between them, then the account is locked for a while that doubles, never for good', async () => {
    const spokes = await start();
    // Every 127.x.y.z is this machine: ten client addresses, as a botnet would have.
    const fromAddress = (address: string, password: string) =>
      new Promise<{ status: number; body: any; retryAfter?: string }>((resolve, reject) => {
        const url = new URL('/api/session', spokes.url);
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: address, headers: json }, (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, retryAfter: res.headers['retry-after'] }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ password }));
      });
    const answers = [];
    for (let guess = 0; guess < 6; guess++) {
      for (let a = 2; a <= 11; a++) answers.push(await fromAddress(`127.0.0.${a}`, `guess-${a}-${guess}`));
    }
    const checked = answers.filter((r) => r.status === 401).length;
    assert.equal(checked, 5, 'five of the sixty guesses are checked against the password');
    const locked = answers.find((r) => r.status === 429 && /this account/.test(r.body.error.message))!;
    assert.ok(locked, 'the others are told the account is locked');
    assert.match(locked.body.error.message, /^Too many failed sign-ins to this account\. It is locked for now: try again in \d+ seconds\.$/);
    assert.ok(locked.body.error.retryAfterSeconds > 0 && locked.body.error.retryAfterSeconds <= 30);
    assert.equal(locked.retryAfter, String(locked.body.error.retryAfterSeconds));

    // The right password from a fresh address is refused too while the lock lasts (it is not even checked) …
    const owner = await fromAddress('127.0.0.20', spokes.password);
    assert.equal(owner.status, 429);
    assert.match(owner.body.error.message, /this account/);
    // … and works once it has passed (the clock moved on by the lock's length), clearing the count.
    await spokes.runtime.database.query(sql`update admin_sign_in_locks set locked_until = now() - interval '1 second'`);
    assert.equal((await fromAddress('127.0.0.20', spokes.password)).status, 200);
    for (let i = 1; i <= 4; i++) assert.equal((await fromAddress('127.0.0.21', `after-${i}`)).status, 401, 'a fresh count after the success');

    // Each failure past the fifth doubles the lock (30 s, 1 min, 2 min …) up to 15 minutes.
    assert.equal((await fromAddress('127.0.0.22', 'fifth')).status, 401);
    const waits = [];
    for (let i = 0; i < 8; i++) {
      await spokes.runtime.database.query(sql`update admin_sign_in_locks set locked_until = now() - interval '1 second'`);
      assert.equal((await fromAddress(`127.0.1.${i}`, `more-${i}`)).status, 401);
      waits.push((await fromAddress(`127.0.2.${i}`, spokes.password)).body.error.retryAfterSeconds as number);
    }
    assert.deepEqual(
      waits.map((w) => Math.ceil(w / 30) * 30),
      [60, 120, 240, 480, 900, 900, 900, 900],
    );

    // A new password (SPOKES_ADMIN_PASSWORD at the next start) lifts the lock at once.
    await ensureAdminPassword(spokes.runtime.database.db, 'a-brand-new-admin-password');
    assert.equal((await fromAddress('127.0.0.30', 'a-brand-new-admin-password')).status, 200);
  });

  it('refuses a sign-in posted as a form (another site could post one) and names a missing password', async () => {
    const spokes = await start();
    const form = await fetch(`${spokes.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `password=${spokes.password}`,
    });
    assert.equal(form.status, 415);
    const missing = await fetch(`${spokes.url}/api/session`, { method: 'POST', headers: json, body: '{}' });
    assert.equal(missing.status, 400);
    const body = (await missing.json()) as { error: { code: string; details: { field: string }[] } };
    assert.equal(body.error.code, 'validation_failed');
    assert.deepEqual(
      body.error.details.map((d) => d.field),
      ['body.password'],
    );
  });

  it('answers 401 JSON to admin API calls without a session, and with an expired one', async () => {
    const spokes = shared;
    for (const [method, path] of [
      ['GET', '/api/hubspot'],
      ['PUT', '/api/hubspot/app'],
      ['DELETE', '/api/session'],
      ['GET', '/api/no-such-thing'],
    ] as const) {
      const res = await fetch(`${spokes.url}${path}`, { method });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
    const admin = await signInOverHttp(spokes);
    assert.equal((await admin.request('GET', '/api/hubspot')).status, 200);
    await spokes.runtime.database.query(sql`update admin_sessions set expires_at = now() - interval '1 second'`);
    const expired = await admin.request('GET', '/api/hubspot');
    assert.equal(expired.status, 401);
    assert.equal(((await expired.json()) as { error: { code: string } }).error.code, 'unauthorized');
  });

  it('refuses a mutation without the CSRF token or with a wrong one (403 csrf_failed)', async () => {
    const spokes = shared;
    const admin = await signInOverHttp(spokes);
    const attempts: Record<string, string>[] = [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': `${admin.csrfToken.slice(0, -1)}x` }];
    for (const extra of attempts) {
      for (const [method, path] of [
        ['DELETE', '/api/session'],
        ['PUT', '/api/hubspot/app'],
        ['POST', '/api/hubspot/authorize'],
      ] as const) {
        const res = await fetch(`${spokes.url}${path}`, {
          method,
          headers: { cookie: admin.cookie, ...json, ...extra },
          body: method === 'DELETE' ? undefined : '{}',
        });
        assert.equal(res.status, 403, `${method} ${path} with ${JSON.stringify(extra)}`);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'csrf_failed');
      }
    }
    // Still signed in: the refused requests changed nothing.
    assert.partialDeepStrictEqual(await (await fetch(`${spokes.url}/api/session`, { headers: { cookie: admin.cookie } })).json(), {
      signedIn: true,
      csrfToken: admin.csrfToken,
      user: { email: 'admin', role: 'owner' },
    });
  });

  it('signs out: the session ends and its cookie stops working', async () => {
    const spokes = shared;
    const admin = await signInOverHttp(spokes);
    const out = await admin.request('DELETE', '/api/session');
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^spokes_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.deepEqual(await (await fetch(`${spokes.url}/api/session`, { headers: { cookie: admin.cookie } })).json(), { signedIn: false });
    assert.equal((await admin.request('GET', '/api/hubspot')).status, 401);
  });

  it('sends page loads without a session to the sign-in page, and serves the admin app with a strict CSP', async () => {
    const spokes = shared;
    const root = await fetch(`${spokes.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/admin/');
    const page = await fetch(`${spokes.url}/admin/hubspot?tab=x`, { redirect: 'manual' });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/admin/sign-in?next=%2Fadmin%2Fhubspot%3Ftab%3Dx');
    const signInPage = await fetch(`${spokes.url}/admin/sign-in`);
    assert.equal(signInPage.status, 200);
    assert.match(await signInPage.text(), /<title>Spokes admin<\/title>/);
    assert.match(signInPage.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);

    const admin = await signInOverHttp(spokes);
    const signedIn = await fetch(`${spokes.url}/admin/hubspot`, { headers: { cookie: admin.cookie }, redirect: 'manual' });
    assert.equal(signedIn.status, 200);
    const html = await signedIn.text();
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'the page loads its script');
    const asset = await fetch(`${spokes.url}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    // Read every body: an unread one keeps its connection busy and the server's close() waits for it.
    await Promise.all([root.text(), page.text(), asset.arrayBuffer()]);
  });

  it('protects routes registered with registerAdminRoutes outside /api/ too', async () => {
    const spokes = shared;
    const app = await buildServer({
      log: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      version: '0.0.0',
      engine: 'pglite',
      probes: [],
      routes: async (a) => {
        await registerAdmin(a, spokes.runtime.services);
        registerAdminRoutes(a, (admin) => {
          admin.get('/internal/report', async () => ({ ok: true }));
          admin.post('/internal/report', async () => ({ posted: true }));
        });
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      assert.equal((await fetch(`${base}/internal/report`)).status, 401);
      const admin = await signInOverHttp({ url: base, password: spokes.password });
      assert.deepEqual(await (await admin.request('GET', '/internal/report')).json(), { ok: true });
      assert.equal((await fetch(`${base}/internal/report`, { method: 'POST', headers: { cookie: admin.cookie } })).status, 403);
      assert.deepEqual(await (await admin.request('POST', '/internal/report')).json(), { posted: true });
    } finally {
      await app.close();
    }
  });
});
