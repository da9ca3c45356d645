/**
 * Bad input at the telephony connector's edges: PBX webhooks with a bad
 * signature (401), malformed or unknown events (400 with the reason, nothing
 * enqueued), records of extensions nobody is bound to (ignored, with a debug
 * line), text PostgreSQL cannot store and durations out of range (400 naming
 * the field; cleaned and logged on the WebSocket), and admin requests that
 * name the offending field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cdrFrame, postPbxWebhook, startTelephony, type Telephony } from './telephony-support.ts';
import { eventually } from '../support/world.ts';

describe('Bad input to the phone system', () => {
  let t: Telephony;

  before(async () => {
    t = await startTelephony({ logLevel: 'debug' });
  });
  after(() => t.close());

  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string; details?: { field: string; message: string }[] } }).error;
  /** Jobs of the call logger ever enqueued (`spokes status` shows the same counts). */
  const logJobs = async () => (await t.runtime.queue.status()).find((s) => s.name === 'telephony.log-call')?.total ?? 0;
  const frameFor = (fields: Parameters<typeof cdrFrame>[1]) => {
    const { type, sn, msg, uid } = cdrFrame(t, fields);
    return { frame: { type, sn, msg }, uid };
  };

  describe('PBX webhooks', () => {
    it('refuses a missing, wrong or stale signature with 401, and enqueues nothing', async () => {
      const before = await logJobs();
      const { frame } = frameFor({ call_from: '+16505550101', call_to: '1001', type: 'Inbound', status: 'ANSWERED', talk_duration: 3, call_duration: 5 });
      const raw = JSON.stringify(frame);
      const missing = await postPbxWebhook(t, raw, { signature: null });
      const wrong = await postPbxWebhook(t, raw, { signature: Buffer.alloc(32, 7).toString('base64') });
      const { signWebhookBody } = await import('../../sandbox/yeastar/index.ts');
      const otherBody = await postPbxWebhook(t, raw.replace('+16505550101', '+16505550102'), { signature: signWebhookBody(t.pbx.info().webhookSecret, raw) });
      for (const res of [missing, wrong, otherBody]) {
        assert.equal(res.status, 401);
        assert.match((await errorOf(res)).message, /X-Signature/);
      }
      assert.equal(await logJobs(), before);
    });

    it('answers malformed JSON and unknown or malformed events with 400 and the reason, and enqueues nothing', async () => {
      const before = await logJobs();
      const sn = t.pbx.info().serialNumber;
      const cases: [string, RegExp][] = [
        ['{"type": 30012, "sn": ', /not JSON/],
        [JSON.stringify({ type: 99999, sn, msg: '{}' }), /Unknown Yeastar event type 99999/],
        [JSON.stringify({ hello: 'world' }), /Malformed Yeastar event/],
        [JSON.stringify({ type: 30012, sn, msg: '{"call_from": 5' }), /Malformed Yeastar event: msg is not JSON/],
        [JSON.stringify({ type: 30012, sn, msg: JSON.stringify({ call_from: '+16505550101' }) }), /Malformed Yeastar event: msg\./],
      ];
      for (const [body, reason] of cases) {
        const res = await postPbxWebhook(t, body);
        assert.equal(res.status, 400, body);
        const error = await errorOf(res);
        assert.equal(error.code, 'validation_failed');
        assert.match(error.message, reason);
      }
      assert.equal(await logJobs(), before);
      assert.ok(
        t.lines.some((l) => l.msg === 'malformed PBX webhook refused'),
        'the refusal is logged',
      );
    });

    it('takes a signed record whatever its content type, and logs it', async () => {
      const { frame, uid } = frameFor({ call_from: '+16505550103', call_to: '1001', type: 'Inbound', status: 'ANSWERED', talk_duration: 3, call_duration: 5 });
      const res = await postPbxWebhook(t, frame, { contentType: 'text/plain' });
      assert.equal(res.status, 200, await res.clone().text());
      await t.settle();
      const row = (await t.logged()).find((r) => r.cdrId === `uid:${uid}`);
      assert.equal(row?.state, 'logged');
      assert.equal((await t.engagements()).filter((e) => e.properties.hs_call_external_id === uid).length, 1);
    });

    it('ignores the record of an extension nobody is bound to, with a debug line', async () => {
      const { frame, uid } = frameFor({ call_from: '+16505550104', call_to: '4999', type: 'Inbound', status: 'ANSWERED', talk_duration: 3, call_duration: 5 });
      assert.equal((await postPbxWebhook(t, frame)).status, 200);
      await t.settle();
      const row = (await t.logged()).find((r) => r.cdrId === `uid:${uid}`);
      assert.equal(row?.state, 'skipped');
      assert.match(row!.detail!, /extension 4999 is not bound/);
      assert.equal((await t.engagements()).filter((e) => e.properties.hs_call_external_id === uid).length, 0);
      const line = t.lines.find((l) => l.level === 20 && l.extension === '4999');
      assert.ok(line, 'a debug line names the extension');
      assert.match(String(line.msg), /no HubSpot user is bound/);
    });
  });

  describe('text that cannot be stored (a NUL, a lone surrogate) and numbers out of range', () => {
    const cdrMsg = (fields: Record<string, unknown>) => {
      const { type, sn, msg } = cdrFrame(t, {
        call_from: '+16505550111',
        call_to: '1001',
        type: 'Inbound',
        status: 'ANSWERED',
        talk_duration: 3,
        call_duration: 5,
      });
      return { type, sn, msg: JSON.stringify({ ...JSON.parse(msg), ...fields }) };
    };

    it('answers a signed PBX record carrying such text with 400 naming the field, and enqueues nothing', async () => {
      const before = await logJobs();
      const cases: [Record<string, unknown>, string][] = [
        [{ call_from: '+1650555\u00000111' }, 'body.msg.call_from'],
        [{ call_to: '10\uDC0001' }, 'body.msg.call_to'],
        [{ status: 'ANSWERED\uD83D' }, 'body.msg.status'],
      ];
      for (const [fields, field] of cases) {
        const res = await postPbxWebhook(t, cdrMsg(fields));
        assert.equal(res.status, 400, JSON.stringify(fields));
        const error = await errorOf(res);
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual(
          error.details?.map((d) => d.field),
          [field],
        );
        assert.match(error.message, /cannot be stored/);
      }
      assert.equal(await logJobs(), before);
    });

    it('answers a signed PBX record whose durations are out of range (3e6 s, 1e15 s) with 400 naming the field, and enqueues nothing', async () => {
      const before = await logJobs();
      for (const seconds of [3e6, 1e15]) {
        const res = await postPbxWebhook(t, cdrMsg({ talk_duration: seconds, call_duration: seconds + 10 }));
        assert.equal(res.status, 400, String(seconds));
        const error = await errorOf(res);
        assert.deepEqual(
          error.details?.map((d) => d.field),
          ['body.msg.call_duration'],
        );
        assert.match(error.message, /at most 604800 seconds/);
        const talk = await postPbxWebhook(t, cdrMsg({ talk_duration: seconds, call_duration: 10 }));
        assert.deepEqual(
          (await errorOf(talk)).details?.map((d) => d.field),
          ['body.msg.talk_duration'],
        );
      }
      assert.equal(await logJobs(), before);
    });

    it('answers admin JSON bodies and queries carrying such text with 400 naming the field, and changes nothing', async () => {
      const ownerId = await t.ownerOf('1001');
      const cases: [string, string, unknown, string][] = [
        ['POST', '/api/telephony/calls', { ownerId: `${ownerId}\u0000`, number: '+14155550100' }, 'body.ownerId'],
        ['POST', '/api/telephony/calls', { ownerId, number: '+1415555\uD8000100' }, 'body.number'],
        ['PATCH', '/api/telephony/settings', { contactSync: { phonebookName: 'CRM\u0000' } }, 'body.contactSync.phonebookName'],
        ['PATCH', '/api/telephony/settings', { 'auto\u0000Create': {} }, 'body'],
        ['GET', `/api/telephony/calls/${encodeURIComponent('call\u0000')}`, undefined, 'params.callId'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await t.admin.request(method, path, body);
        assert.equal(res.status, 400, `${method} ${path}`);
        const error = await errorOf(res);
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual(
          error.details?.map((d) => d.field),
          [field],
          `${method} ${path}`,
        );
      }
      assert.equal(t.pbx.dialRequests().length, 0, 'no call was placed');
    });

    it('logs a record whose live event carries such text, cleaned, and says which field it cleaned (the WebSocket has nobody to refuse it to)', async () => {
      const { type, msg } = cdrMsg({ call_from: '+1650555\u00000142\uD800' });
      const { uid } = JSON.parse(msg) as { uid: string };
      await t.pbx.publishEvent(type, JSON.parse(msg));
      const row = await eventually('the record to be logged', async () => (await t.logged()).find((r) => r.cdrId === `uid:${uid}` && r.state !== 'writing'));
      assert.equal(row.state, 'logged');
      await t.settle();
      const [engagement] = (await t.engagements()).filter((e) => e.properties.hs_call_external_id === uid);
      // The NUL is dropped; the lone surrogate becomes U+FFFD, the mark of an unreadable character.
      assert.equal(engagement?.properties.hs_call_from_number, '+16505550142\uFFFD');
      const line = t.lines.find((l) => l.msg === 'yeastar event carried text that cannot be stored (a NUL or a lone surrogate); cleaned it');
      assert.equal(line?.field, 'msg.call_from');
    });
  });

  describe('admin requests', () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/api/telephony/enabled', { enabled: 'yes' }, 'body.enabled'],
      ['PUT', '/api/telephony/enabled', {}, 'body.enabled'],
      ['PATCH', '/api/telephony/settings', { autoCreate: { inbound: 'sometimes' } }, 'body.autoCreate.inbound'],
      ['PATCH', '/api/telephony/settings', { contactSync: { modules: ['deals'] } }, 'body.contactSync.modules.0'],
      ['PATCH', '/api/telephony/settings', { numbers: { defaultRegion: 'Germany' } }, 'body.numbers.defaultRegion'],
      ['PATCH', '/api/telephony/settings', { numbers: { outboundPrefix: '9x' } }, 'body.numbers.outboundPrefix'],
      ['PATCH', '/api/telephony/settings', { colour: 'blue' }, 'body'],
      ['PATCH', '/api/telephony/settings', { createPhonebook: '' }, 'body.createPhonebook'],
      ['GET', '/api/telephony/calls?limit=5000', undefined, 'query.limit'],
    ];
    for (const [method, path, body, field] of cases) {
      // What an admin saved; the stream's own heartbeat (state, checkpoint) moves on by itself.
      const stored = async () => {
        const status = (await (await t.admin.request('GET', '/api/telephony')).json()) as { connection: Record<string, unknown> | null };
        if (status.connection) for (const live of ['streamState', 'lastError', 'eventsSeenUntil']) delete status.connection[live];
        return status;
      };
      it(`${method} ${path} ${JSON.stringify(body) ?? ''} → 400 naming ${field}`, async () => {
        const before = await stored();
        const res = await t.admin.request(method, path, body);
        assert.equal(res.status, 400);
        const error = await errorOf(res);
        assert.equal(error.code, 'validation_failed');
        assert.ok(
          error.details?.some((d) => d.field === field),
          JSON.stringify(error),
        );
        assert.deepEqual(await stored(), before, 'nothing changed');
      });
    }
  });
});
