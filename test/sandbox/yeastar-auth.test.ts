import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { control, PbxClient, startPbx, UA } from '../support/yeastar-client.ts';

describe('Yeastar emulator: authentication (pbx-apis.md §1.2)', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;

  before(async () => {
    ({ sb, pbx } = await startPbx());
  });
  after(() => sb.close());
  beforeEach(async () => {
    await sb.reset();
    pbx = new PbxClient(sb);
  });

  it('exposes the connection details scripts rely on at GET /sandbox/info', async () => {
    const { status, body } = await control(sb, 'GET', '/sandbox/info');
    assert.equal(status, 200);
    assert.equal(body.system, 'yeastar');
    assert.equal(body.baseUrl, `http://127.0.0.1:${sb.port}`);
    assert.match(body.clientId, /^[A-Za-z0-9]{32}$/);
    assert.match(body.clientSecret, /^[A-Za-z0-9]{32}$/);
    assert.match(body.webhookSecret, /^[A-Za-z0-9]{32}$/);
    assert.deepEqual(Object.keys(body.extensions[0]), ['number', 'name', 'email']);
    assert.equal(body.extensions.length, 5);
  });

  it('issues a 30-minute access token and a 24-hour refresh token for the client id and secret', async () => {
    const res = await pbx.login();
    assert.equal(res.errcode, 0);
    assert.equal(res.errmsg, 'SUCCESS');
    assert.equal(res.access_token_expire_time, 1800);
    assert.equal(res.refresh_token_expire_time, 86400);
    assert.match(res.access_token, /^[A-Za-z0-9]{32}$/);
    const list = await pbx.get('extension/list');
    assert.equal(list.errcode, 0);
  });

  it('rejects a request without a User-Agent with 40002 PARAMETER ERROR, HTTP 200', async () => {
    await pbx.login();
    const res = await fetch(pbx.url('extension/list'), { headers: { 'User-Agent': '' } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.errcode, 40002);
    assert.equal(body.errmsg, 'PARAMETER ERROR');
  });

  it('answers a missing, unknown or revoked access token with 10004 TOKEN EXPIRED', async () => {
    assert.equal((await pbx.get('extension/list')).errcode, 10004);
    await pbx.login();
    const token = pbx.token;
    assert.equal((await pbx.get('del_token')).errcode, 0);
    const again = await pbx.get('extension/list');
    assert.deepEqual([again.errcode, again.errmsg], [10004, 'TOKEN EXPIRED']);
    pbx.token = token;
    assert.equal((await pbx.get('del_token')).errcode, 10004);
  });

  it('expires access tokens after their lifetime', async () => {
    const short = await startPbx({ limits: { accessTokenTtlSec: 0.2 } });
    try {
      assert.equal((await short.pbx.get('extension/list')).errcode, 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await short.pbx.get('extension/list')).errcode, 10004);
    } finally {
      await short.sb.close();
    }
  });

  it('expires every token on demand through /sandbox/tokens/expire, refresh tokens still working', async () => {
    await pbx.login();
    const { body } = await control(sb, 'POST', '/sandbox/tokens/expire', {});
    assert.equal(body.validAccessTokens, 0);
    assert.equal((await pbx.get('extension/list')).errcode, 10004);
    assert.equal((await pbx.post('refresh_token', { refresh_token: pbx.refreshToken }, { auth: false })).errcode, 0);
  });

  it('refreshes with the refresh token: a new pair, the old access token stops working', async () => {
    await pbx.login();
    const oldToken = pbx.token;
    const res = await pbx.post('refresh_token', { refresh_token: pbx.refreshToken }, { auth: false });
    assert.equal(res.errcode, 0);
    assert.notEqual(res.access_token, oldToken);
    assert.equal(res.access_token_expire_time, 1800);
    pbx.token = res.access_token;
    assert.equal((await pbx.get('extension/list')).errcode, 0);
    pbx.token = oldToken;
    assert.equal((await pbx.get('extension/list')).errcode, 10004);
    const reused = await pbx.post('refresh_token', { refresh_token: pbx.refreshToken }, { auth: false });
    assert.equal(reused.errcode, 10004, 'a refresh token is single-use');
  });

  it('refuses a 9th valid access token with 60002 MAX LIMITATION EXCEEDED until one is revoked', async () => {
    const clients = Array.from({ length: 8 }, () => new PbxClient(sb));
    for (const c of clients) await c.login();
    assert.equal(sb.counters().validAccessTokens, 8);
    const ninth = await pbx.post('get_token', { username: pbx.clientId, password: pbx.clientSecret }, { auth: false });
    assert.deepEqual([ninth.errcode, ninth.errmsg], [60002, 'MAX LIMITATION EXCEEDED']);
    assert.equal(ninth.access_token, undefined);
    await clients[0].get('del_token');
    assert.equal((await pbx.login()).errcode, 0);
    const { body } = await control(sb, 'GET', '/sandbox/requests');
    assert.equal(body.counters.get_token, 10);
    assert.equal(body.validAccessTokens, 8);
  });

  it('answers wrong credentials with -1 FAILURE and blocks the IP after 5 failures', async () => {
    const wrong = { username: pbx.clientId, password: 'not-the-secret' };
    const first = await pbx.post('get_token', wrong, { auth: false });
    assert.deepEqual(first, { errcode: -1, errmsg: 'FAILURE', invalid_param_list: [{ field: 'username or password', value: 'error' }] });
    for (let i = 0; i < 4; i++) await pbx.post('get_token', wrong, { auth: false });
    const blocked = await pbx.post('get_token', { username: pbx.clientId, password: pbx.clientSecret }, { auth: false });
    assert.deepEqual([blocked.errcode, blocked.errmsg], [70004, 'ACCOUNT IP BLOCKED']);
    assert.ok(blocked.block_expire_time > Date.now() / 1000);
    // The block applies to every API request from that IP, not only to get_token.
    assert.equal((await pbx.get('extension/list')).errcode, 70004);
    // Another client IP is not affected.
    const other = await pbx.post(
      'get_token',
      { username: pbx.clientId, password: pbx.clientSecret },
      { auth: false, headers: { 'X-Sandbox-Client-Ip': '10.0.0.9' } },
    );
    assert.equal(other.errcode, 0);
    const { body } = await control(sb, 'POST', '/sandbox/unblock', {});
    assert.deepEqual(body.blockedIps, []);
    assert.equal((await pbx.login()).errcode, 0);
  });

  it('a successful login resets the failure count', async () => {
    const wrong = { username: pbx.clientId, password: 'nope' };
    for (let i = 0; i < 4; i++) await pbx.post('get_token', wrong, { auth: false });
    await pbx.login();
    for (let i = 0; i < 4; i++) await pbx.post('get_token', wrong, { auth: false });
    assert.equal((await pbx.login()).errcode, 0);
  });

  it('answers a missing parameter with 40002 naming it and bad JSON with 40001', async () => {
    const missing = await pbx.post('get_token', { username: pbx.clientId }, { auth: false });
    assert.deepEqual(missing, { errcode: 40002, errmsg: 'PARAMETER ERROR', invalid_param_list: [{ field: 'password', validation_type: 'required' }] });
    const syntax = await pbx.post('get_token', '{"username":', { auth: false });
    assert.deepEqual([syntax.errcode, syntax.errmsg], [40001, 'PARAMETER SYNTAX ERROR']);
  });

  it('answers unknown endpoints and the wrong HTTP method with 10001 INTERFACE NOT EXISTED', async () => {
    await pbx.login();
    assert.equal((await pbx.get('extension/does_not_exist')).errcode, 10001);
    assert.equal((await pbx.post('extension/list', {})).errcode, 10001);
    const put = await fetch(pbx.url('extension/list'), { method: 'PUT', headers: UA });
    assert.equal((await put.json()).errcode, 10001);
  });

  it('reports the PBX clock so a client can derive its UTC offset', async () => {
    const tokyo = await startPbx({ timezone: 'Asia/Tokyo', dateFormat: 'YYYY/MM/DD' });
    try {
      const info = await tokyo.pbx.get('system/information');
      assert.equal(info.errcode, 0);
      assert.equal(info.data.system_date_format, 'YYYY/MM/DD');
      const [d, t] = info.data.system_time.split(' ');
      const local = Date.parse(`${d.replaceAll('/', '-')}T${t}Z`) / 1000;
      assert.ok(Math.abs(local - info.data.timestamp - 9 * 3600) <= 2, 'Tokyo is UTC+9');
      assert.equal(info.data.sn, tokyo.sb.info().serialNumber);
    } finally {
      await tokyo.sb.close();
    }
  });
});
