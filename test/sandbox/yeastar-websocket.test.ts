import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { EventStream, type PbxClient, sleep, startPbx } from '../support/yeastar-client.ts';

describe('Yeastar emulator: event subscription over WebSocket (pbx-apis.md §1.3a)', () => {
  let sb: YeastarSandbox;
  let pbx: PbxClient;

  before(async () => {
    // The idle timeout is 60 s × timeScale: 300 ms here.
    ({ sb, pbx } = await startPbx({ timeScale: 0.005 }));
  });
  after(() => sb.close());
  beforeEach(async () => {
    await sb.reset();
    await pbx.login();
  });

  it('refuses a socket without a valid access token', async () => {
    const stream = new EventStream(`${sb.info().websocketUrl}?access_token=nope`);
    const closed = await stream.closed;
    assert.equal(closed.code, 1008);
    assert.deepEqual(JSON.parse(stream.frames[0]), { errcode: 10004, errmsg: 'TOKEN EXPIRED' });
  });

  it('answers a topic_list with SUCCESS and delivers only the subscribed topics, msg as a JSON string', async () => {
    const stream = await EventStream.open(sb, pbx.token);
    stream.socket.send(JSON.stringify({ topic_list: [30012] }));
    await stream.waitFor(() => stream.frames.length === 1);
    assert.deepEqual(JSON.parse(stream.frames[0]), { errcode: 0, errmsg: 'SUCCESS' });
    const { call_id } = sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1001', ringSeconds: 1, talkSeconds: 1 });
    await stream.callEvents(call_id);
    const frames = stream.frames.slice(1).map((f) => JSON.parse(f));
    assert.deepEqual(
      frames.map((f) => f.type),
      [30012],
    );
    assert.equal(typeof frames[0].msg, 'string');
    assert.equal(frames[0].sn, sb.info().serialNumber);
    assert.equal(JSON.parse(frames[0].msg).call_id, call_id);
    stream.close();
  });

  it('answers a malformed subscription with 40002', async () => {
    const stream = await EventStream.open(sb, pbx.token);
    stream.socket.send('{"topics":[30011]}');
    await stream.waitFor(() => stream.frames.length === 1);
    assert.equal(JSON.parse(stream.frames[0]).errcode, 40002);
    stream.close();
  });

  it('drops a socket that sends nothing for the idle timeout, even while events flow to it', async () => {
    const stream = await EventStream.open(sb, pbx.token, [30011], { heartbeatMs: 0 });
    const t0 = Date.now();
    sb.simulateCall({ direction: 'inbound', external: '+15550100', extension: '1001', ringSeconds: 20, talkSeconds: 20 });
    const closed = await stream.closed;
    const elapsed = Date.now() - t0;
    assert.equal(closed.code, 1000);
    assert.ok(elapsed >= 280 && elapsed < 2000, `dropped after ${elapsed} ms`);
  });

  it('keeps a socket alive with heartbeat and answers "heartbeat response"', async () => {
    const stream = await EventStream.open(sb, pbx.token, [30011], { heartbeatMs: 0 });
    for (let i = 0; i < 8; i++) {
      await sleep(60);
      stream.socket.send('heartbeat');
    }
    await stream.waitFor(() => stream.frames.filter((f) => f === 'heartbeat response').length === 8);
    assert.equal(stream.socket.readyState, stream.socket.OPEN, 'alive after 480 ms > 300 ms idle timeout');
    stream.close();
  });

  it('closes the socket when its access token is revoked', async () => {
    const stream = await EventStream.open(sb, pbx.token, [30011]);
    await pbx.get('del_token');
    const closed = await stream.closed;
    assert.equal(closed.reason, 'token expired');
  });
});
