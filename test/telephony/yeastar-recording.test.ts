import assert from 'node:assert/strict';
import { recordingWav } from '../../sandbox/yeastar/calls/wav.ts';
import { after, before, describe, it } from 'node:test';
import { NotFoundError, ValidationError } from '../../src/errors.ts';
import type { YeastarAdapter } from '../../src/connectors/telephony/yeastar/index.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { adapterFor, control, EventCollector, STREAM, startPbx } from './yeastar-support.ts';

describe('Yeastar adapter: call recordings streamed through Spokes', () => {
  let sb: YeastarSandbox;
  let adapter: YeastarAdapter;
  before(async () => {
    sb = await startPbx();
    adapter = adapterFor(sb);
  });
  after(async () => {
    await adapter.dispose();
    await sb.close();
  });

  it('streams the recording named by a CDR, with its content type', async () => {
    const events = new EventCollector(adapter.events(STREAM));
    await events.waitFor((evs) => evs.some((e) => e.type === 'gap'));
    const { call_id } = sb.simulateCall({ direction: 'outbound', external: '+4930123456', extension: '1001', outcome: 'answered' });
    const cdr = (await events.call(call_id)).find((e) => e.type === 'cdr');
    assert.ok(cdr?.type === 'cdr' && cdr.cdr.recording);
    const recording = await adapter.openRecording(cdr.cdr.recording);
    const chunks: Buffer[] = [];
    for await (const chunk of recording.stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    assert.equal(recording.contentType, 'audio/wav');
    assert.equal(recording.fileName, cdr.cdr.recording);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
    const listed = sb.recordings().find((r) => r.call_id === call_id)!;
    assert.ok(bytes.equals(recordingWav(listed.duration)));
    assert.equal(bytes.readUInt32LE(40) / bytes.readUInt32LE(28), listed.duration, 'the whole call');
    assert.equal(sb.counters().counters['recording-file'], 1);
    await events.stream.close();
  });

  it('renews an expired token on the way, and says when a recording does not exist', async () => {
    sb.expireTokens();
    const file = sb.recordings()[0].file;
    const recording = await adapter.openRecording(file);
    recording.stream.resume();
    await assert.rejects(adapter.openRecording('20991231235959-1.1-1-2-Internal.wav'), NotFoundError);
    await assert.rejects(adapter.openRecording('../../etc/passwd'), ValidationError);
    const requests: { path: string; errcode?: number }[] = (await control(sb, 'GET', '/sandbox/requests')).requests;
    assert.ok(
      requests.some((r) => r.path.endsWith('recording/download') && r.errcode === 10004),
      'the expired token was refused once…',
    );
    assert.ok(requests.filter((r) => r.path.startsWith('/api/download/')).length >= 2, '…then the file was fetched');
  });
});
