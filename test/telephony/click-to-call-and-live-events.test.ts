/**
 * T6 click-to-call (`POST /api/telephony/calls`: the PBX rings the user's bound
 * extension, then dials the number; refusals and later failures come back as
 * messages a salesperson understands) and T7 live call events (each bound
 * user's server-sent-event stream: ringing, answered, ended, with the caller's
 * HubSpot record; resumable with Last-Event-ID; nobody else's calls).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshNumber, openEventStream, QUICK, startTelephony, type EventStreamClient, type Telephony } from './telephony-support.ts';

describe('Click-to-call (T6) and live call events (T7)', () => {
  let t: Telephony;
  const owners: Record<string, string> = {};
  const streams: EventStreamClient[] = [];

  before(async () => {
    t = await startTelephony();
    for (const ext of ['1001', '1002', '1003', '1004', '1005', '1006', '1007']) owners[ext] = await t.ownerOf(ext);
    // Dialled numbers ring briefly and nobody answers; the user's own phone picks up at once.
    t.pbx.setDialRules({ defaults: { outcome: 'no_answer', ringSeconds: 0.3, talkSeconds: 1 }, callerAnswerSeconds: 0.2 });
  });
  after(async () => {
    for (const s of streams) s.close();
    await t.close();
  });

  const dial = (body: unknown) => t.admin.request('POST', '/api/telephony/calls', body);
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string; reason?: string; details?: { field: string }[] } }).error;
  async function stream(ownerId: string, lastEventId?: number): Promise<EventStreamClient> {
    const s = await openEventStream(t, ownerId, lastEventId);
    streams.push(s);
    assert.equal(s.status, 200);
    return s;
  }

  describe('click-to-call (T6)', () => {
    it('dials from the extension bound to the user, found by owner id or by e-mail', async () => {
      const res = await dial({ ownerId: owners['1002'], number: '(650) 555-1234' });
      assert.equal(res.status, 200, await res.clone().text());
      const placed = (await res.json()) as { callId: string; extension: string; number: string };
      assert.equal(placed.extension, '1002');
      assert.equal(placed.number, '+16505551234');
      const request = t.pbx.dialRequests().at(-1)!;
      assert.deepEqual(
        { caller: request.body.caller, callee: request.body.callee, callId: request.call_id },
        { caller: '1002', callee: '+16505551234', callId: placed.callId },
      );

      const users = (await (await t.admin.request('GET', '/api/telephony/users')).json()) as { users: { ownerId: string; email: string }[] };
      const email = users.users.find((u) => u.ownerId === owners['1003'])!.email;
      const byEmail = await dial({ userEmail: email.toUpperCase(), number: '+1 650 555 1235' });
      assert.equal(byEmail.status, 200, await byEmail.clone().text());
      assert.equal(((await byEmail.json()) as { extension: string }).extension, '1003');
      assert.equal(t.pbx.dialRequests().at(-1)!.body.caller, '1003');
    });

    it('refuses a user bound to no extension, and malformed requests, naming the field', async () => {
      const dialsBefore = t.pbx.dialRequests().length;
      const cases: [unknown, string, RegExp?][] = [
        [{ ownerId: '424242', number: '+16505551234' }, 'body.ownerId', /not bound to a PBX extension/],
        [{ userEmail: 'nobody@elsewhere.example', number: '+16505551234' }, 'body.userEmail', /not bound to a PBX extension/],
        [{ number: '+16505551234' }, 'body.ownerId'],
        [{ ownerId: owners['1001'] }, 'body.number'],
        [{ ownerId: owners['1001'], number: 'call me maybe' }, 'body.number'],
        [{ userEmail: 'not an e-mail', number: '+16505551234' }, 'body.userEmail'],
      ];
      for (const [body, field, message] of cases) {
        const res = await dial(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        const error = await errorOf(res);
        assert.ok(
          error.details!.some((d) => d.field === field),
          `${JSON.stringify(body)} → ${JSON.stringify(error)}`,
        );
        if (message) assert.match(error.message, message);
      }
      assert.equal(t.pbx.dialRequests().length, dialsBefore, 'nothing reached the PBX');
    });

    it('answers a dial the PBX refuses at once, or cannot take, with a clear error', async () => {
      // The user's extension was deleted on the PBX after it was bound.
      const extensions = t.pbx
        .extensions()
        .filter((e) => e.number !== '1007')
        .map(({ number, name, email }) => ({ number, name, email }));
      const replaced = await fetch(`${t.pbx.url}/sandbox/extensions`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(extensions),
      });
      assert.equal(replaced.status, 200, await replaced.text());
      const gone = await dial({ ownerId: owners['1007'], number: '+16505551236' });
      assert.equal(gone.status, 409);
      const error = await errorOf(gone);
      assert.equal(error.code, 'dial_failed');
      assert.equal(error.reason, 'unknown_extension');
      assert.match(error.message, /Extension 1007 does not exist on the PBX/);

      t.pbx.setFaults({ apiErrorStatus: 503, apiErrorCount: 10 });
      try {
        const down = await dial({ ownerId: owners['1001'], number: '+16505551237' });
        assert.ok(down.status === 502 || down.status === 503, String(down.status));
        assert.match((await errorOf(down)).message, /PBX|Yeastar/);
      } finally {
        t.pbx.setFaults({});
      }
    });

    for (const [ext, reason, message, arrange] of [
      [
        '1004',
        'busy',
        /^The number you called is busy/,
        (number: string) =>
          t.pbx.setDialRules({
            defaults: { outcome: 'no_answer', ringSeconds: 0.3, talkSeconds: 1 },
            callerAnswerSeconds: 0.2,
            rules: [{ number, outcome: 'busy', ringSeconds: 0.2 }],
          }),
      ],
      ['1005', 'no_permission', /Your extension 1005 is not allowed to call this number/, () => t.pbx.setExtensionState('1005', { outboundPermission: false })],
      ['1006', 'extension_offline', /Your phone \(extension 1006\) is offline/, () => t.pbx.setExtensionState('1006', { online: false })],
    ] as const) {
      it(`tells the user on their live stream when the PBX fails the call later (${reason})`, async () => {
        const number = freshNumber();
        await arrange(number);
        const events = await stream(owners[ext]!);
        const res = await dial({ ownerId: owners[ext], number });
        assert.equal(res.status, 200, await res.clone().text());
        const { callId } = (await res.json()) as { callId: string };
        await events.waitFor((es) => es.some((e) => e.callId === callId && e.type === 'call_failed'), `call_failed for ${callId}`);
        const failed = events.events.find((e) => e.callId === callId && e.type === 'call_failed')!;
        assert.equal(failed.reason, reason);
        assert.match(failed.message!, message);
        assert.equal(failed.extension, ext);
      });
    }
  });

  describe('live call events (T7)', { concurrency: true }, () => {
    it("shows the bound user ringing, answered and ended with the caller's HubSpot record, and nobody else", async () => {
      const number = freshNumber();
      const { contactId } = await t.createContact({ firstname: 'Margaret', lastname: 'Hamilton', phone: number });
      const mine = await stream(owners['1001']!);
      const theirs = await stream(owners['1002']!);
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1001', ...QUICK });
      await mine.waitFor((es) => es.some((e) => e.callId === call_id && e.state === 'ended'), 'the end of the call');
      const ofCall = mine.events.filter((e) => e.callId === call_id);
      assert.deepEqual(
        ofCall.map((e) => e.state),
        ['ringing', 'answered', 'ended'],
      );
      const ringing = ofCall[0]!;
      assert.equal(ringing.direction, 'inbound');
      assert.equal(ringing.externalNumber, number);
      assert.equal(ringing.match?.objectType, 'contact');
      assert.equal(ringing.match?.objectId, contactId);
      assert.equal(ringing.match?.label, 'Margaret Hamilton');
      assert.ok(ringing.match!.url.endsWith(`/contacts/${t.portalId}/record/0-1/${contactId}`), ringing.match!.url);
      // The link opens the record in HubSpot (here: the emulator's record page).
      const page = await fetch(ringing.match!.url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Margaret/);
      assert.ok(
        theirs.events.every((e) => e.callId !== call_id),
        'another user sees none of it',
      );
    });

    it('pops the contact Spokes created for an unknown caller', async () => {
      const number = freshNumber();
      const mine = await stream(owners['1003']!);
      const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: number, extension: '1003', ...QUICK });
      const [ringing] = (await mine.waitFor((es) => es.some((e) => e.callId === call_id), 'the ringing call')).filter((e) => e.callId === call_id);
      assert.equal(ringing!.state, 'ringing');
      assert.equal(ringing!.match?.autoCreated, true);
      assert.equal(ringing!.match?.label, `Automatic New Contact - ${number}`);
      const created = await t.crm('GET', `/crm/v3/objects/contacts/${ringing!.match!.objectId}?properties=firstname,phone`);
      assert.equal(created.properties.phone, number);
      assert.ok(ringing!.match!.url.endsWith(`/record/0-1/${created.id}`));
    });

    it('resumes after a reconnect from Last-Event-ID, without repeating what was seen', async () => {
      const first = await stream(owners['1004']!);
      const a = t.pbx.simulateCall({ direction: 'outbound', external: freshNumber(), extension: '1004', ...QUICK });
      await first.waitFor((es) => es.some((e) => e.callId === a.call_id && e.state === 'ended'), 'the first call');
      const lastSeen = first.events.at(-1)!.seq;
      first.close();

      const b = t.pbx.simulateCall({ direction: 'outbound', external: freshNumber(), extension: '1004', ...QUICK });
      await t.loggedCall(b.call_id);
      const again = await stream(owners['1004']!, lastSeen);
      await again.waitFor((es) => es.some((e) => e.callId === b.call_id && e.state === 'ended'), 'the missed call replayed');
      assert.ok(
        again.events.every((e) => e.seq > lastSeen && e.callId !== a.call_id),
        JSON.stringify(again.events.map((e) => [e.seq, e.callId])),
      );
      assert.deepEqual(
        again.events.filter((e) => e.callId === b.call_id).map((e) => e.state),
        ['ringing', 'answered', 'ended'],
      );
    });
  });
});
