/**
 * Users and roles over HTTP, on a running Spokes with a platform connector
 * mounted (the example connector stands in for those other branches add):
 * every admin route walked as nobody, member, manager and owner — the list
 * comes from the server's own route table, so a route added later is walked
 * too —, invitations (single use, expiring, withdrawn), the last owner,
 * removal signing out everywhere, sign-in by e-mail with its per-login limit,
 * and the audit log naming who changed what.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { sql } from 'drizzle-orm';
import { startSpokes, signInOverHttp, type AdminHttp, type Spokes } from '../support/world.ts';
import { example } from '../platform/example-connector/index.ts';
import type { ApiAuditPage } from '../../src/platform/wire.ts';
import { runPlatformCommand } from '../../src/platform/cli.ts';

const json = { 'content-type': 'application/json' };
type Role = 'owner' | 'manager' | 'member';
const RANK: Record<Role, number> = { member: 1, manager: 2, owner: 3 };

interface Person extends AdminHttp {
  email: string;
  id: string;
}

/** A session from a sign-in or invitation answer: its cookie and CSRF token. */
async function sessionOf(url: string, res: Response, email: string): Promise<Person> {
  if (res.status !== 200) throw new Error(`answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; user: { id: string; email: string } };
  assert.equal(body.user.email, email);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  return {
    email,
    id: body.user.id,
    cookie,
    csrfToken: body.csrfToken,
    request(method, path, payload) {
      const headers: Record<string, string> = { cookie };
      if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = body.csrfToken;
      if (payload !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${url}${path}`, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
    },
  };
}

const post = (url: string, path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });

describe('users and roles', () => {
  let spokes: Spokes;
  let owner: AdminHttp;
  const people = {} as Record<Role, Person>;

  async function invite(email: string, role: Role): Promise<string> {
    const res = await owner.request('POST', '/api/users/invites', { email, role });
    assert.equal(res.status, 201, await res.clone().text());
    const { link } = (await res.json()) as { link: string };
    assert.match(link, new RegExp(`^${spokes.url}/admin/invite#[\\w-]{40,}$`));
    return link.split('#')[1]!;
  }
  async function join(email: string, role: Role, password = `${role}-password-long-enough`): Promise<Person> {
    const token = await invite(email, role);
    // Logins are kept lower-cased, however the owner typed the address.
    return sessionOf(spokes.url, await post(spokes.url, '/api/invite/accept', { token, password }), email.toLowerCase());
  }
  async function signInAs(email: string, password: string): Promise<Response> {
    return post(spokes.url, '/api/session', { email, password });
  }

  before(async () => {
    spokes = await startSpokes({ connectors: [example] });
    owner = await signInOverHttp(spokes);
    people.owner = { ...owner, email: 'admin', id: '' };
    people.manager = await join('manager@example.com', 'manager');
    people.member = await join('Member@Example.com', 'member');
  });
  after(async () => {
    await spokes?.close();
  });

  it('walks every admin route as nobody, member, manager and owner: 401, 403 naming the role needed, or past the guard', async () => {
    const routes = spokes.runtime.server!.adminAuth.routes;
    const guarded = routes.filter((r) => r.url.startsWith('/api/') && r.access !== 'public' && r.method !== 'HEAD');
    const urls = new Set(guarded.map((r) => `${r.method} ${r.url}`));
    // The list is the server's own: the platform's, the users', and a connector's mounted under /api/<slug>/.
    for (const expected of ['GET /api/connections', 'POST /api/users/invites', 'DELETE /api/users/:id', 'PUT /api/telephony/connection', 'GET /api/audit']) {
      assert.ok(urls.has(expected), `${expected} is walked`);
    }
    assert.ok(
      guarded.some((r) => r.url.startsWith('/api/example/')),
      'the example connector’s admin routes are walked',
    );
    // Every /api/ route says who may call it (the default when it declares nothing).
    for (const r of routes.filter((r) => r.url.startsWith('/api/'))) assert.ok(r.access, `${r.method} ${r.url} has an access rule`);

    // Signing out last: it ends the session it is called with.
    guarded.sort((a, b) => Number(a.url === '/api/session') - Number(b.url === '/api/session'));
    const refusals: string[] = [];
    for (const route of guarded) {
      const path = route.url.replace(/:\w+/g, 'no-such-id').replace(/\*$/, 'x');
      const what = `${route.method} ${route.url}`;
      const needed = route.access as Role;
      const anonymous = await fetch(`${spokes.url}${path}`, { method: route.method, headers: json, body: route.method === 'GET' ? undefined : '{}' });
      assert.equal(anonymous.status, 401, `${what} without a session`);
      await anonymous.text();
      for (const role of ['member', 'manager', 'owner'] as const) {
        const allowed = RANK[role] >= RANK[needed];
        // A change runs once, as the least role allowed; reads run as everyone allowed.
        if (allowed && route.method !== 'GET' && role !== needed) continue;
        const res = await people[role].request(route.method, path, route.method === 'GET' ? undefined : {});
        // A stream (server-sent events) is past the guard once it answers: close it rather than read it.
        if (res.headers.get('content-type')?.includes('text/event-stream')) await res.body?.cancel();
        const text = res.bodyUsed ? '' : await res.text();
        const code =
          res.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text) as { error?: { code: string; message: string } }).error : undefined;
        if (allowed) {
          assert.notEqual(res.status, 401, `${what} as ${role}: ${text}`);
          assert.ok(!(res.status === 403 && (code?.code === 'forbidden' || code?.code === 'csrf_failed')), `${what} as ${role}: ${text}`);
          assert.ok(res.status < 500, `${what} as ${role} must not fail: ${res.status} ${text}`);
        } else {
          assert.equal(res.status, 403, `${what} as ${role}: ${text}`);
          assert.equal(code?.code, 'forbidden', `${what} as ${role}`);
          assert.match(code!.message, new RegExp(`The ${needed} role is needed\\.`), `${what} as ${role} names the role`);
          assert.match(code!.message, new RegExp(`you are signed in as a ${role}`));
          refusals.push(`${role} ${what}`);
        }
      }
    }
    // The defaults at work: members change nothing, only owners manage people.
    assert.ok(refusals.includes('member POST /api/connections'));
    assert.ok(refusals.includes('member PUT /api/hubspot/app'));
    assert.ok(refusals.includes('manager POST /api/users/invites'));
    assert.ok(refusals.includes('member PUT /api/telephony/connection'));
    assert.ok(refusals.includes('manager GET /api/users'));
    assert.deepEqual(
      refusals.filter((r) => r.startsWith('member GET ')),
      ['member GET /api/users'],
      'members read everything but the list of people',
    );
    // The walk signed the member out (DELETE /api/session): sign back in by e-mail.
    people.member = await sessionOf(spokes.url, await signInAs('member@example.com', 'member-password-long-enough'), 'member@example.com');
  });

  it('takes an invitation once: a replayed, expired or withdrawn link is refused, and the password length is named', async () => {
    const token = await invite('once@example.com', 'member');
    assert.deepEqual(await (await post(spokes.url, '/api/invite/check', { token })).json(), {
      email: 'once@example.com',
      role: 'member',
      expiresAt: ((await (await owner.request('GET', '/api/users')).json()) as { invites: { email: string; expiresAt: string }[] }).invites.find(
        (i) => i.email === 'once@example.com',
      )!.expiresAt,
    });
    const short = await post(spokes.url, '/api/invite/accept', { token, password: 'short' });
    assert.equal(short.status, 400);
    assert.deepEqual(
      ((await short.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field),
      ['body.password'],
    );
    const form = await fetch(`${spokes.url}/api/invite/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    });
    assert.equal(form.status, 415);
    await form.text();
    const first = await post(spokes.url, '/api/invite/accept', { token, password: 'a-good-long-password' });
    assert.equal(first.status, 200);
    await first.text();
    // Replayed: refused, with the password it would have set not taking effect.
    const replay = await post(spokes.url, '/api/invite/accept', { token, password: 'another-long-password' });
    assert.equal(replay.status, 410);
    assert.match(((await replay.json()) as { error: { message: string } }).error.message, /already used, it has expired or it was withdrawn/);
    assert.equal((await post(spokes.url, '/api/invite/check', { token })).status, 410);
    assert.equal((await signInAs('once@example.com', 'another-long-password')).status, 401);
    assert.equal((await signInAs('once@example.com', 'a-good-long-password')).status, 200);

    const expiring = await invite('late@example.com', 'manager');
    await spokes.runtime.database.query(sql`update admin_invites set expires_at = now() - interval '1 second' where email = 'late@example.com'`);
    assert.equal((await post(spokes.url, '/api/invite/accept', { token: expiring, password: 'a-good-long-password' })).status, 410);

    const withdrawn = await invite('withdrawn@example.com', 'manager');
    const list = (await (await owner.request('GET', '/api/users')).json()) as { invites: { id: string; email: string }[] };
    const id = list.invites.find((i) => i.email === 'withdrawn@example.com')!.id;
    assert.equal((await owner.request('DELETE', `/api/users/invites/${id}`)).status, 204);
    assert.equal((await post(spokes.url, '/api/invite/accept', { token: withdrawn, password: 'a-good-long-password' })).status, 410);
    // Never in the list: tokens or their hashes.
    assert.doesNotMatch(JSON.stringify(list), /token/i);

    // Bad input is named; an existing user cannot be invited again.
    const bad = await owner.request('POST', '/api/users/invites', { email: 'not-an-address', role: 'boss' });
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field).sort(), ['body.role']);
    const badEmail = await owner.request('POST', '/api/users/invites', { email: 'not-an-address', role: 'member' });
    assert.deepEqual(((await badEmail.json()) as { error: { details: { field: string }[] } }).error.details, [
      { field: 'body.email', message: 'must be an e-mail address' },
    ]);
    assert.equal((await owner.request('POST', '/api/users/invites', { email: 'MANAGER@example.com', role: 'member' })).status, 409);
  });

  it('keeps the last owner, signs a removed user out everywhere, applies a role change at once, and records who did it', async () => {
    const users = async () => ((await (await owner.request('GET', '/api/users')).json()) as { users: { id: string; email: string; role: Role }[] }).users;
    const admin = (await users()).find((u) => u.email === 'admin')!;
    for (const attempt of [owner.request('PATCH', `/api/users/${admin.id}`, { role: 'manager' }), owner.request('DELETE', `/api/users/${admin.id}`)]) {
      const res = await attempt;
      assert.equal(res.status, 409);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /last owner/);
    }
    // With a second owner, the first may step down.
    const second = await join('second-owner@example.com', 'owner');
    assert.equal((await second.request('PATCH', `/api/users/${admin.id}`, { role: 'manager' })).status, 200);
    assert.equal((await owner.request('GET', '/api/users')).status, 403, 'the role counts at the next request');
    assert.equal((await second.request('PATCH', `/api/users/${admin.id}`, { role: 'owner' })).status, 200);
    assert.equal((await owner.request('GET', '/api/users')).status, 200);

    // Removal: both of the manager's browsers are signed out at once.
    const otherBrowser = await sessionOf(spokes.url, await signInAs('manager@example.com', 'manager-password-long-enough'), 'manager@example.com');
    assert.equal((await otherBrowser.request('GET', '/api/overview')).status, 200);
    assert.equal((await owner.request('DELETE', `/api/users/${people.manager.id}`)).status, 204);
    for (const browser of [people.manager, otherBrowser]) assert.equal((await browser.request('GET', '/api/overview')).status, 401);
    assert.equal((await signInAs('manager@example.com', 'manager-password-long-enough')).status, 401);
    const [{ n }] = (await spokes.runtime.database.query(sql`select count(*)::int as n from admin_sessions where user_id = ${people.manager.id}`)) as [
      { n: number },
    ];
    assert.equal(n, 0);

    // The audit log says who changed what: people's changes and any other admin change.
    assert.equal((await second.request('POST', '/api/telephony/agents/rotate', {})).status < 400, true);
    const page = (await (await owner.request('GET', '/api/audit?limit=200')).json()) as ApiAuditPage;
    const seen = page.entries.map((e) => `${e.actor}: ${e.operation} ${e.objectId ?? ''}`.trim());
    assert.ok(seen.includes('admin: remove manager@example.com'), seen.join('\n'));
    assert.ok(seen.includes('second-owner@example.com: change role to manager admin'));
    assert.ok(seen.includes('admin: invite as owner second-owner@example.com'));
    assert.ok(seen.includes('second-owner@example.com: accept invitation as owner second-owner@example.com'));
    assert.ok(seen.includes('second-owner@example.com: POST /api/telephony/agents/rotate'), seen.join('\n'));
    assert.ok(!seen.some((s) => s.includes('/api/session')), 'signing in and out is not a change');
  });

  it('signs in by e-mail, limiting failures per login whatever the address, without telling unknown logins apart', async () => {
    const fromAddress = (address: string, body: unknown) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const url = new URL('/api/session', spokes.url);
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: address, headers: json }, (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    const unknown = await fromAddress('127.0.3.1', { email: 'nobody@example.com', password: 'whatever-it-is' });
    const wrong = await fromAddress('127.0.3.2', { email: 'member@example.com', password: 'whatever-it-is' });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, wrong.body, 'an unknown login reads like a wrong password');
    for (let i = 3; i <= 6; i++) assert.equal((await fromAddress(`127.0.3.${i}`, { email: 'MEMBER@example.com', password: `guess-${i}` })).status, 401);
    // Five failures from five addresses: the member's login is locked, even for the right password…
    const locked = await fromAddress('127.0.3.7', { email: 'member@example.com', password: 'member-password-long-enough' });
    assert.equal(locked.status, 429);
    assert.match(locked.body.error.message, /this account/);
    // …while the owner, another login, signs in from the same address.
    assert.equal((await fromAddress('127.0.3.7', { password: spokes.password })).status, 200);
  });

  it('runs `spokes users` with the same rules, and only `list` through the running server’s loopback endpoint', async () => {
    const platform = spokes.runtime.services.platform;
    const invited = await runPlatformCommand(platform, 'users', ['invite', 'CLI@example.com', '--role', 'manager']);
    assert.equal(invited.code, 0, invited.output);
    const link = /^(http:\S+)$/m.exec(invited.output)?.[1];
    assert.match(link ?? '', /\/admin\/invite#[\w-]{40,}$/);
    const cli = await sessionOf(
      spokes.url,
      await post(spokes.url, '/api/invite/accept', { token: link!.split('#')[1], password: 'cli-password-long' }),
      'cli@example.com',
    );
    assert.equal((await cli.request('GET', '/api/overview')).status, 200);
    assert.equal((await runPlatformCommand(platform, 'users', ['role', 'cli@example.com', 'member'])).code, 0);
    assert.equal((await cli.request('POST', '/api/connections', {})).status, 403);
    const list = await runPlatformCommand(platform, 'users', ['list']);
    assert.match(list.output, /^cli@example\.com\s+member\s+since/m);
    assert.equal(
      (await runPlatformCommand(platform, 'users', ['remove', 'cli@example.com'])).output,
      'Removed cli@example.com; they are signed out everywhere.\n',
    );
    assert.equal((await cli.request('GET', '/api/overview')).status, 401);
    assert.deepEqual(await runPlatformCommand(platform, 'users', ['remove', 'nobody@example.com']), {
      code: 1,
      output: 'spokes users: no user nobody@example.com\n',
    });
    assert.equal((await runPlatformCommand(platform, 'users', ['invite', 'not-an-address'])).code, 1);
    assert.equal((await runPlatformCommand(platform, 'users', ['role', 'admin', 'boss'])).code, 2);
    assert.equal((await runPlatformCommand(platform, 'users', ['frobnicate'])).code, 2);
    const audit = (await (await owner.request('GET', '/api/audit?connector=admin&limit=200')).json()) as ApiAuditPage;
    assert.ok(audit.entries.some((e) => e.actor === 'cli' && e.operation === 'remove' && e.objectId === 'cli@example.com'));

    const overHttp = (args: string[]) =>
      post(spokes.url, '/api/status/cli', { command: 'users', args }).then((r) => r.json() as Promise<{ code: number; output: string }>);
    assert.equal((await overHttp(['list'])).code, 0);
    const refused = await overHttp(['invite', 'sneaky@example.com', '--role', 'owner']);
    assert.equal(refused.code, 1);
    assert.match(refused.output, /only `spokes users list` runs through it/);
    assert.equal((await runPlatformCommand(platform, 'users', ['list'])).output.includes('sneaky@example.com'), false);
  });
});
